"""Confirmation of irreversible steps on web forms.

Forms of such steps carry a checkbox `confirm=yes` (`frontend/templates/_confirm.html`);
the handler calls `confirmed(form)` and sends the page back with the message when it
is missing. The API needs no confirmation: a client's request is explicit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.i18n import _

FIELD = "confirm"


def confirmed(form: Mapping[str, Any]) -> bool:
    return str(form.get(FIELD) or "") == "yes"


def missing() -> dict[str, str]:
    """The field error for a form sent without the confirmation."""
    return {FIELD: _("Tick the box to confirm this step: it cannot be undone.")}
