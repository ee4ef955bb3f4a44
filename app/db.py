"""Database engine, naming convention, column types and the unit of work.

One transaction per request or job: `unit_of_work()` opens a session, yields
it, commits once at the end (or rolls back on error) and then wakes the
outbox worker so side effects queued in that transaction run after commit.
Services receive the session and never commit.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, PostgreSQL does; this type makes both behave the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_engines: dict[str, Engine] = {}


def make_engine(url: str) -> Engine:
    """One engine per URL for the process (SQLite gets WAL and foreign keys)."""
    if url in _engines:
        return _engines[url]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        # pysqlite opens a transaction only before a write, so reads outside
        # one see the latest commit, as PostgreSQL's READ COMMITTED does. The
        # price: SAVEPOINTs (begin_nested) are unreliable there; none are used.
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20)
        ping_when_idle(engine)
    _engines[url] = engine
    return engine


_autocommit_engines: dict[str, Engine] = {}


def autocommit_engine(bind: Engine | Connection) -> Engine:
    """Autocommit connections beside the request pool, for a one-statement counter.

    A row bumped in the request's transaction stays locked until that request
    commits, so concurrent requests queue behind each other for their whole
    length; bumped here, it is locked for one statement. The pool is its own
    (a request holding its connection never waits for a second one from the
    request pool) and its statements wait for nothing else, so it cannot deadlock.
    """
    url = bind.engine.url.render_as_string(hide_password=False)
    if url not in _autocommit_engines:
        engine = create_engine(url, pool_size=2, max_overflow=8, isolation_level="AUTOCOMMIT")
        ping_when_idle(engine)
        _autocommit_engines[url] = engine
    return _autocommit_engines[url]


IDLE_PING_AFTER = 10.0  # seconds a pooled connection rests before it is asked whether it lives


def ping_when_idle(engine: Engine) -> None:
    """Ask the server whether a pooled connection still lives when it has rested a while.

    `pool_pre_ping` asks on every checkout: one more round trip per request and per
    receipt number (about 4 % of a submission's time under load). A connection checked
    in less than `IDLE_PING_AFTER` seconds ago was working then; one that rested longer
    (a database restarted overnight, a proxy's idle timeout) is asked, and replaced if it
    does not answer (SQLAlchemy's pessimistic recipe: `DisconnectionError` in `checkout`).
    A server restarted within those seconds fails one statement per pooled connection;
    SQLAlchemy then invalidates the pool, as it does without any ping.
    """

    @event.listens_for(engine, "checkin")
    def _resting(dbapi_connection: Any, record: Any) -> None:
        record.info["rests_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("rests_since")  # none: connected just now
        if since is None or time.monotonic() - since < IDLE_PING_AFTER:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"a resting connection did not answer: {exc}") from exc


def dispose_engines() -> None:
    for engine in [*_engines.values(), *_autocommit_engines.values()]:
        engine.dispose()
    _engines.clear()
    _autocommit_engines.clear()


_after_commit_hooks: list = []


def on_commit(hook) -> None:
    """Register a callable run after every successful unit of work (e.g. wake the worker)."""
    _after_commit_hooks.append(hook)


def transaction_memo(session: Session, name: str) -> dict[Any, Any]:
    """A dict in `session.info` that lives as long as the session's current transaction.

    For what a transaction has taken or done and need not repeat: a row lock it holds,
    a notification it sent. A commit, a rollback or a savepoint (begun, released or
    rolled back; a rolled-back savepoint takes its locks and notifications along) starts
    an empty one, so nothing is believed beyond the transaction that learnt it.
    """
    current = (session.get_transaction(), session.get_nested_transaction())
    kept = session.info.get(name)
    if kept is None or kept[0] is None or kept[0] is not current[0] or kept[1] is not current[1]:
        kept = (current[0], current[1], {})
        session.info[name] = kept
    memo: dict[Any, Any] = kept[2]
    return memo


REFUSED = "refused"  # session.info key: a verb refused, so the unit of work commits nothing


def refuse(session: Session) -> None:
    """A verb refused: undo what it wrote, and make sure the unit of work commits nothing.

    The page then answers normally (a form shown again with its errors), so the
    unit of work would otherwise commit whatever the verb wrote before refusing.
    Anything written after this point in the same request is rolled back too.
    Only `keep()`, called before the refusal, saves work on purpose.
    """
    session.rollback()
    session.info[REFUSED] = True


def keep(session: Session, why: str) -> None:
    """Commit what this request did so far, on purpose, so a later refusal cannot undo it.

    The one documented exception to "a refused request commits nothing": the
    caller says why (for example: the draft is saved even when its submission
    is refused, so nothing the user typed is lost). Runs the after-commit hooks.
    """
    if session.info.get(REFUSED):
        raise RuntimeError("keep() after refuse(): nothing is left to keep")
    if not why.strip():
        raise ValueError("keep() needs the reason why this work is kept")
    session.commit()
    for hook in _after_commit_hooks:
        hook()


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: commit at the end, roll back on error or refusal, then run hooks."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        end(session, failed=True)
        raise
    end(session)


def end(session: Session, *, failed: bool = False) -> None:
    """End a unit of work: commit (or roll back, after a failure or a refusal) and close;
    after a commit, run the hooks. A failed commit is rolled back and raised."""
    try:
        if failed or session.info.get(REFUSED):
            session.rollback()
        elif session.in_transaction():  # else nothing was read or written: nothing to commit
            try:
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        session.close()
    if not failed:
        for hook in _after_commit_hooks:
            hook()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work, committed before the response is sent.

    It is also kept on `request.state.session` so that what a page's template
    asks for (the header's unread count, another domain's block) is read
    through this same session and connection: a page never holds two pool
    connections at once, so a crowd larger than the pool waits in turn
    instead of deadlocking.

    Opening a session does no I/O (it connects at its first statement), so it opens on
    the event loop; its end (commit or rollback: I/O) runs in a worker thread, and not at
    all for a request that never touched the database. Each is one hop to the thread pool
    fewer than a synchronous dependency takes.
    """
    session = Session(request.app.state.engine, expire_on_commit=False)
    request.state.session = session
    failed = False
    try:
        yield session
    except BaseException:
        failed = True
        raise
    finally:
        request.state.session = None
        if session.in_transaction():
            await _ending(session, failed=failed)
        else:  # nothing was read or written: no I/O
            end(session, failed=failed)


async def _ending(session: Session, *, failed: bool = False) -> None:
    """`end` in a worker thread, as FastAPI ends a generator dependency: with a limiter of
    its own, because the end gives a pool connection back and requests waiting for one may
    hold every token of the shared thread pool (60 parallel sign-ins on SQLite waited the
    pool's 30 s and failed); shielded, so a cancelled request still gives it back."""
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(
            functools.partial(end, session, failed=failed), limiter=anyio.CapacityLimiter(1)
        )


@contextmanager
def request_session(request: Request) -> Iterator[Session]:
    """The request's own session while its unit of work is open; otherwise (an error
    page rendered after the unit of work ended) a short read-only session of its own."""
    session = getattr(request.state, "session", None)
    if session is not None:
        yield session
        return
    with Session(request.app.state.engine, expire_on_commit=False) as own:
        yield own


# scope="function": the commit runs before the response is sent, so a failed
# commit is reported to the client instead of hiding behind a 200.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
