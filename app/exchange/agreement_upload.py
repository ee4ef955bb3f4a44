"""Receiving the signed agreement: its fields and one document, streamed into storage.

Pages and the API share this; both take the upload as the `StreamedUpload`
dependency of a plain `def` handler. Whatever goes wrong — a bad field, no
file, two files, a verb that refuses — the stored document is deleted:
nothing half-saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from app.errors import ValidationFailed
from app.exchange.deal_schemas import AgreementFields
from app.i18n import _, ngettext
from app.storage import StoredFile, Upload, get_storage
from app.web.forms import parse_form

T = TypeVar("T")


def discard(files: list[StoredFile]) -> None:
    storage = get_storage()
    for stored in files:
        storage.delete(stored.key)


def parse(received: Upload) -> tuple[AgreementFields | None, dict[str, str]]:
    """The agreement's fields, or the errors (and then the stored files are deleted)."""
    data, errors = parse_form(AgreementFields, received.fields)
    if not received.files:
        errors["document"] = _("Attach the signed agreement.")
    elif len(received.files) > 1:
        errors["document"] = ngettext(
            "Send at most %(count)s file at once.",
            "Send at most %(count)s files at once.",
            1,
            count=1,
        )
    if data is None or errors:
        discard(received.files)
        return None, errors
    return data, {}


def receive(received: Upload) -> tuple[AgreementFields, StoredFile]:
    """The parsed agreement fields and the one stored document, or `ValidationFailed`."""
    data, errors = parse(received)
    if data is None:
        raise ValidationFailed(_("Please correct the errors"), errors=errors)
    return data, received.files[0]


def keep_or_discard(received: Upload, verb: Callable[[], T]) -> T:
    """Run the verb; if it refuses, remove the document it would have recorded."""
    try:
        return verb()
    except BaseException:
        discard(received.files)
        raise
