"""THE state machine of an initiative: the transition table and the one function that applies it.

Every status change, from any page, API endpoint, domain or job, goes through
`transition()`: it checks the table and the permission predicate, requires a
reason where the table says so, sets the status, appends the hash-chained
history entry and queues the side effects in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from app.accounts.models import User
from app.db import utcnow
from app.i18n import _
from app.initiatives import history
from app.initiatives import permissions as perms
from app.initiatives.models import Initiative, InitiativeEvent
from app.outbox import service as outbox
from app.outbox import topics
from app.statemachine import Rule, StateMachine


class Status(StrEnum):
    draft = "draft"
    submitted = "submitted"
    screening = "screening"
    in_review = "in_review"
    returned_for_revision = "returned_for_revision"
    selected = "selected"
    rejected = "rejected"
    published = "published"
    commercialising = "commercialising"
    withdrawn = "withdrawn"
    unpublished = "unpublished"


PUBLISHED_STATES = frozenset({Status.published, Status.commercialising})
PRE_PUBLICATION_STATES = frozenset(
    {
        Status.draft,
        Status.submitted,
        Status.screening,
        Status.in_review,
        Status.returned_for_revision,
        Status.selected,
    }
)

Predicate = Callable[[User | None, Initiative], bool]
Transition = Rule[Initiative]


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
        source, target, allowed, who, reason, (topics.INITIATIVE_TRANSITIONED, *extra_topics)
    )


S = Status
_COORDINATOR = "coordinator"
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        _t(S.draft, S.submitted, perms.can_submit, "submitter or co-author with edit right"),
        _t(
            S.returned_for_revision,
            S.submitted,
            perms.can_submit,
            "submitter or co-author with edit right",
        ),
        _t(S.submitted, S.screening, perms.can_screen, _COORDINATOR),
        _t(S.screening, S.in_review, perms.can_screen, _COORDINATOR),
        _t(S.screening, S.returned_for_revision, perms.can_screen, _COORDINATOR, reason=True),
        _t(S.in_review, S.returned_for_revision, perms.can_screen, _COORDINATOR, reason=True),
        _t(S.screening, S.rejected, perms.can_screen, _COORDINATOR, reason=True),
        _t(S.in_review, S.rejected, perms.can_screen, _COORDINATOR, reason=True),
        _t(S.in_review, S.selected, perms.can_screen, _COORDINATOR),
        _t(
            S.selected,
            S.published,
            perms.can_screen,
            _COORDINATOR,
            extra_topics=(topics.INITIATIVE_PUBLISHED,),
        ),
        _t(
            S.unpublished,
            S.published,
            perms.can_screen,
            _COORDINATOR,
            extra_topics=(topics.INITIATIVE_PUBLISHED,),
        ),
        _t(
            S.published,
            S.commercialising,
            perms.can_mark_commercialising,
            "submitter or coordinator",
        ),
        _t(
            S.published,
            S.unpublished,
            perms.can_screen,
            _COORDINATOR,
            reason=True,
            extra_topics=(topics.INITIATIVE_UNPUBLISHED,),
        ),
        _t(
            S.commercialising,
            S.unpublished,
            perms.can_screen,
            _COORDINATOR,
            reason=True,
            extra_topics=(topics.INITIATIVE_UNPUBLISHED,),
        ),
        *[
            _t(s, S.withdrawn, perms.can_withdraw, "submitter", reason=True)
            for s in sorted(PRE_PUBLICATION_STATES)
        ],
    ]
}


def status_label(status: str) -> str:
    """The stage's name in the current language."""
    labels: dict[str, str] = {
        Status.draft: _("Draft"),
        Status.submitted: _("Submitted"),
        Status.screening: _("Screening"),
        Status.in_review: _("In review"),
        Status.returned_for_revision: _("Returned for revision"),
        Status.selected: _("Selected"),
        Status.rejected: _("Rejected"),
        Status.published: _("Published"),
        Status.commercialising: _("Commercialising"),
        Status.withdrawn: _("Withdrawn"),
        Status.unpublished: _("Unpublished"),
    }
    return labels.get(status, status)


MACHINE: StateMachine[Initiative] = StateMachine(
    Initiative,
    TRANSITIONS.values(),
    label=status_label,
    invalid_message=lambda current, target, allowed: _(
        "An initiative in stage “%(current)s” cannot move to “%(target)s”. Allowed from here: %(allowed)s.",
        current=current,
        target=target,
        allowed=allowed,
    ),
    forbidden_message=lambda target: _(
        "You may not move this initiative to “%(target)s”.", target=target
    ),
)


def _is_status(value: str) -> bool:
    return value in Status.__members__.values()


def allowed_from(status: str) -> list[Status]:
    """Every target reachable from `status` by someone."""
    return [Status(s) for s in MACHINE.allowed_from(status)]


def available(user: User | None, initiative: Initiative) -> list[Transition]:
    """The transitions `user` may make now (pages show these as buttons)."""
    return MACHINE.available(user, initiative)


def check(
    session: Session,
    initiative: Initiative,
    to: Status | str,
    *,
    actor: User | None,
    reason: str | None = None,
) -> Transition:
    """The rule that lets `actor` move `initiative` to `to`, or the error `transition` would raise.

    Services call it before expensive work (validation, receipt numbers); `transition` calls it again.
    """
    return MACHINE.check(session, initiative, str(to), actor=actor, reason=reason, valid=_is_status)


def transition(
    session: Session,
    initiative: Initiative,
    to: Status | str,
    *,
    actor: User | None,
    reason: str | None = None,
) -> InitiativeEvent:
    """Move `initiative` to `to` if the table allows it for `actor`; record and queue its effects.

    Raises InvalidTransition (409, with `allowed` and `current` in problem+json),
    PermissionDenied (403) or ValidationFailed (422, errors["reason"]).
    """
    rule = check(session, initiative, to, actor=actor, reason=reason)
    current, target = rule.source, rule.target
    reason = (reason or "").strip() or None

    now = utcnow()
    initiative.status = target
    initiative.stage_entered_at = now
    initiative.updated_at = now
    if target == Status.published and initiative.published_at is None:
        initiative.published_at = now
    session.add(initiative)
    assert initiative.id is not None
    event = history.append(
        session,
        initiative_id=initiative.id,
        actor_id=actor.id if actor else None,
        from_status=current,
        to_status=target,
        reason=reason,
        fingerprint=initiative.fingerprint,
        at=now,
    )
    key = f"initiative:{initiative.id}"
    payloads: dict[str, dict[str, Any]] = {
        topics.INITIATIVE_TRANSITIONED: {
            "initiative_id": initiative.id,
            "from": str(current),
            "to": str(target),
            "actor_id": actor.id if actor else None,
            "reason": reason,
        },
        topics.INITIATIVE_PUBLISHED: {"initiative_id": initiative.id},
        topics.INITIATIVE_UNPUBLISHED: {"initiative_id": initiative.id, "reason": reason},
    }
    for topic in rule.topics:
        outbox.enqueue(session, topic, payloads[topic], key=key)
    return event


def queue_public_update(session: Session, initiative: Initiative) -> None:
    """Tell consumers (search, subscriptions) that a published initiative's public sections changed."""
    outbox.enqueue(
        session,
        topics.INITIATIVE_PUBLIC_UPDATED,
        {"initiative_id": initiative.id},
        key=f"initiative:{initiative.id}",
    )
