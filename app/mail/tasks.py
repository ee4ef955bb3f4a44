from __future__ import annotations

from sqlmodel import Session

from app.mail import service
from app.outbox.models import OutboxEvent
from app.outbox.service import handler


@handler("mail.send")
def send_mail(session: Session, payload: dict, event: OutboxEvent) -> None:
    service.deliver(session, payload, event.id or 0)
