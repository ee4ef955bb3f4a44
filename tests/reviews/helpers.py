"""Arranging review scenarios: a coordinator, reviewers, initiatives in screening, rounds."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.accounts.models import Role, User
from app.db import utcnow
from app.initiatives.models import Initiative
from app.reviews import invitations, reviewing, service
from app.reviews.models import Assignment, ReviewRound
from app.reviews.schemas import ReviewIn, RoundIn, ScoreIn
from tests import factories
from tests.initiatives import helpers as initiatives

CODES = ("novelty", "breakthrough", "feasibility", "impact", "resources")


def reviewer(session: Session, name: str = "Chuyên Gia", **profile) -> User:
    return factories.user(session, Role.reviewer, full_name=name, **profile)


def coordinator(session: Session) -> User:
    return factories.user(session, Role.coordinator, full_name="Phạm Điều Phối")


def screened(session: Session, submitter: User | None = None, **fields) -> Initiative:
    submitter = submitter or factories.user(session, Role.submitter, full_name="Trần Thị Bình")
    return initiatives.initiative(session, submitter, status="screening", **fields)


def open_round(session: Session, actor: User, items: list[Initiative], **options) -> ReviewRound:
    data = RoundIn(
        name=options.pop("name", "Đợt 1"),
        due_at=options.pop("due_at", utcnow() + timedelta(days=14)),
        initiative_ids=[i.id for i in items],
        **options,
    )
    created = service.open_round(session, actor, data)
    session.commit()
    return created


def cleared(
    session: Session, round: ReviewRound, initiative: Initiative, person: User, actor: User
) -> Assignment:
    """Assigned, accepted with no conflict declared, confidentiality accepted."""
    row = service.assign(session, actor, round, initiative, person)
    invitations.accept(session, person, row)
    invitations.accept_confidentiality(session, person, row)
    session.commit()
    return row


def scores(*values: float, recommendation: str = "select", comment: str = "") -> ReviewIn:
    return ReviewIn(
        scores=[
            ScoreIn(criterion=c, score=v, justification=f"Lý do {c}")
            for c, v in zip(CODES, values, strict=False)
        ],
        recommendation=recommendation,
        comments_for_submitter=comment,
    )


def submit(session: Session, person: User, row: Assignment, *values: float, comment: str = ""):
    review = reviewing.save(session, person, row, scores(*values, comment=comment), submit=True)
    session.commit()
    return review


def screened_in(session: Session, actor: User, round: ReviewRound, **fields) -> Initiative:
    """A further initiative added to an open round."""
    item = screened(session, **fields)
    service.add_to_round(session, actor, round, [item.id])
    session.commit()
    return item
