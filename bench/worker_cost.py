"""What `portal worker` spends per submission: events, SQL statements and CPU, by handler.

    .venv/bin/python bench/worker_cost.py --db postgresql
    .venv/bin/python bench/worker_cost.py --db sqlite --rounds 30 --show

The data is built as bench/public_pages.py builds it (`--published` initiatives, see
its docstring for the shortcut). The app runs in this process with production settings
and no in-app worker; each round creates and submits a draft through the API (Starlette's
TestClient, a bearer token), then an outbox `Worker` in this process delivers everything
the submission queued (`Worker.drain`). Printed per submission, after `--warmup` rounds:
the events delivered, the statements every engine sent and the CPU of the drain, then
the same per handler (its own statements and CPU, without the outbox's claiming and
marking). The embedding backend is the configured default, as in production.
`--show` lists the statements of the last drain.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.public_pages import draft  # noqa: E402
from bench.submit_path import Statements, arguments, portal_in_process, signed_in  # noqa: E402


def run(args: argparse.Namespace) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from app.db import make_engine
    from app.outbox import service as outbox
    from app.outbox.worker import Worker

    with portal_in_process(args, "worker") as (app, data, db_url):
        worker = Worker(make_engine(db_url))
        counter = Statements()
        statements: collections.Counter[str] = collections.Counter()
        cpu: collections.Counter[str] = collections.Counter()
        runs: collections.Counter[str] = collections.Counter()

        def measured(name: str, fn: Any) -> Any:
            def handler(session: Any, payload: dict[str, Any], ev: Any) -> None:
                sent, started = len(counter.sent), time.process_time()
                fn(session, payload, ev)
                cpu[name] += time.process_time() - started
                statements[name] += len(counter.sent) - sent
                runs[name] += 1

            return handler

        for consumers in outbox.handlers.values():
            for name, fn in list(consumers.items()):
                consumers[name] = measured(name, fn)
        field_id = next(iter(data["fields"].values()))
        totals = {"events": 0.0, "statements": 0.0, "cpu": 0.0}
        event.listen(Engine, "before_cursor_execute", counter)
        try:
            with TestClient(app, base_url="http://127.0.0.1") as client:
                signed_in(client)
                worker.drain()
                for r in range(args.warmup + args.rounds):
                    if r == args.warmup:
                        for counted in (statements, cpu, runs):
                            counted.clear()
                        totals = dict.fromkeys(totals, 0.0)
                    created = client.post("/api/v1/initiatives", json=draft(r, field_id))
                    assert created.status_code == 201, created.text
                    submitted = client.post(
                        f"/api/v1/initiatives/{created.json()['id']}/submit", json={}
                    )
                    assert submitted.status_code == 200, submitted.text
                    counter.sent, started = [], time.process_time()
                    totals["events"] += worker.drain()
                    totals["cpu"] += time.process_time() - started
                    totals["statements"] += len(counter.sent)
        finally:
            event.remove(Engine, "before_cursor_execute", counter)
        n = args.rounds
        print(
            f"  per submission: {totals['events'] / n:.1f} events, "
            f"{totals['statements'] / n:.1f} statements, {totals['cpu'] * 1000 / n:.1f} ms CPU"
        )
        for name in sorted(runs, key=lambda k: -cpu[k]):
            print(
                f"  {name:<56} runs {runs[name] / n:.1f}  statements "
                f"{statements[name] / n:5.1f}  CPU {cpu[name] * 1000 / n:6.1f} ms"
            )
        if args.show:
            for k, statement in enumerate(counter.sent, 1):
                print(f"  {k:>3}. {statement[:150]}")


def main() -> None:
    run(arguments(__doc__, rounds=20, warmup=3).parse_args())


if __name__ == "__main__":
    main()
