"""Receiving the signed agreement: its fields and one document, streamed into storage.

Pages and the API share this. Whatever goes wrong — a bad field, no file, two
files, a verb that refuses — the stored document is deleted: nothing half-saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.requests import Request

from app.errors import ValidationFailed
from app.exchange.deal_schemas import AgreementFields
from app.i18n import _
from app.storage import StoredFile, get_storage, receive_upload
from app.web.forms import parse_form

T = TypeVar("T")


def discard(files: list[StoredFile]) -> None:
    storage = get_storage()
    for stored in files:
        storage.delete(stored.key)


async def receive(request: Request) -> tuple[dict[str, str], AgreementFields, StoredFile]:
    """The form's fields, the parsed agreement fields and the one stored document."""
    fields, files = await receive_upload(request, max_files=1)
    data, errors = parse_form(AgreementFields, fields)
    if not files:
        errors["document"] = _("Attach the signed agreement.")
    if data is None or errors:
        discard(files)
        raise ValidationFailed(_("Please correct the errors"), errors=errors)
    return fields, data, files[0]


def keep_or_discard(document: StoredFile, verb: Callable[[], T]) -> T:
    """Run the verb; if it refuses, remove the document it would have recorded."""
    try:
        return verb()
    except BaseException:
        discard([document])
        raise
