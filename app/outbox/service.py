"""Queue side effects inside the caller's transaction; register their handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.outbox.models import OutboxEvent

Handler = Callable[[Session, dict[str, Any], OutboxEvent], None]


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: float
    run: Callable[[Session], None]


handlers: dict[str, Handler] = {}
periodic_jobs: dict[str, Periodic] = {}


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help: the event is marked failed."""


def handler(topic: str) -> Callable[[Handler], Handler]:
    """Register the function that delivers events of `topic`.

    It runs in its own transaction with the event marked done in that same
    transaction, so its database writes happen exactly once; external effects
    (SMTP, HTTP) are at least once and must carry the event id to be idempotent.
    """

    def register(fn: Handler) -> Handler:
        handlers[topic] = fn
        return fn

    return register


def periodic(name: str, every_seconds: float) -> Callable[[Callable[[Session], None]], Callable[[Session], None]]:
    """Register a job the worker runs about every `every_seconds` (must be idempotent)."""

    def register(fn: Callable[[Session], None]) -> Callable[[Session], None]:
        periodic_jobs[name] = Periodic(name, every_seconds, fn)
        return fn

    return register


def enqueue(session: Session, topic: str, payload: dict[str, Any], *, key: str | None = None) -> OutboxEvent:
    """Write an event in the current transaction; it is delivered only if that commits."""
    event = OutboxEvent(topic=topic, payload=payload, key=key)
    session.add(event)
    return event
