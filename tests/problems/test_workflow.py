"""The problem state machine: every rule for its actors and refused to the others; every move
not in the table refused with what is allowed; the deadline job at the end of the deadline day
in Vietnam (the clock passed in, frozen)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.errors import InvalidTransition, PermissionDenied, ValidationFailed
from app.outbox.models import OutboxEvent
from app.problems import service, workflow
from app.problems.models import Problem
from app.problems.schemas import ProblemIn
from app.problems.workflow import TRANSITIONS, Status
from tests.problems.helpers import body, cast, problem

ACTORS = ("owner", "colleague", "rival", "scientist", "other", "coordinator", "admin", "clock")
EXPECTED = {
    "owner (acts for the organisation)": {"owner", "colleague"},
    "coordinator": {"coordinator", "admin"},
    "coordinator, national problem": {"coordinator", "admin"},
    "the deadline job": {"clock"},
}


def _national(session, c, status):
    p = service.create(session, c.coordinator, ProblemIn.model_validate(body(scope="national")))
    p.status = status
    session.add(p)
    session.commit()
    return p


def test_each_rule_is_for_its_actors_only(session):
    c = cast(session)
    checked = 0
    for rule in TRANSITIONS.values():
        for name in ACTORS:
            actor = None if name == "clock" else getattr(c, name)
            national = rule.who == "coordinator, national problem"
            p = _national(session, c, rule.source) if national else problem(session, c, rule.source)
            allowed = name in EXPECTED[rule.who]
            try:
                event = workflow.transition(
                    session,
                    p,
                    rule.target,
                    actor=actor,
                    reason="Lý do" if rule.reason_required else None,
                )
            except PermissionDenied:
                session.rollback()
                assert not allowed, (rule.source, rule.target, name)
            else:
                assert allowed, (rule.source, rule.target, name)
                assert (event.from_status, event.to_status) == (rule.source, rule.target)
                assert p.status == rule.target
                session.commit()
            checked += 1
    assert checked == len(TRANSITIONS) * len(ACTORS)
    assert all(
        workflow.HISTORY.verify(session, p.id) == (True, None)
        for p in session.exec(select(Problem))
    )


def test_moves_outside_the_table_are_refused_with_the_allowed_ones(session):
    c = cast(session)
    p = problem(session, c, "draft")
    for source in Status:
        for target in Status:
            if (source, target) in TRANSITIONS:
                continue
            p.status = source
            session.add(p)
            session.commit()
            with pytest.raises(InvalidTransition) as refused:
                workflow.transition(session, p, target, actor=c.coordinator, reason="x")
            session.rollback()
            assert refused.value.extra["current"] == source
            assert refused.value.extra["allowed"] == [t for (s, t) in TRANSITIONS if s == source]


def test_a_reason_is_required_to_cancel_reject_or_unpublish(session):
    c = cast(session)
    p = problem(session, c, "submitted")
    with pytest.raises(ValidationFailed) as refused:
        workflow.transition(session, p, "rejected", actor=c.coordinator, reason="  ")
    assert refused.value.errors == {"reason": "Bước này cần nêu lý do."}
    session.rollback()
    p = problem(session, c, "open")
    with pytest.raises(ValidationFailed):
        workflow.transition(session, p, "cancelled", actor=c.owner)


def test_an_owners_problem_goes_to_moderation_a_coordinators_opens_at_once(session):
    c = cast(session)
    mine = problem(session, c, "draft")
    service.submit(session, c.owner, mine)
    national = _national(session, c, "draft")
    service.submit(session, c.coordinator, national)
    session.commit()
    assert (mine.status, national.status) == ("submitted", "open")
    assert national.opened_at is not None
    topics = [e.topic for e in session.exec(select(OutboxEvent).order_by(OutboxEvent.id))]
    assert "problem.opened" in topics


def _open_with_deadline(session, c, deadline: date) -> Problem:
    p = problem(session, c, "open")
    p.deadline = deadline
    session.add(p)
    session.commit()
    return p


def test_the_deadline_job_closes_at_the_end_of_the_day_in_vietnam(session):
    c = cast(session)
    p = _open_with_deadline(session, c, date(2027, 3, 31))
    # 23:59:59.999999 on 31 March in Hà Nội is 16:59:59.999999 UTC.
    just_before = datetime(2027, 3, 31, 16, 59, 59, 999999, tzinfo=UTC)
    at_midnight = datetime(2027, 3, 31, 17, 0, tzinfo=UTC)
    assert service.run_deadlines(session, just_before) == {"closed": [], "warned": [p.id]}
    session.commit()
    assert p.status == "open"
    assert service.run_deadlines(session, at_midnight) == {"closed": [p.id], "warned": []}
    session.commit()
    assert p.status == "closed"
    assert service.run_deadlines(session, at_midnight + timedelta(hours=1)) == {
        "closed": [],
        "warned": [],
    }
    last = workflow.HISTORY.entries(session, p.id)[-1]
    assert (last.from_status, last.to_status, last.actor_id) == ("open", "closed", None)


def test_owners_are_warned_once_three_days_before(session):
    c = cast(session)
    p = _open_with_deadline(session, c, date(2027, 3, 31))
    four_days_before = datetime(2027, 3, 27, 3, 0, tzinfo=UTC)  # 10:00 on 27 March in Hà Nội
    three_days_before = datetime(2027, 3, 28, 3, 0, tzinfo=UTC)
    assert service.run_deadlines(session, four_days_before)["warned"] == []
    assert service.run_deadlines(session, three_days_before)["warned"] == [p.id]
    session.commit()
    assert service.run_deadlines(session, three_days_before + timedelta(hours=5))["warned"] == []
    closing = [
        e.topic
        for e in session.exec(select(OutboxEvent).where(OutboxEvent.topic == "problem.closing"))
    ]
    assert closing == ["problem.closing"]
