"""Status callbacks: a forwarded initiative's stage changes, pushed to the partner that sent it.

Each one is a webhook delivery to the partner's callback endpoint (app/webhooks:
HMAC-signed, retried by the outbox with backoff, every attempt logged), carrying
only what the partner already knows plus the new stage: its external id, the
receipt code, the stages and the decision's reason.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.initiatives.models import Initiative
from app.partners.models import ForwardedInitiative, PartnerClient
from app.webhooks import service as webhooks_service
from app.webhooks.models import EVENT_FORWARDED_STAGE_CHANGED, WebhookEndpoint


def stage_changed(session: Session, payload: dict[str, Any]) -> None:
    record = session.exec(
        select(ForwardedInitiative).where(
            ForwardedInitiative.initiative_id == int(payload["initiative_id"])
        )
    ).first()
    if record is None:
        return
    partner = session.get(PartnerClient, record.partner_id)
    if partner is None or not partner.is_active or partner.webhook_endpoint_id is None:
        return
    endpoint = session.get(WebhookEndpoint, partner.webhook_endpoint_id)
    initiative = session.get(Initiative, record.initiative_id)
    if endpoint is None or not endpoint.is_active or initiative is None:
        return
    webhooks_service.queue_to(
        session,
        endpoint,
        EVENT_FORWARDED_STAGE_CHANGED,
        {
            "external_id": record.external_id,
            "initiative_id": initiative.id,
            "receipt_code": initiative.receipt_code,
            "from": payload.get("from"),
            "to": payload.get("to"),
            "reason": payload.get("reason"),
            "stage_entered_at": initiative.stage_entered_at.isoformat(),
        },
    )
