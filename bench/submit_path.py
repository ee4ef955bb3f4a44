"""In-process cost of the submit path: SQL statements and CPU per create and per submit.

    .venv/bin/python bench/submit_path.py --db sqlite
    .venv/bin/python bench/submit_path.py --db postgresql --published 1000 --rounds 40 --show

The data is built as bench/public_pages.py builds it (`--published` initiatives
inserted in bulk and indexed by `portal reindex`; see its docstring for the
shortcut). The app is then created in this process (production settings, no
worker) and driven through Starlette's TestClient with a bearer token, one
client at a time: each round creates a complete draft (`POST /api/v1/initiatives`)
and submits it (`POST /api/v1/initiatives/{id}/submit`), the near-duplicate
check included. Printed per request kind: the SQL statements sent (every
engine, the receipt counter's autocommit connection included) and the CPU time
of this process (all threads: the app, its thread pool and the in-process
client, which costs about the same for every request; `--floor` prints what a
request to an unknown API path costs, the framework and client alone). On PostgreSQL,
also the CPU the cluster's processes used per create + submit (+ that floor request).
`--calls` counts Python function calls (every thread) instead of CPU time: the same
whatever the machine's load. `--show` lists the statements of the last create and submit.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.public_pages import PASSWORD, build, database, draft, environment  # noqa: E402

SUBMITTER = "submitter@bench.vn"


class Statements:
    """Counts the statements every engine sends (cursor executes), with their text."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.sent.append(" ".join(statement.split()))

    def during(self, call: Callable[[], Any]) -> tuple[Any, list[str], float]:
        """(result, statements, CPU ms or thousands of Python calls with --calls) of one call."""
        self.sent = []
        if CALLS is not None:
            before = next(CALLS)
            result = call()
            return result, list(self.sent), (next(CALLS) - before) / 1000
        cpu = time.process_time()
        result = call()
        return result, list(self.sent), (time.process_time() - cpu) * 1000


CALLS: Any = None  # with --calls: every Python and built-in function call, in every thread


def _count_calls(frame: Any, event: str, arg: Any) -> None:
    if event in ("call", "c_call"):
        next(CALLS)


def postgres_cpu(url: str) -> float:
    """CPU seconds used so far by the processes of the PostgreSQL cluster behind `url`."""
    found = re.search(r"host=(/[^&]+)/socket", url)
    if not found:
        return 0.0
    root, tick = found.group(1), os.sysconf("SC_CLK_TCK")
    server = {}  # pid -> (parent pid, CPU seconds)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        server[int(entry.name)] = (int(stat[1]), (int(stat[11]) + int(stat[12])) / tick, command)
    postmasters = {pid for pid, (_, _, command) in server.items() if root.encode() in command}
    return sum(
        cpu for pid, (ppid, cpu, _) in server.items() if pid in postmasters or ppid in postmasters
    )


@contextlib.contextmanager
def portal_in_process(
    args: argparse.Namespace, name: str, **settings: Any
) -> Iterator[tuple[Any, dict[str, Any], str]]:
    """(app, data, database URL): a fresh database (`--db`) with `--published` initiatives,
    built as bench/public_pages.py builds them, the app created in this process with
    production settings, no in-app worker and `settings` on top, and the submitter's
    account (see `signed_in`). Everything is removed afterwards."""
    from app import config
    from app.accounts import service as accounts
    from app.db import dispose_engines, make_engine, unit_of_work
    from app.main import create_app

    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-{args.db}-"))
    try:
        with database(args.db, f"bench_{name}") as pg_url:
            db_url = pg_url or f"sqlite:///{var_dir / 'portal.db'}"
            env = environment(var_dir, db_url)
            print(f"== {args.db}, {args.published} published (load {_load()}) ==")
            data = build(env, args.published, 0)
            app = create_app(
                config.configure(
                    config.Settings(
                        _env_file=None,
                        environment="production",
                        database_url=db_url,
                        var_dir=var_dir,
                        secret_key=env["SECRET_KEY"],
                        search_backend="tantivy",
                        run_worker_in_app=False,
                        base_url=env["BASE_URL"],
                        **settings,
                    )
                )
            )
            with unit_of_work(make_engine(db_url)) as session:
                accounts.create_user(
                    session,
                    email=SUBMITTER,
                    full_name="Người nộp",
                    password=PASSWORD,
                    verified=True,
                )
            yield app, data, db_url
    finally:
        dispose_engines()
        shutil.rmtree(var_dir, ignore_errors=True)


def signed_in(client: Any) -> None:
    """The test client sends the submitter's bearer token from now on."""
    token = client.post(
        "/api/v1/auth/token", data={"username": SUBMITTER, "password": PASSWORD}
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"


def arguments(description: str | None, rounds: int, warmup: int) -> argparse.ArgumentParser:
    """The options every in-process submit benchmark takes."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--published", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=rounds, help="submissions measured")
    parser.add_argument("--warmup", type=int, default=warmup, help="submissions before measuring")
    parser.add_argument("--show", action="store_true", help="list the statements")
    return parser


def run(args: argparse.Namespace) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    with portal_in_process(args, "submit", embedding_backend="none") as (app, data, db_url):
        counter = Statements()
        event.listen(Engine, "before_cursor_execute", counter)
        field_id = next(iter(data["fields"].values()))
        figures: dict[str, list[tuple[int, float]]] = {"create": [], "submit": [], "floor": []}
        shown: dict[str, list[str]] = {}
        if args.calls:  # a measure of CPU work that the machine's load does not change
            global CALLS
            CALLS = itertools.count()
            threading.setprofile(_count_calls)
            sys.setprofile(_count_calls)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            signed_in(client)
            for r in range(args.warmup + args.rounds):
                if r == args.warmup:
                    pg_before = postgres_cpu(db_url)
                body = draft(r, field_id)
                created, sql_c, cpu_c = counter.during(
                    lambda body=body: client.post("/api/v1/initiatives", json=body)
                )
                assert created.status_code == 201, created.text
                path = f"/api/v1/initiatives/{created.json()['id']}/submit"
                submitted, sql_s, cpu_s = counter.during(
                    lambda path=path: client.post(path, json={})
                )
                assert submitted.status_code == 200, submitted.text
                _, sql_f, cpu_f = counter.during(
                    lambda: client.get(f"/api/v1/no-such-path-{secrets.token_hex(2)}")
                )
                if r >= args.warmup:
                    figures["create"].append((len(sql_c), cpu_c))
                    figures["submit"].append((len(sql_s), cpu_s))
                    figures["floor"].append((len(sql_f), cpu_f))
                shown = {"create": sql_c, "submit": sql_s}
            pg_ms = (postgres_cpu(db_url) - pg_before) * 1000 / args.rounds
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
        event.remove(Engine, "before_cursor_execute", counter)
        unit = "k calls" if args.calls else "CPU ms"
        print(f"  {'request':<10}{'statements':>11}{unit + ' p50':>13}{unit + ' mean':>14}")
        for name, rows in figures.items():
            if name == "floor" and not args.floor:
                continue
            counts = sorted({n for n, _ in rows})
            cpus = [c for _, c in rows]
            print(
                f"  {name:<10}{'/'.join(map(str, counts)):>11}"
                f"{statistics.median(cpus):>13.1f}{statistics.fmean(cpus):>14.1f}"
            )
        if args.db == "postgresql":
            print(f"  PostgreSQL CPU per create+submit (+ floor): {pg_ms:.1f} ms")
        if args.show:
            for name, sent in shown.items():
                print(f"\n  -- {name}: {len(sent)} statements")
                for k, statement in enumerate(sent, 1):
                    print(f"  {k:>3}. {statement[: args.width]}")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = arguments(__doc__, rounds=30, warmup=5)
    parser.add_argument("--floor", action="store_true", help="also time an unknown API path")
    parser.add_argument(
        "--calls",
        action="store_true",
        help="count Python function calls (all threads) instead of CPU time: slower, but the "
        "same whatever the machine's load",
    )
    parser.add_argument("--width", type=int, default=160, help="characters of each statement")
    args = parser.parse_args()
    run(args)


if __name__ == "__main__":
    main()
