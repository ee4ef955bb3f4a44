"""Outbox handlers: an initiative's vector follows its public text.

Re-reads the initiative and embeds its CURRENT public text (or deletes the
vector when it is no longer published); an unchanged text is not re-embedded,
so duplicates and late deliveries change nothing. With the `none` backend the
handlers do nothing.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.matching import service
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler


# slow: an embedding takes up to seconds of CPU; the index update must not wait for it.
@handler(topics.INITIATIVE_PUBLISHED, slow=True)
@handler(topics.INITIATIVE_PUBLIC_UPDATED, slow=True)
@handler(topics.INITIATIVE_UNPUBLISHED, slow=True)
def embed_initiative(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    service.embed_initiative(session, int(payload["initiative_id"]))
