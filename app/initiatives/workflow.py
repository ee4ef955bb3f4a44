"""THE state machine of an initiative: the transition table and the one function that applies it.

Every status change, from any page, API endpoint, domain or job, goes through
`transition()`: it checks the table and the permission predicate, requires a
reason where the table says so, checks the transition's *requirement* (which
official step must carry the move, with what evidence), sets the status,
appends the hash-chained history entry and queues the side effects in the
caller's transaction.

Requirements (the stages nobody can skip):

| move | only through | refused with (problem type) |
|---|---|---|
| screening → in_review | joining a review round (`reviews.service.add_to_round`) | `needs-review-round` |
| in_review → selected / rejected | the decision verb (`reviews.decisions.decide`) with at least the round's wanted number of submitted reviews, or an override whose reason is recorded | `needs-decision`, `too-few-reviews` |
| in_review → returned_for_revision | the decision verb | `needs-decision` |
| selected / unpublished → published | the publication service (`publication.service.publish`, which issues the certificate) | `needs-publication` |

The verbs pass an `Evidence`; the generic "change the status" page and API pass none,
so they can only make the moves that are valid on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from app.accounts.models import User
from app.db import utcnow
from app.errors import InvalidTransition
from app.i18n import _, ngettext
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


class Via(StrEnum):
    """The official steps that alone may carry certain moves."""

    review_round = "review_round"
    decision = "decision"
    publication = "publication"


@dataclass(frozen=True)
class Evidence:
    """What the verb making a move vouches for: which step it is, and what that step found."""

    via: Via
    round_id: int | None = None
    submitted_reviews: int = 0
    minimum_reviews: int = 0
    override_reason: str | None = None


@dataclass(frozen=True)
class Requirement:
    """A move that only the step `via` may make; with `reviews`, also a minimum of reviews."""

    via: Via
    reviews: bool = False

    def check(self, evidence: Evidence | None) -> None:
        """Raise the documented InvalidTransition when `evidence` does not satisfy this."""
        if evidence is None or evidence.via != self.via:
            code, message = {
                Via.review_round: (
                    "needs-review-round",
                    _(
                        "An initiative enters review only by joining a review round: "
                        "add it to a round on the round's page."
                    ),
                ),
                Via.decision: (
                    "needs-decision",
                    _(
                        "After review, an initiative is selected, rejected or returned only by a "
                        "decision on the round's decision page."
                    ),
                ),
                Via.publication: (
                    "needs-publication",
                    _(
                        "An initiative is published only from the publication page, "
                        "which issues its certificate."
                    ),
                ),
            }[self.via]
            raise InvalidTransition(message, code=code, requires=str(self.via))
        if (
            self.reviews
            and evidence.submitted_reviews < evidence.minimum_reviews
            and not (evidence.override_reason or "").strip()
        ):
            raise InvalidTransition(
                ngettext(
                    "Only %(n)s of the %(minimum)s review this round wants is submitted. "
                    "Wait for it, or decide anyway and give the reason for the override.",
                    "Only %(n)s of the %(minimum)s reviews this round wants are submitted. "
                    "Wait for them, or decide anyway and give the reason for the override.",
                    evidence.minimum_reviews,
                    n=evidence.submitted_reviews,
                    minimum=evidence.minimum_reviews,
                ),
                code="too-few-reviews",
                errors={"override_reason": _("Give the reason for deciding with fewer reviews.")},
                submitted_reviews=evidence.submitted_reviews,
                minimum_reviews=evidence.minimum_reviews,
            )


def _t(
    source: Status,
    target: Status,
    allowed: Predicate,
    who: str,
    *,
    reason: bool = False,
    extra_topics: tuple[str, ...] = (),
    requires: Requirement | None = None,
) -> Transition:
    return Transition(
        source,
        target,
        allowed,
        who,
        reason,
        (topics.INITIATIVE_TRANSITIONED, *extra_topics),
        requires,
    )


_ROUND = Requirement(Via.review_round)
_DECISION = Requirement(Via.decision)
_DECISION_AFTER_REVIEWS = Requirement(Via.decision, reviews=True)
_PUBLICATION = Requirement(Via.publication)


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
        _t(S.screening, S.in_review, perms.can_screen, _COORDINATOR, requires=_ROUND),
        _t(S.screening, S.returned_for_revision, perms.can_screen, _COORDINATOR, reason=True),
        _t(
            S.in_review,
            S.returned_for_revision,
            perms.can_screen,
            _COORDINATOR,
            reason=True,
            requires=_DECISION,
        ),
        _t(S.screening, S.rejected, perms.can_screen, _COORDINATOR, reason=True),
        _t(
            S.in_review,
            S.rejected,
            perms.can_screen,
            _COORDINATOR,
            reason=True,
            requires=_DECISION_AFTER_REVIEWS,
        ),
        _t(
            S.in_review,
            S.selected,
            perms.can_screen,
            _COORDINATOR,
            requires=_DECISION_AFTER_REVIEWS,
        ),
        _t(
            S.selected,
            S.published,
            perms.can_screen,
            _COORDINATOR,
            extra_topics=(topics.INITIATIVE_PUBLISHED,),
            requires=_PUBLICATION,
        ),
        _t(
            S.unpublished,
            S.published,
            perms.can_screen,
            _COORDINATOR,
            extra_topics=(topics.INITIATIVE_PUBLISHED,),
            requires=_PUBLICATION,
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
    chain=history.CHAIN,
)


def _is_status(value: str) -> bool:
    return value in Status.__members__.values()


def allowed_from(status: str) -> list[Status]:
    """Every target reachable from `status` by someone."""
    return [Status(s) for s in MACHINE.allowed_from(status)]


def permitted(user: User | None, initiative: Initiative) -> list[Transition]:
    """Every transition `user` may make now, whatever step must carry it."""
    return MACHINE.available(user, initiative)


def available(user: User | None, initiative: Initiative) -> list[Transition]:
    """The moves `user` may make now on their own (pages show these as buttons)."""
    return [t for t in permitted(user, initiative) if t.requires is None]


def guided(user: User | None, initiative: Initiative) -> list[Transition]:
    """The moves `user` may make now only through their step (pages link to its page)."""
    return [t for t in permitted(user, initiative) if t.requires is not None]


def check(
    session: Session,
    initiative: Initiative,
    to: Status | str,
    *,
    actor: User | None,
    reason: str | None = None,
    evidence: Evidence | None = None,
) -> Transition:
    """The rule that lets `actor` move `initiative` to `to`, or the error `transition` would raise.

    Services call it before expensive work (validation, receipt numbers); `transition` calls it again.
    """
    return MACHINE.check(
        session,
        initiative,
        str(to),
        actor=actor,
        reason=reason,
        valid=_is_status,
        evidence=evidence,
    )


def transition(
    session: Session,
    initiative: Initiative,
    to: Status | str,
    *,
    actor: User | None,
    reason: str | None = None,
    evidence: Evidence | None = None,
) -> InitiativeEvent:
    """Move `initiative` to `to` if the table allows it for `actor`; record and queue its effects.

    Raises InvalidTransition (409, with `allowed` and `current` in problem+json; or with the
    requirement's code: `needs-review-round`, `needs-decision`, `too-few-reviews`,
    `needs-publication`), PermissionDenied (403) or ValidationFailed (422, errors["reason"]).
    An override of the minimum of reviews is recorded in the history entry's reason.
    """
    rule = check(session, initiative, to, actor=actor, reason=reason, evidence=evidence)
    current, target = rule.source, rule.target
    reason = (reason or "").strip() or None
    override = (evidence.override_reason or "").strip() if evidence else ""
    if (
        override
        and evidence is not None
        and evidence.submitted_reviews < evidence.minimum_reviews
        and isinstance(rule.requires, Requirement)
        and rule.requires.reviews
    ):
        note = ngettext(
            "Decided with %(n)s of %(minimum)s review. Reason for the override: %(why)s",
            "Decided with %(n)s of %(minimum)s reviews. Reason for the override: %(why)s",
            evidence.minimum_reviews,
            n=evidence.submitted_reviews,
            minimum=evidence.minimum_reviews,
            why=override,
        )
        reason = f"{reason}\n\n{note}" if reason else note

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
