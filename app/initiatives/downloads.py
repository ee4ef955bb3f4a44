"""Serving a stored attachment (after the caller has checked who may download it)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import FileResponse, StreamingResponse

from app.initiatives.models import Attachment
from app.storage import get_storage


def file_response(attachment: Attachment):
    """The file as a download, never rendered inline by the browser as our page."""
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    storage = get_storage()
    path = storage.path(attachment.storage_key)
    if path is not None:
        return FileResponse(path, media_type=attachment.content_type, headers=headers)
    return StreamingResponse(
        storage.open(attachment.storage_key), media_type=attachment.content_type, headers=headers
    )
