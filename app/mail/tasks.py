from __future__ import annotations

from sqlmodel import Session

from app.mail import service
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler


@handler(topics.MAIL_SEND)
def send_mail(session: Session, payload: dict, event: OutboxEvent) -> None:
    service.deliver(session, payload, event.id or 0)
