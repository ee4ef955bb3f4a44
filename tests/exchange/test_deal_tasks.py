"""Deal stage changes reach the other parties' inboxes and the organisations' webhooks."""

from __future__ import annotations

from sqlmodel import select

from app.notifications.models import Notification
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.exchange.deal_helpers import accept_nda, cast, open_deal


def test_the_other_parties_hear_of_a_stage_change_and_webhooks_get_ids_only(session, worker):
    c = cast(session)
    session.add(
        WebhookEndpoint(
            organisation_id=c.buyer.organisation_id,
            url="https://hooks.nongnghiepxanh.vn/portal",
            secret="s" * 32,
            event_types=["deal.stage_changed"],
            created_by_id=c.buyer.id,
        )
    )
    session.commit()
    deal = open_deal(session, c)
    accept_nda(session, c.buyer, deal)
    accept_nda(session, c.submitter, deal)
    worker.drain()
    session.rollback()
    session.expire_all()
    notes = session.exec(
        select(Notification).where(Notification.type == "deal_stage").order_by(Notification.id)
    ).all()
    stage_notes = {(n.user_id, n.link) for n in notes}
    link = f"/exchange/deals/{deal.id}"
    # Opening (by the buyer): the authors and the buyer's colleague; NDA signed (by the
    # submitter): the co-author and both counterparty members.
    assert sorted(n.dedupe_key for n in notes if n.user_id == c.buyer.id) == [
        f"deal-stage:{deal.id}:nda_signed"
    ]
    assert sorted(n.dedupe_key for n in notes if n.user_id == c.submitter.id) == [
        f"deal-stage:{deal.id}:contact"
    ]
    assert {u for u, _ in stage_notes} == {
        c.submitter.id,
        c.coauthor.id,
        c.buyer.id,
        c.colleague.id,
    }
    assert {lk for _, lk in stage_notes} == {link}
    deliveries = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert [(d.event_type, d.payload["data"]) for d in deliveries] == [
        (
            "deal.stage_changed",
            {"deal_id": deal.id, "initiative_id": c.initiative.id, "from": None, "to": "contact"},
        ),
        (
            "deal.stage_changed",
            {
                "deal_id": deal.id,
                "initiative_id": c.initiative.id,
                "from": "contact",
                "to": "nda_signed",
            },
        ),
    ]
