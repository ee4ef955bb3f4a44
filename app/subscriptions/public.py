"""The public facts about an initiative that subscription mails and feeds may show.

Only fields in `app.initiatives.visibility.PUBLIC_FIELDS` are read here, and
only for initiatives that are published now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

from sqlmodel import Session, col, or_, select

from app.accounts.models import Organisation
from app.catalogue.service import public_url
from app.config import get_settings
from app.i18n import get_language
from app.initiatives.models import CoAuthor, Field, Initiative
from app.initiatives.workflow import PUBLISHED_STATES

SUMMARY_CHARS = 400


@dataclass(frozen=True)
class PublicInitiative:
    """What a mail or feed shows of a published initiative, or of an opened problem statement
    (`kind` "problem", built by `app.subscriptions.problems.view`: `published_at` is when it
    opened, `author` the posting organisation)."""

    id: int
    title: str
    summary: str
    url: str
    field: str | None
    province: str | None
    author: str
    published_at: datetime
    kind: str = "initiative"  # initiative | problem


def is_published(initiative: Initiative | None) -> TypeGuard[Initiative]:
    return initiative is not None and initiative.status in PUBLISHED_STATES


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"


def view(session: Session, initiative: Initiative) -> PublicInitiative:
    field = (
        session.get(Field, initiative.subfield_id or initiative.field_id)
        if initiative.field_id
        else None
    )
    organisation = (
        session.get(Organisation, initiative.organisation_id)
        if initiative.organisation_id
        else None
    )
    if organisation is not None:
        author = organisation.name
    else:
        names = session.exec(
            select(CoAuthor.full_name)
            .where(CoAuthor.initiative_id == initiative.id)
            .order_by(col(CoAuthor.position))
        ).all()
        author = ", ".join(names) or get_settings().mail_from.split("<")[0].strip()
    return PublicInitiative(
        id=initiative.id,
        title=initiative.title,
        summary=_short(initiative.summary),
        url=f"{get_settings().base_url}{public_url(initiative.id)}",
        field=field.name(get_language()) if field else None,
        province=initiative.province,
        author=author,
        published_at=initiative.published_at or initiative.updated_at,
    )


def field_codes(session: Session, initiative: Initiative) -> set[str]:
    ids = [i for i in (initiative.field_id, initiative.subfield_id) if i]
    return set(session.exec(select(Field.code).where(col(Field.id).in_(ids)))) if ids else set()


def latest(session: Session, *, field_code: str | None = None, limit: int = 50) -> list[Initiative]:
    """The most recently published initiatives, optionally of one field or sub-field."""
    query = select(Initiative).where(col(Initiative.status).in_([str(s) for s in PUBLISHED_STATES]))
    if field_code is not None:
        field_ids = select(Field.id).where(Field.code == field_code)
        query = query.where(
            or_(col(Initiative.field_id).in_(field_ids), col(Initiative.subfield_id).in_(field_ids))
        )
    query = query.order_by(col(Initiative.published_at).desc(), col(Initiative.id).desc()).limit(
        limit
    )
    return list(session.exec(query))
