"""Decisions: through the workflow with a rationale, mailed with anonymised reviewer comments."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.errors import Conflict, ValidationFailed
from app.initiatives.models import InitiativeEvent
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.reviews import decisions
from tests.conftest import api_token
from tests.reviews import helpers as h


@pytest.fixture
def reviewed(session):
    boss = h.coordinator(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item], reviews_wanted=2)
    for name, total, comment in [
        ("Một", 8, "Nên bổ sung số liệu thử nghiệm."),
        ("Hai", 6, "Lộ trình còn chung chung."),
    ]:
        person = h.reviewer(session, name)
        h.submit(
            session,
            person,
            h.cleared(session, round, item, person, boss),
            *[total] * 5,
            comment=comment,
        )
    return boss, item, round


def test_selecting_records_who_and_why_in_the_history(session, reviewed):
    boss, item, round = reviewed
    decision = decisions.decide(session, boss, round, item, "select", "Điểm cao, đồng thuận.")
    session.commit()
    assert (item.status, decision.decided_by_id, decision.outcome) == (
        "selected",
        boss.id,
        "select",
    )
    last = session.exec(
        select(InitiativeEvent)
        .where(InitiativeEvent.initiative_id == item.id)
        .order_by(InitiativeEvent.seq.desc())
    ).first()
    assert (last.to_status, last.actor_id, last.reason) == (
        "selected",
        boss.id,
        "Điểm cao, đồng thuận.",
    )


def test_the_submitter_gets_the_comments_with_reviewers_anonymised(session, reviewed):
    boss, item, round = reviewed
    decisions.decide(session, boss, round, item, "return", "Cần bổ sung.")
    session.commit()
    mail = session.exec(
        select(OutboxEvent)
        .where(OutboxEvent.topic == topics.MAIL_SEND)
        .order_by(OutboxEvent.id.desc())
    ).first()
    text = mail.payload["text"]
    assert "Chuyên gia 1:\nNên bổ sung số liệu thử nghiệm." in text
    assert "Chuyên gia 2:\nLộ trình còn chung chung." in text
    assert "Một" not in text and "Hai" not in text
    assert item.status == "returned_for_revision"


def test_a_decision_needs_a_rationale_and_happens_once(session, reviewed):
    boss, item, round = reviewed
    with pytest.raises(ValidationFailed):
        decisions.decide(session, boss, round, item, "reject", "  ")
    decisions.decide(session, boss, round, item, "reject", "Chưa đủ tính mới.")
    with pytest.raises(Conflict):
        decisions.decide(session, boss, round, item, "select", "Đổi ý.")


def test_the_api_decides_for_coordinators_only(client, session, reviewed):
    boss, item, round = reviewed
    body = {"initiative_id": item.id, "outcome": "select", "rationale": "Tốt."}
    reviewer_headers = api_token(client, h.reviewer(session).email)
    assert (
        client.post(
            f"/api/v1/review-rounds/{round.id}/decisions", json=body, headers=reviewer_headers
        ).status_code
        == 403
    )
    answer = client.post(
        f"/api/v1/review-rounds/{round.id}/decisions",
        json=body,
        headers=api_token(client, boss.email),
    )
    assert answer.status_code == 201 and answer.json()["outcome"] == "select"
