"""An intermediary facilitates a deal only with both parties' consent, and sees no confidential part."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from app.exchange import (
    deal_history,
    deal_queries,
    deal_verbs,
    deal_views,
    facilitators,
    intermediaries,
)
from app.exchange.deal_schemas import AbandonIn, ServiceRequestIn
from app.exchange.models import DealFacilitator
from app.outbox import topics
from app.outbox.models import OutboxEvent
from tests.exchange.deal_helpers import cast, intermediary, open_deal, sign, to_negotiation


def test_both_parties_consent_then_the_facilitator_sees_the_course_but_no_secret(session):
    c = cast(session)
    agent, profile = intermediary(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    sign(session, c, deal)

    invited = facilitators.request(session, c.submitter, deal, profile.id)
    session.commit()
    assert (invited.status, invited.initiative_consent_by_id) == ("requested", c.submitter.id)
    assert invited.counterparty_consent_at is None
    with pytest.raises(NotFound):  # invited is not joined
        deal_queries.get_visible(session, agent, deal.id)
    assert deal not in deal_queries.deals_of(session, agent)
    with pytest.raises(Conflict):  # the same side cannot consent twice
        facilitators.consent(session, c.coauthor, deal, invited.id)
    session.rollback()
    with pytest.raises(PermissionDenied):  # the intermediary cannot consent for a party
        facilitators.consent(session, agent, deal, invited.id)
    session.rollback()

    joined = facilitators.consent(session, c.colleague, deal, invited.id)
    session.commit()
    assert joined.status == "active"
    assert deal_queries.get_visible(session, agent, deal.id).id == deal.id
    assert [d.id for d in deal_queries.deals_of(session, agent)] == [deal.id]
    seen = deal_views.describe(session, agent, deal)
    assert (seen["my_side"], seen["facilitating"], seen["confidential"]) == (None, True, False)
    assert [o["value_vnd"] for o in seen["offers"]] == [None, None, None]
    assert "MARKER-SCOPE-7Q" in seen["offers"][0]["scope"]  # the terms, not the values
    assert (seen["agreement"]["value_vnd"], seen["agreement"]["document"]) == (None, None)
    assert seen["agreement"]["value_band"] == "100m_1b"
    assert {a["address"] for a in seen["nda"]} == {None}
    assert {e["detail"] for e in seen["history"]} == {"{}"}
    assert not any(seen["can"].values())
    with pytest.raises(NotFound):  # documents and NDA copies stay with the parties
        deal_queries.get_confidential(session, agent, deal.id)
    party = deal_views.describe(session, c.buyer, deal)
    assert party["offers"][0]["value_vnd"] == 987654321 and party["confidential"] is True

    facilitators.remove(session, c.buyer, deal, joined.id)
    session.commit()
    with pytest.raises(NotFound):
        deal_queries.get_visible(session, agent, deal.id)
    actions = [e.action for e in deal_history.events(session, deal.id)][-3:]
    assert actions == ["facilitator_requested", "facilitator_joined", "facilitator_removed"]
    assert deal_history.verify_chain(session, deal.id) == (True, None)
    with pytest.raises(Conflict):
        facilitators.remove(session, c.submitter, deal, joined.id)


def test_an_intermediary_asks_to_join_only_through_a_service_on_the_deal(session):
    c = cast(session)
    agent, profile = intermediary(session)
    deal = open_deal(session, c)
    with pytest.raises(PermissionDenied):  # no service request on this deal
        facilitators.request(session, agent, deal, profile.id)
    session.rollback()
    for outsider in (c.rival, c.investor, c.coordinator):
        with pytest.raises(PermissionDenied):
            facilitators.request(session, outsider, deal, profile.id)
        session.rollback()
    service = intermediaries.request_service(
        session,
        c.buyer,
        profile,
        ServiceRequestIn(service="ip_agent", message="Tư vấn hợp đồng li-xăng", deal_id=deal.id),
    )
    session.commit()
    with pytest.raises(PermissionDenied):  # requested, not yet accepted
        facilitators.request(session, agent, deal, profile.id)
    session.rollback()
    intermediaries.answer(session, agent, service, accept=True)
    asked = facilitators.request(session, agent, deal, profile.id)
    session.commit()
    assert (asked.initiative_consent_at, asked.counterparty_consent_at) == (None, None)
    with pytest.raises(Conflict):  # one request per intermediary at a time
        facilitators.request(session, c.submitter, deal, profile.id)
    session.rollback()
    facilitators.consent(session, c.submitter, deal, asked.id)
    assert asked.status == "requested"
    facilitators.consent(session, c.buyer, deal, asked.id)
    session.commit()
    assert session.get(DealFacilitator, asked.id).status == "active"
    events = session.exec(
        select(OutboxEvent).where(OutboxEvent.topic == topics.DEAL_FACILITATOR_CHANGED)
    ).all()
    assert [e.payload["event"] for e in events] == [
        "requested",
        "consented",
        "joined",
    ]


def test_no_facilitator_on_a_closed_deal_nor_a_foreign_one(session):
    c = cast(session)
    agent, profile = intermediary(session)
    deal = open_deal(session, c)
    deal_verbs.abandon(session, c.buyer, deal, AbandonIn(reason="price"))
    session.commit()
    with pytest.raises(InvalidTransition):
        facilitators.request(session, c.submitter, deal, profile.id)
    session.rollback()
    with pytest.raises(NotFound):
        facilitators.request(session, c.submitter, deal, 999_999)
    session.rollback()
    other = open_deal(session, c, c.investor)
    invited = facilitators.request(session, c.submitter, other, profile.id)
    session.commit()
    with pytest.raises(NotFound):  # a facilitator id of another deal
        facilitators.consent(session, c.buyer, deal, invited.id)
