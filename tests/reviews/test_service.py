"""Rounds and manual and automatic assignment, and their refusals (a reviewer's answers: test_invitations.py)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.initiatives.models import InitiativeEvent
from app.outbox.models import OutboxEvent
from app.reviews import invitations, service
from tests.reviews import helpers as h


def test_opening_a_round_moves_each_initiative_to_in_review(session):
    boss = h.coordinator(session)
    one, two = h.screened(session), h.screened(session)
    round = h.open_round(session, boss, [one, two])
    session.refresh(one), session.refresh(two)
    assert (one.status, two.status) == ("in_review", "in_review")
    assert [i.id for i in service.round_initiatives(session, round)] == [one.id, two.id]
    events = session.exec(
        select(InitiativeEvent).where(InitiativeEvent.initiative_id == one.id)
    ).all()
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("screening", "in_review", boss.id)
    ]


def test_only_initiatives_in_screening_enter_a_round(session):
    boss = h.coordinator(session)
    draft = h.initiatives.initiative(session, h.factories.user(session), status="submitted")
    with pytest.raises(ValidationFailed):
        h.open_round(session, boss, [draft])


def test_a_reviewer_cannot_open_a_round(session):
    with pytest.raises(PermissionDenied):
        h.open_round(session, h.reviewer(session), [h.screened(session)])


def test_manual_assignment_queues_the_invitation(session):
    boss, expert = h.coordinator(session), h.reviewer(session, expertise_keywords=["sạt lở"])
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = service.assign(session, boss, round, item, expert)
    session.commit()
    assert (row.status, row.method, row.assigned_by_id) == ("invited", "manual", boss.id)
    assert row.explanation["matched_keywords"] == ["sạt lở"]
    events = session.exec(select(OutboxEvent).where(OutboxEvent.topic == "review.invited")).all()
    assert [e.payload for e in events] == [{"assignment_id": row.id}]


def test_load_above_the_maximum_is_refused(session):
    boss, expert = h.coordinator(session), h.reviewer(session)
    items = [h.screened(session) for _ in range(2)]
    round = h.open_round(session, boss, items, max_load=1)
    service.assign(session, boss, round, items[0], expert)
    with pytest.raises(Conflict) as refused:
        service.assign(session, boss, round, items[1], expert)
    assert refused.value.code == "load-exceeded"


def test_a_declined_slot_is_refilled_by_automatic_assignment(session):
    boss = h.coordinator(session)
    first, second = h.reviewer(session, "Người Một"), h.reviewer(session, "Người Hai")
    item = h.screened(session)
    round = h.open_round(session, boss, [item], reviews_wanted=1)
    row = service.assign(session, boss, round, item, first)
    invitations.decline(session, first, row, "Bận công tác")
    result = service.auto_assign(session, boss, round)
    session.commit()
    assert [(a.initiative_id, a.reviewer_id, a.method) for a in result.created] == [
        (item.id, second.id, "auto")
    ]
    assert result.under_covered == {}
