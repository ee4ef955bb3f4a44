"""Lists: the submitter's dashboard and the coordinator's inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.accounts.models import Organisation, User
from app.db import utcnow
from app.i18n import _
from app.initiatives.models import CoAuthor, Initiative, InitiativeEvent
from app.initiatives.workflow import Status

INBOX_DEFAULT_STATES = (Status.submitted, Status.screening)


def next_step(initiative: Initiative) -> str:
    """What the submitter is expected to do next, in words."""
    steps: dict[str, str] = {
        Status.draft: _("Complete the sections and submit."),
        Status.returned_for_revision: _("Revise the initiative as requested and submit it again."),
        Status.submitted: _("Nothing for now: the coordinators will screen it."),
        Status.screening: _("Nothing for now: the coordinators are checking it."),
        Status.in_review: _("Nothing for now: experts are reviewing it."),
        Status.selected: _("Nothing for now: it will be published."),
        Status.published: _("Answer contact requests; tell us when commercialisation starts."),
        Status.commercialising: _("Keep the information about its use up to date."),
    }
    return steps.get(initiative.status, _("Nothing: this initiative is closed."))


def last_reason(session: Session, initiative_id: int, status: str) -> InitiativeEvent | None:
    """The latest entry moving to `status` (e.g. the coordinator's revision request)."""
    return session.exec(
        select(InitiativeEvent)
        .where(InitiativeEvent.initiative_id == initiative_id, InitiativeEvent.to_status == status)
        .order_by(col(InitiativeEvent.seq).desc())
        .limit(1)
    ).first()


def mine(session: Session, user: User) -> list[Initiative]:
    """Initiatives the user submitted or co-authors, newest change first."""
    coauthored = select(CoAuthor.initiative_id).where(CoAuthor.user_id == user.id)
    return list(
        session.exec(
            select(Initiative)
            .where(or_(col(Initiative.submitter_id) == user.id, col(Initiative.id).in_(coauthored)))
            .order_by(col(Initiative.updated_at).desc())
        )
    )


# Longer than any initiative can have waited; a larger number would overflow the date.
MAX_DAYS_IN_STAGE = 3650


@dataclass(frozen=True)
class InboxFilters:
    status: str | None = None
    field_id: int | None = None
    province: str | None = None
    organisation_type: str | None = None
    min_days_in_stage: int | None = None


def inbox(
    session: Session, filters: InboxFilters, *, now: datetime | None = None, limit: int = 500
) -> list[Initiative]:
    """Submitted initiatives for coordinators, oldest in stage first. Drafts are never listed."""
    query = select(Initiative).where(Initiative.status != Status.draft)
    if filters.status:
        query = query.where(Initiative.status == filters.status)
    else:
        query = query.where(col(Initiative.status).in_(list(INBOX_DEFAULT_STATES)))
    if filters.field_id:
        query = query.where(Initiative.field_id == filters.field_id)
    if filters.province:
        query = query.where(Initiative.province == filters.province)
    if filters.organisation_type:
        query = query.join(
            Organisation, col(Organisation.id) == col(Initiative.organisation_id)
        ).where(col(Organisation.type) == filters.organisation_type)
    if filters.min_days_in_stage:
        days = min(filters.min_days_in_stage, MAX_DAYS_IN_STAGE)
        cutoff = (now or utcnow()) - timedelta(days=days)
        query = query.where(Initiative.stage_entered_at <= cutoff)
    return list(
        session.exec(
            query.order_by(col(Initiative.stage_entered_at), col(Initiative.id)).limit(limit)
        )
    )


def days_in_stage(initiative: Initiative, now: datetime | None = None) -> int:
    return max(0, ((now or utcnow()) - initiative.stage_entered_at).days)
