"""Deliver outbox events: claim, run the handler, mark done, or back off.

Claiming is an `UPDATE ... WHERE unclaimed` checked by its row count, which is
atomic on both SQLite and PostgreSQL: when two workers race for one event, the
second UPDATE re-reads the row after the first commits, finds it claimed and
changes nothing. The handler's writes and the `done` mark share one
transaction. A failed attempt is retried after an exponential backoff.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import traceback
from datetime import timedelta
from typing import Any, Literal, cast

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.config import get_settings
from app.db import on_commit, unit_of_work, utcnow
from app.outbox.models import OutboxEvent
from app.outbox.service import (
    NOTIFY_CHANNEL,
    PermanentFailure,
    handlers,
    periodic_jobs,
    slow_handlers,
    wants,
)

log = logging.getLogger(__name__)
Lane = Literal["slow", "quick"] | None  # the slow handlers' events, the others', or all
# A claim lasts LEASE; while the handler runs, a heartbeat renews it every HEARTBEAT, so a
# worker killed mid-delivery frees its event within LEASE (not minutes later).
LEASE = timedelta(seconds=30)
HEARTBEAT = timedelta(seconds=10)
SQLITE_POLL_SECONDS = 0.2  # SQLite has no notifications: a separate worker polls this often
PERIODIC_CHECK_SECONDS = 1.0  # how often the periodic thread looks for a job that is due
PASSES = (
    20  # passes in a row while events keep being delivered (an event freed by the previous one)
)


def backoff_seconds(attempts: int) -> float:
    settings = get_settings()
    return min(settings.outbox_backoff_base**attempts, settings.outbox_backoff_max)


class Worker:
    def __init__(self, engine: Engine, name: str | None = None) -> None:
        self.engine = engine
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = threading.Event()
        self._wake_slow = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_periodic: dict[str, float] = {}

    # -- one pass ---------------------------------------------------------
    def _due_ids(self, limit: int, lane: Lane = None) -> list[int]:
        now = utcnow()
        earlier = aliased(OutboxEvent)
        blocked_by_earlier = exists().where(
            col(earlier.key) == col(OutboxEvent.key),
            col(earlier.id) < col(OutboxEvent.id),
            col(earlier.status) == "pending",
        )
        query = (
            select(col(OutboxEvent.id))
            .where(col(OutboxEvent.status) == "pending", col(OutboxEvent.available_at) <= now)
            .where(
                or_(col(OutboxEvent.locked_until).is_(None), col(OutboxEvent.locked_until) < now)
            )
            .where(or_(col(OutboxEvent.key).is_(None), ~blocked_by_earlier))
            .order_by(col(OutboxEvent.id))
            .limit(limit)
        )
        if lane == "slow":
            query = query.where(col(OutboxEvent.handler).in_(sorted(slow_handlers)))
        elif lane == "quick" and slow_handlers:
            query = query.where(col(OutboxEvent.handler).not_in(sorted(slow_handlers)))
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def _claim(self, event_id: int) -> bool:
        now = utcnow()
        with unit_of_work(self.engine) as session:
            result = session.execute(
                update(OutboxEvent)
                .where(col(OutboxEvent.id) == event_id, col(OutboxEvent.status) == "pending")
                .where(
                    or_(
                        col(OutboxEvent.locked_until).is_(None), col(OutboxEvent.locked_until) < now
                    )
                )
                .values(locked_by=self.name, locked_until=now + LEASE)
            )
            return cast(CursorResult[Any], result).rowcount == 1

    def _renew(self, event_id: int) -> bool:
        """Extend our claim on the event; False once it is no longer ours (or pending)."""
        with unit_of_work(self.engine) as session:
            result = session.execute(
                update(OutboxEvent)
                .where(
                    col(OutboxEvent.id) == event_id,
                    col(OutboxEvent.status) == "pending",
                    col(OutboxEvent.locked_by) == self.name,
                )
                .values(locked_until=utcnow() + LEASE)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def _heartbeat(self, event_id: int, done: threading.Event) -> None:
        while not done.wait(HEARTBEAT.total_seconds()):
            try:
                if not self._renew(event_id):
                    return
            except Exception:
                log.exception("outbox heartbeat for event %s failed", event_id)

    def _deliver(self, event_id: int) -> bool:
        done = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat, args=(event_id, done), name="outbox-heartbeat", daemon=True
        )
        beat.start()
        try:
            return self._deliver_claimed(event_id)
        finally:
            done.set()
            beat.join()

    def _deliver_claimed(self, event_id: int) -> bool:
        try:
            with unit_of_work(self.engine) as session:
                event = session.get(OutboxEvent, event_id)
                assert event is not None
                handler = handlers.get(event.topic, {}).get(event.handler)
                if handler is None:
                    raise PermanentFailure(
                        f"no handler {event.handler!r} for topic {event.topic!r}"
                    )
                if wants(event.topic, event.handler, event.payload):
                    handler(session, dict(event.payload), event)
                event.status, event.delivered_at = "done", utcnow()
                event.attempts += 1
                event.locked_by = event.locked_until = None
            return True
        except Exception as exc:
            self._record_failure(event_id, exc)
            return False

    def _record_failure(self, event_id: int, exc: Exception) -> None:
        max_attempts = get_settings().outbox_max_attempts
        with unit_of_work(self.engine) as session:
            event = session.get(OutboxEvent, event_id)
            assert event is not None
            event.attempts += 1
            event.last_error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            event.locked_by = event.locked_until = None
            if isinstance(exc, PermanentFailure) or event.attempts >= max_attempts:
                event.status = "failed"
                log.error("outbox event %s (%s) failed for good: %s", event.id, event.topic, exc)
            else:
                event.available_at = utcnow() + timedelta(seconds=backoff_seconds(event.attempts))
                log.warning(
                    "outbox event %s (%s) attempt %s failed: %s",
                    event.id,
                    event.topic,
                    event.attempts,
                    exc,
                )

    def _next_of_key(self, event_id: int) -> int | None:
        """The next due event of the same key as `event_id` (just delivered), if any: one
        statement (an event without a key has no next)."""
        key = select(col(OutboxEvent.key)).where(col(OutboxEvent.id) == event_id)
        with Session(self.engine) as session:
            return session.scalar(
                select(col(OutboxEvent.id))
                .where(col(OutboxEvent.key) == key.scalar_subquery())
                .where(
                    col(OutboxEvent.status) == "pending", col(OutboxEvent.available_at) <= utcnow()
                )
                .order_by(col(OutboxEvent.id))
                .limit(1)
            )

    def run_once(self, limit: int = 100, lane: Lane = None) -> int:
        """Deliver what is due now; return how many events were delivered.

        After an event with a key, the next event of that key follows at once
        (it was not due when the pass began: it waited behind this one), so a
        chain such as the catalogue's `initiative.transitioned` then
        `initiative.published` is not delayed by the other handlers' events.
        `lane`: only the slow handlers' events, only the others', or (None) all.
        """
        delivered = 0
        for event_id in self._due_ids(limit, lane):
            current: int | None = event_id
            while current is not None and self._claim(current) and self._deliver(current):
                delivered += 1
                current = self._next_of_key(current)
        return delivered

    def drain(self, max_rounds: int = 50) -> int:
        """Deliver until nothing is due (tests and commands use this)."""
        total = 0
        for _ in range(max_rounds):
            self.run_periodic()
            count = self.run_once()
            total += count
            if count == 0:
                break
        return total

    def run_periodic(self, force: bool = False) -> None:
        now = time.monotonic()
        for job in list(periodic_jobs.values()):  # a copy: jobs may register meanwhile
            last = self._last_periodic.get(job.name)
            if force or last is None or now - last >= job.every_seconds:
                self._last_periodic[job.name] = now
                try:
                    with unit_of_work(self.engine) as session:
                        job.run(session)
                except Exception:
                    log.exception("periodic job %s failed", job.name)

    # -- the loop ---------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()
        self._wake_slow.set()

    def _listen(self) -> None:
        """PostgreSQL: LISTEN for the NOTIFY that `enqueue` sends, and wake the loop at once.

        A worker in another process (`portal worker`) is so woken by the web
        workers' commits instead of finding the event at its next poll.
        """
        import psycopg

        conninfo = self.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.wake()  # anything committed before we listened
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self.wake()
            except psycopg.Error as exc:
                log.warning("outbox LISTEN connection lost (%s); polling until it is back", exc)
                self._stop.wait(5)

    def _periodic_loop(self) -> None:
        """Periodic jobs in a thread of their own: a long one (the open-data export,
        the weekly report) never holds back the delivery of events (a publication's
        index update waited seconds behind the export when both shared the loop)."""
        lower_priority()
        while not self._stop.is_set():
            try:
                self.run_periodic()
            except Exception:
                log.exception("outbox periodic pass failed")
            self._stop.wait(PERIODIC_CHECK_SECONDS)

    def loop(self) -> None:
        poll = get_settings().worker_poll_seconds
        if self.engine.dialect.name == "postgresql":
            threading.Thread(target=self._listen, name="outbox-listen", daemon=True).start()
        else:
            poll = min(poll, SQLITE_POLL_SECONDS)
        periodic = threading.Thread(target=self._periodic_loop, name="outbox-periodic", daemon=True)
        periodic.start()
        # The slow handlers (embeddings) in a lane of their own: the index update of a
        # publication waited seconds behind the embedding of the one before.
        slow = threading.Thread(
            target=self._lane, args=("slow", self._wake_slow, poll), name="outbox-slow", daemon=True
        )
        slow.start()
        self._lane("quick", self._wake, poll)
        for thread in (periodic, slow):  # stopped: nothing of ours outlives `stop()`
            thread.join(timeout=10)

    def _lane(self, lane: Lane, wake: threading.Event, poll: float) -> None:
        if lane == "slow":
            lower_priority()
        while not self._stop.is_set():
            try:
                # Events of one key wait for the earlier ones (e.g. the catalogue's
                # `initiative.published` behind `initiative.transitioned`): another
                # pass at once delivers what the previous one freed.
                for _ in range(PASSES):
                    if not self.run_once(lane=lane) or self._stop.is_set():
                        break
            except Exception:
                log.exception("outbox worker pass failed")
            wake.wait(poll)
            wake.clear()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.loop, name="outbox-worker", daemon=True)
        self._thread.start()
        _running.add(self)

    def stop(self) -> None:
        _running.discard(self)
        self._stop.set()
        self.wake()
        if self._thread:
            self._thread.join(timeout=30)


_running: set[Worker] = set()


def wake_all() -> None:
    """Called after every commit: a queued event is picked up at once, not at the next poll."""
    for worker in list(_running):
        worker.wake()


on_commit(wake_all)


def pending_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.status) == "pending")
        )
        or 0
    )


BACKGROUND_NICENESS = 10


def lower_priority(by: int = BACKGROUND_NICENESS) -> None:
    """Make the calling thread yield the CPU to everything else on the machine.

    Linux schedules each thread on its own, so this lowers only the periodic jobs and the
    slow lane (the daily open-data export at 100,000 initiatives took a core for a minute,
    and the web workers beside it served a third fewer pages); elsewhere, nothing.
    """
    tid = threading.get_native_id()
    with contextlib.suppress(AttributeError, OSError):  # not Linux, not allowed: as before
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + by))
