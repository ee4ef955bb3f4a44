"""Pooled PostgreSQL connections: asked whether they live only after a rest (app/db.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from app import db


@pytest.fixture
def engine(postgres_url):
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
    db.ping_when_idle(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def observer(postgres_url):
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _rest(engine, seconds: float) -> None:
    """Make the one pooled connection look as if it was checked in `seconds` ago."""
    (record,) = [engine.pool._pool.queue[0]]
    record.info["rests_since"] -= seconds


def _last_statement(observer, pid: int) -> str:
    with observer.connect() as conn:
        return conn.execute(
            text("SELECT query FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        ).scalar_one()


def test_a_connection_used_moments_ago_is_handed_out_without_a_round_trip(engine, observer):
    pid = _backend(engine)
    with engine.connect() as conn:  # checked out again at once: no ping
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid
        assert _last_statement(observer, pid) == "SELECT pg_backend_pid()"


def test_a_rested_connection_is_asked_first(engine, observer):
    pid = _backend(engine)
    _rest(engine, db.IDLE_PING_AFTER + 1)
    with engine.connect():
        assert _last_statement(observer, pid) == engine.dialect._dialect_specific_select_one


def test_a_rested_connection_the_server_closed_is_replaced(engine, observer):
    pid = _backend(engine)
    with observer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    _rest(engine, db.IDLE_PING_AFTER + 1)
    with engine.connect() as conn:  # no error: the pool connected again
        assert conn.execute(text("SELECT 41 + 1")).scalar_one() == 42
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid


def test_the_portal_engines_use_it(postgres_url):
    for engine in (
        db.make_engine(postgres_url),
        db.autocommit_engine(db.make_engine(postgres_url)),
    ):
        assert engine.pool._pre_ping is False
        assert any(getattr(f, "__name__", "") == "_alive" for f in engine.pool.dispatch.checkout)
