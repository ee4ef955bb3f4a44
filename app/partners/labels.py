"""Names of the partner scopes in the reader's language (the form and the partner page)."""

from __future__ import annotations

from app.i18n import _
from app.partners.models import SCOPE_CHANGES, SCOPE_FORWARD, SCOPE_READ, SCOPE_STATISTICS


def scope_labels() -> list[tuple[str, str]]:
    return [
        (SCOPE_FORWARD, _("Forward initiatives to the portal")),
        (SCOPE_READ, _("Read the status of the initiatives it forwarded")),
        (SCOPE_STATISTICS, _("Read the weekly indicators (monitoring)")),
        (SCOPE_CHANGES, _("Read the changes feed of public data")),
    ]
