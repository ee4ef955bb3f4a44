"""THE state machine of a problem statement: the transition table and the one `transition()`.

Built on `app.statemachine` (the same machinery as initiatives): the table is checked with
the row locked, the change is appended to the hash-chained history and the side effects are
queued in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from app.accounts.models import User
from app.db import utcnow
from app.i18n import TIMEZONE, _
from app.outbox import service as outbox
from app.outbox import topics
from app.problems import permissions as perms
from app.problems.models import Problem, ProblemEvent
from app.statemachine import HashChain, Rule, StateMachine, timestamp


class Status(StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned_for_revision = "returned_for_revision"
    rejected = "rejected"
    open = "open"
    closed = "closed"
    evaluating = "evaluating"
    awarded = "awarded"
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"
    unpublished = "unpublished"


# Seen by everyone (the abstract); the confidential part behind the undertaking.
PUBLIC_STATES = frozenset(
    {
        Status.open,
        Status.closed,
        Status.evaluating,
        Status.awarded,
        Status.in_progress,
        Status.completed,
    }
)
# In the search index.
SEARCHABLE_STATES = frozenset({Status.open, Status.awarded})


Transition = Rule[Problem]
Predicate = Callable[[User | None, Problem], bool]
S = Status
_OWNER, _COORDINATOR = "owner (acts for the organisation)", "coordinator"


def _t(
    source: Status,
    target: Status,
    allowed: Predicate,
    who: str,
    *,
    reason: bool = False,
    extra_topics: tuple[str, ...] = (),
) -> Transition:
    return Transition(
        source, target, allowed, who, reason, (topics.PROBLEM_TRANSITIONED, *extra_topics)
    )


_CANCELLABLE = (S.draft, S.submitted, S.returned_for_revision, S.open, S.closed, S.evaluating)
_UNPUBLISHABLE = (S.open, S.closed, S.evaluating, S.awarded, S.in_progress, S.completed)

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        _t(S.draft, S.submitted, perms.is_owner, _OWNER),
        _t(S.returned_for_revision, S.submitted, perms.is_owner, _OWNER),
        _t(
            S.draft,
            S.open,
            perms.can_open_directly,
            "coordinator, national problem",
            extra_topics=(topics.PROBLEM_OPENED,),
        ),
        _t(
            S.submitted,
            S.open,
            perms.can_moderate,
            _COORDINATOR,
            extra_topics=(topics.PROBLEM_OPENED,),
        ),
        _t(S.submitted, S.returned_for_revision, perms.can_moderate, _COORDINATOR, reason=True),
        _t(S.submitted, S.rejected, perms.can_moderate, _COORDINATOR, reason=True),
        _t(S.open, S.closed, perms.is_clock, "the deadline job"),
        _t(S.closed, S.evaluating, perms.is_owner, _OWNER),
        _t(S.closed, S.awarded, perms.is_owner, _OWNER, extra_topics=(topics.PROBLEM_AWARDED,)),
        _t(S.evaluating, S.awarded, perms.is_owner, _OWNER, extra_topics=(topics.PROBLEM_AWARDED,)),
        _t(S.awarded, S.in_progress, perms.is_owner, _OWNER),
        _t(S.in_progress, S.completed, perms.is_owner, _OWNER),
        *[_t(s, S.cancelled, perms.is_owner, _OWNER, reason=True) for s in _CANCELLABLE],
        *[
            _t(s, S.unpublished, perms.can_moderate, _COORDINATOR, reason=True)
            for s in _UNPUBLISHABLE
        ],
        _t(
            S.unpublished,
            S.open,
            perms.can_moderate,
            _COORDINATOR,
            extra_topics=(topics.PROBLEM_OPENED,),
        ),
    ]
}


def status_label(status: str) -> str:
    labels: dict[str, str] = {
        S.draft: _("Draft"),
        S.submitted: _("Submitted"),
        S.returned_for_revision: _("Returned for revision"),
        S.rejected: _("Rejected"),
        S.open: _("Open for proposals"),
        S.closed: _("Closed for proposals"),
        S.evaluating: _("Evaluating proposals"),
        S.awarded: _("Awarded"),
        S.in_progress: _("In progress"),
        S.completed: _("Completed"),
        S.cancelled: _("Cancelled"),
        S.unpublished: _("Unpublished"),
    }
    return labels.get(status, status)


MACHINE: StateMachine[Problem] = StateMachine(
    Problem,
    TRANSITIONS.values(),
    label=status_label,
    invalid_message=lambda current, target, allowed: _(
        "A problem in stage “%(current)s” cannot move to “%(target)s”. Allowed from here: %(allowed)s.",
        current=current,
        target=target,
        allowed=allowed,
    ),
    forbidden_message=lambda target: _(
        "You may not move this problem to “%(target)s”.", target=target
    ),
)


def _entry(event: ProblemEvent) -> dict[str, Any]:
    return {
        "problem_id": event.problem_id,
        "seq": event.seq,
        "actor_id": event.actor_id,
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason,
        "created_at": timestamp(event.created_at),
    }


HISTORY: HashChain[ProblemEvent] = HashChain(ProblemEvent, "problem_id", _entry)


def closes_at(deadline: date) -> datetime:
    """The moment proposals stop: the end of the deadline day in Vietnam (UTC-aware)."""
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=TIMEZONE)


def today_in_vietnam(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(TIMEZONE).date()


def available(user: User | None, problem: Problem) -> list[Transition]:
    return MACHINE.available(user, problem)


def transition(
    session: Session,
    problem: Problem,
    to: Status | str,
    *,
    actor: User | None,
    reason: str | None = None,
) -> ProblemEvent:
    """Move `problem` to `to` if the table allows it for `actor`; record and queue its effects.

    Raises InvalidTransition (409), PermissionDenied (403) or ValidationFailed (422, errors["reason"]).
    """
    rule = MACHINE.check(
        session,
        problem,
        str(to),
        actor=actor,
        reason=reason,
        valid=lambda s: s in Status.__members__.values(),
    )
    reason = (reason or "").strip() or None
    now = utcnow()
    problem.status = rule.target
    problem.stage_entered_at = problem.updated_at = now
    if rule.target == Status.open and problem.opened_at is None:
        problem.opened_at = now
    session.add(problem)
    assert problem.id is not None
    event = HISTORY.append(
        session,
        problem.id,
        at=now,
        actor_id=actor.id if actor else None,
        from_status=str(rule.source),
        to_status=str(rule.target),
        reason=reason,
    )
    payloads: dict[str, dict[str, Any]] = {
        topics.PROBLEM_TRANSITIONED: {
            "problem_id": problem.id,
            "from": str(rule.source),
            "to": str(rule.target),
            "actor_id": actor.id if actor else None,
            "reason": reason,
        },
        topics.PROBLEM_OPENED: {"problem_id": problem.id},
        topics.PROBLEM_AWARDED: {"problem_id": problem.id},
    }
    for topic in rule.topics:
        outbox.enqueue(session, topic, payloads[topic], key=f"problem:{problem.id}")
    return event
