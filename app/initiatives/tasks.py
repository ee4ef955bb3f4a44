"""Outbox handlers of the initiatives domain.

Status-change mails to authors and coordinators belong to the notifications
domain (it consumes `initiative.transitioned` with the users' preferences);
the receipt mail with the proof of priority is queued by `service.submit`.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler
from app.storage import get_storage


@handler(topics.INITIATIVE_ATTACHMENT_DELETED)
def remove_deleted_file(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """Remove a deleted attachment's bytes once the row's deletion has committed."""
    get_storage().delete(payload["storage_key"])
