"""What a signed-in person viewed (use 3's third source of interests), private to them.

`record` is called by the catalogue when a SIGNED-IN person opens a published initiative's
public page or API record: one row per (person, initiative), upserted with the newest time
(one INSERT … ON CONFLICT DO UPDATE on SQLite and PostgreSQL, so two tabs never collide),
and only the newest `KEEP` rows per person are kept. Anonymous visitors are never logged:
their pages come from the page cache (`app/web/page_cache.py`) and carry no user.

Only the owner reads or clears the history (`permissions.can_see_viewing_history`); it is
used for nothing but their own "Gợi ý cho bạn", and goes with the account (ON DELETE CASCADE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, delete, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import PermissionDenied
from app.i18n import _
from app.initiatives.models import Initiative
from app.initiatives.workflow import PUBLISHED_STATES
from app.matching import permissions as perms
from app.matching.models import InitiativeView

KEEP = 50  # rows per person; the oldest go
SEEDS = 10  # the newest views that feed the suggestions


def record(session: Session, user: User | None, initiative: Initiative) -> None:
    """Note that `user` viewed a published `initiative` now (nothing for a visitor)."""
    if user is None or user.id is None or initiative.id is None:
        return
    if initiative.status not in PUBLISHED_STATES:
        return
    table = InitiativeView.__table__  # type: ignore[attr-defined]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    statement = (
        insert(table)
        .values(user_id=user.id, initiative_id=initiative.id, viewed_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.initiative_id],
            set_={"viewed_at": now},
        )
    )
    session.execute(statement)
    newest = (
        select(InitiativeView.initiative_id)
        .where(InitiativeView.user_id == user.id)
        .order_by(col(InitiativeView.viewed_at).desc(), col(InitiativeView.initiative_id).desc())
        .limit(KEEP)
    )
    session.execute(
        delete(InitiativeView).where(
            col(InitiativeView.user_id) == user.id,
            col(InitiativeView.initiative_id).not_in(newest.scalar_subquery()),
        )
    )


def viewed_ids(session: Session, user: User, limit: int = SEEDS) -> list[int]:
    """The initiatives `user` viewed most recently, newest first (for their own seeds)."""
    return list(
        session.exec(
            select(InitiativeView.initiative_id)
            .where(InitiativeView.user_id == user.id)
            .order_by(
                col(InitiativeView.viewed_at).desc(), col(InitiativeView.initiative_id).desc()
            )
            .limit(limit)
        ).all()
    )


@dataclass(frozen=True)
class Viewed:
    id: int
    title: str
    url: str
    viewed_at: datetime


def history(session: Session, viewer: User | None, owner: User) -> list[Viewed]:
    """`owner`'s viewing history, newest first, for `owner` alone; initiatives no longer
    published are left out (their rows stay until cleared or pushed out)."""
    if not perms.can_see_viewing_history(viewer, owner):
        raise PermissionDenied(_("Only you can see what you viewed."))
    rows = session.exec(
        select(InitiativeView, Initiative)
        .join(Initiative, col(Initiative.id) == col(InitiativeView.initiative_id))
        .where(
            InitiativeView.user_id == owner.id,
            col(Initiative.status).in_([str(s) for s in PUBLISHED_STATES]),
        )
        .order_by(col(InitiativeView.viewed_at).desc(), col(InitiativeView.initiative_id).desc())
    ).all()
    return [
        Viewed(i.id, i.title, f"/catalogue/{i.id}", v.viewed_at)
        for v, i in rows
        if i.id is not None
    ]


def clear(session: Session, viewer: User | None, owner: User) -> int:
    """Forget everything `owner` viewed; returns how many rows went."""
    if not perms.can_see_viewing_history(viewer, owner):
        raise PermissionDenied(_("Only you can clear what you viewed."))
    found = session.exec(select(InitiativeView).where(InitiativeView.user_id == owner.id)).all()
    for row in found:
        session.delete(row)
    session.flush()
    return len(found)
