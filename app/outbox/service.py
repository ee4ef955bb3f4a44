"""Queue side effects inside the caller's transaction; register their handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from app.db import transaction_memo, utcnow
from app.outbox.models import OutboxEvent

NOTIFY_CHANNEL = "portal_outbox"  # PostgreSQL: a commit with new events wakes `portal worker`

Handler = Callable[[Session, dict[str, Any], OutboxEvent], None]
Condition = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: float
    run: Callable[[Session], None]


handlers: dict[str, dict[str, Handler]] = {}  # topic -> handler name -> function
# Handlers that take seconds of CPU (embedding a text): the worker runs them in a lane of
# their own, so the quick ones (the search index, mail) never wait behind them.
slow_handlers: set[str] = set()
# (topic, handler name) -> the payloads the handler has something to do with (`when=`)
conditions: dict[tuple[str, str], Condition] = {}
periodic_jobs: dict[str, Periodic] = {}


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help: the event is marked failed."""


def handler(
    topic: str, *, slow: bool = False, when: Condition | None = None
) -> Callable[[Handler], Handler]:
    """Register a function that consumes events of `topic` (several may).

    It runs in its own transaction with its delivery marked done in that same
    transaction, so its database writes happen exactly once; external effects
    (SMTP, HTTP) are at least once and carry the event id to be idempotent.
    `slow=True`: it takes seconds (see `slow_handlers`).
    `when`: the payloads it has anything to do with (read from the payload alone); for
    the others no row is written at all (see `wants`).
    """

    def register(fn: Handler) -> Handler:
        name = f"{fn.__module__}.{fn.__qualname__}"
        handlers.setdefault(topic, {})[name] = fn
        if slow:
            slow_handlers.add(name)
        if when is not None:
            conditions[(topic, name)] = when
        return fn

    return register


def wants(topic: str, name: str, payload: dict[str, Any]) -> bool:
    """Whether handler `name` has anything to do with this event of `topic` (its `when`).

    Asked when the event is queued (no row for a handler that would do nothing: a
    submission is not the search index's business) and again when it is delivered
    (a row queued before the handler declared its condition is marked done unrun)."""
    condition = conditions.get((topic, name))
    return condition is None or condition(payload)


def periodic(
    name: str, every_seconds: float
) -> Callable[[Callable[[Session], None]], Callable[[Session], None]]:
    """Register a job the worker runs about every `every_seconds` (must be idempotent)."""

    def register(fn: Callable[[Session], None]) -> Callable[[Session], None]:
        periodic_jobs[name] = Periodic(name, every_seconds, fn)
        return fn

    return register


def enqueue(
    session: Session, topic: str, payload: dict[str, Any], *, key: str | None = None
) -> list[str]:
    """Write the event for each of its handlers that `wants` it, in the current
    transaction; their names.

    It is delivered only if that transaction commits. Handlers register when
    their domain's tasks.py is imported (the app factory and CLI do so first).
    The rows go in as one multi-row INSERT, not as ORM objects: nothing reads them
    back in the writing transaction, and a submission queues four of them.
    """
    names = [name for name in handlers.get(topic, {}) if wants(topic, name, payload)]
    if not names:
        return names
    now = utcnow()
    session.execute(
        insert(OutboxEvent),
        [
            {
                "topic": topic,
                "handler": name,
                "payload": payload,
                "key": f"{name}:{key}" if key else None,
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "available_at": now,
            }
            for name in names
        ],
    )
    # Delivered to LISTENing workers when (and only if) this transaction commits;
    # once per transaction (PostgreSQL delivers identical notifications once anyway).
    if session.get_bind().dialect.name == "postgresql" and not transaction_memo(session, _NOTIFIED):
        session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
        transaction_memo(session, _NOTIFIED)[NOTIFY_CHANNEL] = True  # the one it began
    return names


_NOTIFIED = "outbox.notified"  # session.info: the transaction that already notified


def failed_events(
    session: Session, *, topic: str | None = None, limit: int = 100
) -> list[OutboxEvent]:
    """Events that failed for good, newest first (the operator's view)."""
    query = select(OutboxEvent).where(OutboxEvent.status == "failed")
    if topic:
        query = query.where(OutboxEvent.topic == topic)
    return list(session.exec(query.order_by(col(OutboxEvent.id).desc()).limit(limit)))


def retry_failed(session: Session, ids: list[int] | None, *, topic: str | None = None) -> int:
    """Queue failed events again, due now with their attempts counted afresh; how many."""
    query = select(OutboxEvent).where(OutboxEvent.status == "failed")
    if ids is not None:
        query = query.where(col(OutboxEvent.id).in_(ids))
    if topic:
        query = query.where(OutboxEvent.topic == topic)
    events = list(session.exec(query))
    for event in events:
        event.status, event.attempts, event.available_at = "pending", 0, utcnow()
        event.locked_by = event.locked_until = None
    return len(events)
