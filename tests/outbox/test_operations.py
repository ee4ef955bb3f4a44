"""A claim is short and renewed while the handler runs; failed events have an operator's view."""

from __future__ import annotations

import threading
import time

from sqlmodel import Session, select

from app.cli import main
from app.db import unit_of_work, utcnow
from app.outbox import service as outbox
from app.outbox import worker as worker_module
from app.outbox.models import OutboxEvent
from app.outbox.service import PermanentFailure

seen: list[tuple[int, object]] = []
broken = {"on": True}
slow = threading.Event()


@outbox.handler("test.slow")
def _slow(session: Session, payload: dict, event: OutboxEvent) -> None:
    slow.wait(5)


@outbox.handler("test.broken")
def _broken(session: Session, payload: dict, event: OutboxEvent) -> None:
    if broken["on"]:
        raise PermanentFailure("the relay refused the mail")
    seen.append((payload["n"], event.id))


def _event(session: Session, topic: str) -> OutboxEvent:
    session.expire_all()
    return session.exec(select(OutboxEvent).where(OutboxEvent.topic == topic)).one()


def test_a_claim_is_short_and_renewed_while_the_handler_runs(app, worker, session, monkeypatch):
    assert worker_module.LEASE.total_seconds() <= 30  # a dead worker's claim ends soon
    monkeypatch.setattr(worker_module, "HEARTBEAT", worker_module.HEARTBEAT / 20)  # 0.5 s
    monkeypatch.setattr(worker_module, "LEASE", worker_module.LEASE / 30)  # 1 s
    with unit_of_work(app.state.engine) as uow:
        outbox.enqueue(uow, "test.slow", {})
    slow.clear()
    runner = threading.Thread(target=worker.run_once)
    runner.start()
    time.sleep(0.3)
    first = _event(session, "test.slow").locked_until
    time.sleep(2.0)  # twice the lease: without the heartbeat the claim would have lapsed
    later = _event(session, "test.slow").locked_until
    assert first is not None and later is not None and later > first and later > utcnow()
    slow.set()
    runner.join()
    event = _event(session, "test.slow")
    assert (event.status, event.locked_until) == ("done", None)


def test_failed_events_are_listed_and_queued_again(app, worker, session, capsys):
    broken["on"] = True
    seen.clear()
    with unit_of_work(app.state.engine) as uow:
        outbox.enqueue(uow, "test.broken", {"n": 1})
    worker.drain()
    event = _event(session, "test.broken")
    assert event.status == "failed"
    main(["outbox", "failed", "--topic", "test.broken"])
    out = capsys.readouterr().out
    assert out.startswith(f"{event.id}\ttest.broken\t")
    assert "attempts=1" in out and "the relay refused the mail" in out
    broken["on"] = False
    main(["outbox", "retry", str(event.id)])
    assert capsys.readouterr().out == "1 failed event(s) queued again\n"
    worker.drain()
    assert seen == [(1, event.id)]
    assert _event(session, "test.broken").status == "done"
    main(["outbox", "failed"])
    assert capsys.readouterr().out == "no failed events\n"
