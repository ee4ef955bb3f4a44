"""Outbox handlers of the initiatives domain: tell the submitter about status changes; remove files."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.accounts.models import User
from app.initiatives import attachments
from app.initiatives.models import Initiative
from app.initiatives.workflow import TOPIC_TRANSITIONED, Status, status_label
from app.mail.service import queue_mail
from app.outbox.models import OutboxEvent
from app.outbox.service import handler
from app.storage import get_storage
from app.web.templating import env

# Mails are rendered in the recipient's language: the label is translated at render time.
env.globals["initiative_status_label"] = status_label


@handler(TOPIC_TRANSITIONED)
def mail_submitter_on_status_change(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """A mail to the submitter for every new stage except submission (the receipt mail covers that)."""
    if payload["to"] == Status.submitted:
        return
    initiative = session.get(Initiative, payload["initiative_id"])
    submitter = session.get(User, initiative.submitter_id) if initiative else None
    if submitter is None or not submitter.is_active:
        return
    queue_mail(session, to=submitter.email, template="initiatives/mail/status_changed", language=submitter.language,
               context={"initiative": initiative, "name": submitter.full_name, "to": payload["to"],
                        "reason": payload.get("reason")},
               key=f"initiative:{initiative.id}")


@handler(attachments.TOPIC_FILE_DELETED)
def remove_deleted_file(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    get_storage().delete(payload["storage_key"])
