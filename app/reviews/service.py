"""Review rounds and reviewer assignment.

A reviewer's answer to an invitation lives in invitations.py, scoring in reviewing.py,
ranking in ranking.py, decisions in decisions.py; rubrics in rubrics.py. Every verb takes the session first,
checks permissions and states, and never commits.

Reviewers and coordinators are told about invitations, reminders, overdue
reviews and closing rounds through the outbox topics (app/outbox/topics.py); the
notifications domain turns them into mails and inbox entries by each
person's chosen channel (the decision mail, mandatory, is sent by decisions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import Role, RoleGrant, User
from app.db import utcnow
from app.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from app.i18n import _, ngettext
from app.initiatives import workflow
from app.initiatives.models import Field, Initiative
from app.outbox import service as outbox
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.reviews import assignment as matching
from app.reviews import conflicts, rubrics
from app.reviews import permissions as perms
from app.reviews.models import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_ASSIGNMENT_STATES,
    Assignment,
    AssignmentMethod,
    ReviewRound,
    RoundItem,
    RoundStatus,
)
from app.reviews.schemas import RoundIn

# How long before its due date the reviewers still at work hear that a round closes soon.
CLOSING_NOTICE = timedelta(days=2)


def _require_coordinator(actor: User | None) -> None:
    if not perms.can_manage_reviews(actor):
        raise PermissionDenied(_("Only coordinators manage review rounds."))


# -- rounds ------------------------------------------------------------------
def get_round(session: Session, round_id: int) -> ReviewRound:
    found = session.get(ReviewRound, round_id)
    if found is None:
        raise NotFound(_("No such review round."))
    return found


def list_rounds(session: Session) -> list[ReviewRound]:
    return list(
        session.exec(
            select(ReviewRound).order_by(
                col(ReviewRound.created_at).desc(), col(ReviewRound.id).desc()
            )
        )
    )


def round_initiatives(session: Session, round: ReviewRound) -> list[Initiative]:
    return list(
        session.exec(
            select(Initiative)
            .join(RoundItem, col(RoundItem.initiative_id) == col(Initiative.id))
            .where(RoundItem.round_id == round.id)
            .order_by(col(Initiative.id))
        )
    )


def in_round(session: Session, round: ReviewRound, initiative_id: int) -> bool:
    return (
        session.exec(
            select(RoundItem.id).where(
                RoundItem.round_id == round.id, RoundItem.initiative_id == initiative_id
            )
        ).first()
        is not None
    )


def screening_initiatives(session: Session) -> list[Initiative]:
    """Initiatives a coordinator can put into a round now."""
    return list(
        session.exec(
            select(Initiative)
            .where(Initiative.status == workflow.Status.screening)
            .order_by(col(Initiative.submitted_at), col(Initiative.id))
        )
    )


def open_round(session: Session, actor: User, data: RoundIn) -> ReviewRound:
    """Create the round and move each initiative from screening to in_review (one transaction)."""
    _require_coordinator(actor)
    rubric = (
        rubrics.get(session, data.rubric_id) if data.rubric_id else rubrics.default_rubric(session)
    )
    if data.due_at <= utcnow():
        raise ValidationFailed(
            _("The due date must be in the future."),
            errors={"due_at": _("Choose a date in the future.")},
        )
    created = ReviewRound(
        name=data.name,
        rubric_id=rubric.id,
        due_at=data.due_at,
        reviews_wanted=data.reviews_wanted,
        blind=data.blind,
        max_load=data.max_load,
        disagreement_threshold=data.disagreement_threshold,
        created_by_id=actor.id,
    )
    session.add(created)
    session.flush()
    add_to_round(session, actor, created, data.initiative_ids)
    return created


def add_to_round(
    session: Session, actor: User, round: ReviewRound, initiative_ids: list[int]
) -> None:
    _require_coordinator(actor)
    if round.status != RoundStatus.open:
        raise Conflict(_("This round is closed."))
    for iid in dict.fromkeys(initiative_ids):
        initiative = session.get(Initiative, iid)
        if initiative is None:
            raise ValidationFailed(
                _("No initiative with number %(id)s.", id=iid),
                errors={"initiative_ids": _("No initiative with number %(id)s.", id=iid)},
            )
        if in_round(session, round, iid):
            if initiative.status == workflow.Status.in_review:
                continue
            raise ValidationFailed(
                _(
                    "“%(title)s” was already reviewed in this round: open a new round for it.",
                    title=initiative.title,
                ),
                errors={"initiative_ids": _("Already reviewed in this round.")},
            )
        try:
            workflow.transition(
                session,
                initiative,
                workflow.Status.in_review,
                actor=actor,
                reason=_("Review round: %(name)s", name=round.name),
                evidence=workflow.Evidence(workflow.Via.review_round, round_id=round.id),
            )
        except InvalidTransition:
            raise ValidationFailed(
                _(
                    "“%(title)s” is not in screening and cannot be reviewed now.",
                    title=initiative.title,
                ),
                errors={"initiative_ids": _("Only initiatives in screening can enter a round.")},
            ) from None
        session.add(RoundItem(round_id=round.id, initiative_id=iid))
    session.flush()


def close_round(session: Session, actor: User, round: ReviewRound) -> ReviewRound:
    """No more scoring or editing; open invitations lapse from reminders; the reviewers are told.

    Closing a closed round changes nothing (and tells nobody again).
    """
    _require_coordinator(actor)
    if round.status == RoundStatus.closed:
        return round
    round.status, round.closed_at = RoundStatus.closed, utcnow()
    session.add(round)
    outbox.enqueue(
        session,
        topics.REVIEW_ROUND_CLOSING,
        {"round_id": round.id, "notice": "closed"},
        key=f"round-closing:{round.id}",
    )
    return round


def _closing_key(round: ReviewRound) -> str:
    return f"round-closing-soon:{round.id}:{round.due_at.strftime('%Y%m%dT%H%M')}"


def announce_closing_rounds(session: Session) -> int:
    """Queue one "closes soon" notice per open round due within CLOSING_NOTICE; how many were queued.

    Idempotent without a column of its own: the queued outbox event (with its
    `created_at`) is the record, keyed by the round and its due date, so the
    hourly job queues nothing twice, while a round whose due date is moved
    gets a fresh notice for the new date.
    """
    now = utcnow()
    due = session.exec(
        select(ReviewRound)
        .where(
            ReviewRound.status == RoundStatus.open,
            ReviewRound.due_at > now,
            ReviewRound.due_at <= now + CLOSING_NOTICE,
        )
        .order_by(col(ReviewRound.id))
    ).all()
    queued = 0
    for round in due:
        key = _closing_key(round)
        done_before = session.exec(
            select(OutboxEvent.id).where(
                OutboxEvent.topic == topics.REVIEW_ROUND_CLOSING,
                col(OutboxEvent.key).endswith(f":{key}", autoescape=True),
            )
        ).first()
        if done_before is None and outbox.enqueue(
            session,
            topics.REVIEW_ROUND_CLOSING,
            {"round_id": round.id, "notice": "closes_soon"},
            key=key,
        ):
            queued += 1
    return queued


# -- reviewers, load and matching ----------------------------------------------
def reviewers(session: Session) -> list[User]:
    granted = select(RoleGrant.user_id).where(
        col(RoleGrant.role) == Role.reviewer, col(RoleGrant.revoked_at).is_(None)
    )
    return list(
        session.exec(
            select(User)
            .where(col(User.id).in_(granted), col(User.is_active).is_(True))
            .order_by(col(User.id))
        )
    )


def open_load(session: Session, reviewer_ids: list[int] | None = None) -> dict[int, int]:
    """Invited or accepted (not yet submitted) reviews per reviewer, in open rounds."""
    query = (
        select(Assignment.reviewer_id, func.count())
        .join(ReviewRound, col(ReviewRound.id) == col(Assignment.round_id))
        .where(
            col(Assignment.status).in_(list(OPEN_ASSIGNMENT_STATES)),
            ReviewRound.status == RoundStatus.open,
        )
        .group_by(col(Assignment.reviewer_id))
    )
    if reviewer_ids is not None:
        query = query.where(col(Assignment.reviewer_id).in_(reviewer_ids))
    return dict(session.exec(query).all())


def _field_codes(session: Session) -> dict[str, str]:
    """Folded code or name of every field → its code (reviewers may list either)."""
    from search.text import fold

    codes: dict[str, str] = {}
    for row in session.exec(select(Field)):
        for label in (row.code, row.name_vi, row.name_en):
            codes[fold(label)] = row.code
    return codes


def expertise_of(user: User, field_codes: dict[str, str]) -> matching.Expertise:
    from search.text import fold

    fields = tuple(field_codes.get(fold(f), f) for f in user.expertise_fields)
    return matching.Expertise(user.id, tuple(user.expertise_keywords), fields)


def subject_of(session: Session, initiative: Initiative) -> matching.Subject:
    field = session.get(Field, initiative.field_id) if initiative.field_id else None
    return matching.Subject(
        initiative.id,
        tuple(initiative.keywords),
        field.code if field else None,
        f"{initiative.title} {initiative.summary}",
    )


def closeness_of(
    people: list[User], subjects: list[matching.Subject]
) -> dict[tuple[int, int], float]:
    """Embedding cosines of each reviewer's expertise with each initiative (empty without a
    model): the semantic part of the match (`app.matching.recommend.closeness`)."""
    from app.matching import recommend

    expertise = {p.id: ", ".join(p.expertise_keywords) for p in people}
    texts = {s.initiative_id: "\n".join((s.text, ", ".join(s.keywords))).strip() for s in subjects}
    return recommend.closeness(expertise, texts)


@dataclass(frozen=True)
class CandidateView:
    reviewer: User
    match: matching.Match
    load: int
    conflicts: list[str]
    assignment: Assignment | None


def candidates(session: Session, round: ReviewRound, initiative: Initiative) -> list[CandidateView]:
    """Every reviewer for the manual assignment page: match, open load, conflicts, current status."""
    people = reviewers(session)
    load = open_load(session)
    found = conflicts.detect_many(session, people, [initiative.id])
    codes = _field_codes(session)
    subject = subject_of(session, initiative)
    existing = {a.reviewer_id: a for a in assignments_for(session, round, initiative.id)}
    near = closeness_of(people, [subject])
    views = [
        CandidateView(
            p,
            matching.match(expertise_of(p, codes), subject, near.get((p.id, initiative.id))),
            load.get(p.id, 0),
            found.get((p.id, initiative.id), []),
            existing.get(p.id),
        )
        for p in people
    ]
    return sorted(views, key=lambda v: (bool(v.conflicts), -v.match.score, v.reviewer.id))


def assignments_for(
    session: Session, round: ReviewRound, initiative_id: int | None = None
) -> list[Assignment]:
    query = select(Assignment).where(Assignment.round_id == round.id)
    if initiative_id is not None:
        query = query.where(Assignment.initiative_id == initiative_id)
    return list(session.exec(query.order_by(col(Assignment.initiative_id), col(Assignment.id))))


def _invite(
    session: Session,
    round: ReviewRound,
    initiative: Initiative,
    reviewer: User,
    actor: User,
    method: AssignmentMethod,
    match: matching.Match,
    load_after: int,
) -> Assignment:
    row = Assignment(
        round_id=round.id,
        initiative_id=initiative.id,
        reviewer_id=reviewer.id,
        method=method,
        match_score=round_score(match.score),
        explanation=match.explanation(load_after, round.max_load),
        assigned_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    outbox.enqueue(
        session, topics.REVIEW_INVITED, {"assignment_id": row.id}, key=f"review-invitation:{row.id}"
    )
    return row


def round_score(value: float) -> float:
    return round(value, 4)


def assign(
    session: Session, actor: User, round: ReviewRound, initiative: Initiative, reviewer: User
) -> Assignment:
    """Invite one reviewer by hand; refused for conflicts, full load, non-reviewers and duplicates."""
    _require_coordinator(actor)
    if round.status != RoundStatus.open:
        raise Conflict(_("This round is closed."))
    if not in_round(session, round, initiative.id):
        raise NotFound(_("This initiative is not in the round."))
    if not perms.is_reviewer(reviewer):
        raise ValidationFailed(
            _("%(name)s is not a reviewer.", name=reviewer.full_name),
            errors={"reviewer_id": _("Choose a reviewer.")},
        )
    reasons = conflicts.detect(session, reviewer, initiative)
    if reasons:
        raise Conflict(
            _(
                "%(name)s has a conflict of interest: %(reasons)s.",
                name=reviewer.full_name,
                reasons="; ".join(conflicts.reason_label(r) for r in reasons),
            ),
            code="conflict-of-interest",
            conflicts=reasons,
        )
    previous = session.exec(
        select(Assignment).where(
            Assignment.round_id == round.id,
            Assignment.initiative_id == initiative.id,
            Assignment.reviewer_id == reviewer.id,
        )
    ).first()
    if previous is not None:
        raise Conflict(
            _(
                "%(name)s was already invited to review this initiative in this round.",
                name=reviewer.full_name,
            )
        )
    load = open_load(session, [reviewer.id]).get(reviewer.id, 0)
    if load >= round.max_load:
        raise Conflict(
            ngettext(
                "%(name)s already has %(n)s open review (the maximum is %(max)s).",
                "%(name)s already has %(n)s open reviews (the maximum is %(max)s).",
                load,
                name=reviewer.full_name,
                n=load,
                max=round.max_load,
            ),
            code="load-exceeded",
        )
    found = matching.match(
        expertise_of(reviewer, _field_codes(session)), subject_of(session, initiative)
    )
    return _invite(
        session, round, initiative, reviewer, actor, AssignmentMethod.manual, found, load + 1
    )


@dataclass(frozen=True)
class AutoResult:
    created: list[Assignment]
    under_covered: dict[int, int]  # initiative id -> slots still open


def auto_assign(
    session: Session, actor: User, round: ReviewRound, initiative_ids: list[int] | None = None
) -> AutoResult:
    """Fill every open slot of the round (or of the given initiatives) as well as capacity allows.

    A declined invitation frees its slot; the reviewer who declined is not proposed again.
    """
    _require_coordinator(actor)
    if round.status != RoundStatus.open:
        raise Conflict(_("This round is closed."))
    items = [
        i
        for i in round_initiatives(session, round)
        if (initiative_ids is None or i.id in initiative_ids)
        and i.status == workflow.Status.in_review
    ]
    people = reviewers(session)
    load = open_load(session)
    codes = _field_codes(session)
    needs = []
    for item in items:
        existing = assignments_for(session, round, item.id)
        active = sum(1 for a in existing if a.status in ACTIVE_ASSIGNMENT_STATES)
        needs.append(
            matching.Need(
                subject_of(session, item),
                round.reviews_wanted - active,
                frozenset(a.reviewer_id for a in existing),
            )
        )
    found = conflicts.detect_many(session, people, [i.id for i in items])
    result = matching.plan(
        needs,
        [matching.Candidate(expertise_of(p, codes), load.get(p.id, 0)) for p in people],
        set(found),
        round.max_load,
        closeness_of(people, [n.subject for n in needs]),
    )
    by_id = {p.id: p for p in people}
    by_item = {i.id: i for i in items}
    created = [
        _invite(
            session,
            round,
            by_item[p.initiative_id],
            by_id[p.reviewer_id],
            actor,
            AssignmentMethod.auto,
            p.match,
            p.load_after,
        )
        for p in result.proposals
    ]
    return AutoResult(created, dict(result.missing))
