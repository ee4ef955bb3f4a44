"""Sign-in and account-mail throttling: counted attempts per key, locks, mail allowances.

A key is `email:<address>` (an account), `ip:<address>` (a client) or `mail:<address>`
(account mails). Counts live in `login_throttle`; on PostgreSQL each statement
commits on its own, beside the request (`_throttle_execute`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, case, delete, literal, null, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import Executable
from sqlmodel import Session, select

from app.accounts.models import LoginThrottle, User
from app.config import get_settings
from app.db import UTCDateTime, autocommit_engine, utcnow
from app.errors import TooManyRequests
from app.i18n import ngettext

# Many people can share one address (offices, NAT), so it gets a larger allowance.
IP_FAILURE_FACTOR = 5
# Verification and reset mails per address and lock window (the rest are dropped silently).
MAILS_PER_WINDOW = 5


def _limit(key: str) -> int:
    return get_settings().login_max_failures * (IP_FAILURE_FACTOR if key.startswith("ip:") else 1)


def _window() -> timedelta:
    return timedelta(seconds=get_settings().login_lock_seconds)


def _throttle_execute(session: Session, statement: Executable) -> list[tuple[Any, ...]]:
    """Run a throttle statement; on PostgreSQL committed on its own, beside the request.

    In the request's transaction the key's row stayed locked until the request
    committed, so every sign-in from one address (an office behind one gateway)
    waited for the previous one's argon2 verification. SQLite writes one
    transaction at a time whatever is done, so the statement joins the request's.
    """

    def rows(result: CursorResult[Any]) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in result.all()] if result.returns_rows else []

    if session.get_bind().dialect.name != "postgresql":
        return rows(cast(CursorResult[Any], session.execute(statement)))
    with autocommit_engine(session.get_bind()).connect() as conn:
        return rows(cast(CursorResult[Any], conn.execute(statement)))


def _bump(session: Session, key: str) -> tuple[int, datetime | None]:
    """Count one more attempt for `key`, atomically: (attempts in this window, locked until).

    One INSERT … ON CONFLICT DO UPDATE on both databases: concurrent attempts never
    collide on the row (no unique violation) and each sees its own count. On
    PostgreSQL it is committed on its own (`_throttle_execute`), so the row is not
    held while the password is verified.
    """
    now = utcnow()
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # A new window once the old one is over, or once a lock has ended.
    stale = or_(
        table.c.window_start < now - _window(),
        and_(table.c.locked_until.is_not(None), table.c.locked_until <= now),
    )
    at_now = literal(now, UTCDateTime())
    statement = (
        insert(table)
        .values(key=key, failures=1, window_start=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "window_start": case((stale, at_now), else_=table.c.window_start),
                "locked_until": case((stale, null()), else_=table.c.locked_until),
            },
        )
        .returning(table.c.failures, table.c.locked_until)
    )
    [(failures, locked_until)] = _throttle_execute(session, statement)
    cached = session.identity_map.get(session.identity_key(LoginThrottle, key))
    if cached is not None:
        session.expire(cached)  # its row was changed behind the ORM's back
    return failures, locked_until


def _refuse(until: datetime) -> TooManyRequests:
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    return TooManyRequests(
        ngettext(
            "Too many failed sign-ins. Try again in %(n)s minute.",
            "Too many failed sign-ins. Try again in %(n)s minutes.",
            minutes,
            n=minutes,
        )
    )


def _counted_in_advance(key: str) -> bool:
    """An account's attempts are counted before the password is checked; an address's
    only when they fail. Counted in advance, a burst of parallel wrong passwords for one
    account checks exactly the limit; but everyone behind one gateway signing in at
    once would count against each other while their passwords are being checked."""
    return not key.startswith("ip:")


def reserve_attempts(session: Session, keys: list[str]) -> None:
    """Count a sign-in attempt on every account key before the password is checked.

    Refused (429) while a key is locked, or when this attempt would exceed an account
    key's limit: of a burst of parallel wrong passwords exactly the limit get checked.
    """
    now = utcnow()
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    for key in keys:
        if _counted_in_advance(key):
            failures, locked_until = _bump(session, key)
        else:
            row = session.execute(
                select(table.c.failures, table.c.locked_until).where(table.c.key == key)
            ).one_or_none()
            failures, locked_until = row if row is not None else (0, None)
        if locked_until and locked_until > now:
            raise _refuse(locked_until)
        if failures > _limit(key):
            raise _refuse(now + _window())


def record_failure(session: Session, keys: list[str]) -> None:
    """The attempt failed: counted on the address too; a key at its limit is locked."""
    now = utcnow()
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    for key in keys:
        if not _counted_in_advance(key):
            _bump(session, key)
        _throttle_execute(
            session,
            update(table)
            .where(table.c.key == key, table.c.failures >= _limit(key))
            .values(locked_until=now + _window(), window_start=now),
        )


def mail_allowed(session: Session, user: User) -> bool:
    """Count account mails per window, so the forms cannot be used to flood a mailbox."""
    failures, _locked = _bump(session, f"mail:{user.email}")
    return failures <= MAILS_PER_WINDOW


def clear_failures(session: Session, keys: list[str]) -> None:
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    _throttle_execute(session, delete(table).where(table.c.key.in_(keys)))
