"""What database work on the event loop costs: `async def` vs plain `def` handlers under load.

    .venv/bin/python bench/event_loop.py [--clients 8] [--seconds 10] [--rows 200000]

Starts uvicorn (one worker, as `portal serve` does) on 127.0.0.1 with a tiny
app built from the portal's own parts (`make_engine`, `SessionDep`), on a
fresh SQLite database. Two handlers run the same slow query (a recursive
count of `--rows` rows, tens of milliseconds) through the request's unit of
work: one `async def` (the query runs on the event loop), one plain `def`
(FastAPI runs it in the thread pool). For each, `--clients` threads call it
for `--seconds` while one more thread calls `/ping`, a handler that does no
work at all, and records its latency.

Prints, per variant, the slow handler's throughput and the p50/p95/max
latency of `/ping`: with `async def`, every other request of the worker
waits for the queries in progress; with `def` it does not. This is why every
handler that touches the database is a plain `def` (ARCHITECTURE.md,
tests/web/test_handlers.py).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi import FastAPI  # noqa: E402 (after the sys.path entry)
from sqlalchemy import text  # noqa: E402

from app.db import SessionDep, make_engine  # noqa: E402


def build_app() -> FastAPI:
    """The app uvicorn serves (`bench.event_loop:app`), configured by environment variables."""
    rows = int(os.environ.get("BENCH_ROWS", "200000"))
    query = text(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) "
        "SELECT count(*) FROM c"
    )
    bench = FastAPI()
    bench.state.engine = make_engine(os.environ["BENCH_DB"])

    @bench.get("/slow/async")
    async def slow_async(session: SessionDep) -> int:
        return int(session.execute(query, {"n": rows}).scalar_one())

    @bench.get("/slow/def")
    def slow_def(session: SessionDep) -> int:
        return int(session.execute(query, {"n": rows}).scalar_one())

    @bench.get("/ping")
    async def ping() -> str:
        return "pong"

    return bench


if os.environ.get("BENCH_DB"):
    app = build_app()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def run(base: str, variant: str, clients: int, seconds: float) -> dict[str, float]:
    stop = time.monotonic() + seconds
    done = [0] * clients
    pings: list[float] = []

    def load(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.monotonic() < stop:
                http.get(f"/slow/{variant}").raise_for_status()
                done[k] += 1

    def probe() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.monotonic() < stop:
                started = time.perf_counter()
                http.get("/ping").raise_for_status()
                pings.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)

    threads = [threading.Thread(target=load, args=(k,)) for k in range(clients)]
    threads.append(threading.Thread(target=probe))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "slow_per_s": sum(done) / seconds,
        "ping_p50": statistics.median(pings),
        "ping_p95": _percentile(pings, 0.95),
        "ping_max": max(pings),
        "pings": len(pings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rows", type=int, default=200000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {
            **os.environ,
            "BENCH_DB": f"sqlite:///{tmp}/bench.db",
            "BENCH_ROWS": str(args.rows),
            "PYTHONPATH": str(ROOT),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.event_loop:app", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/ping", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.05)
            print(
                f"{args.clients} clients on the slow handler, {args.seconds:g} s each, one /ping probe"
            )
            print(
                f"{'handler':<12}{'slow req/s':>12}{'ping p50 ms':>14}{'ping p95 ms':>14}{'ping max ms':>14}"
            )
            for variant in ("async", "def"):
                r = run(base, variant, args.clients, args.seconds)
                print(
                    f"{variant + ' def' if variant == 'async' else 'def':<12}{r['slow_per_s']:>12.1f}"
                    f"{r['ping_p50']:>14.1f}{r['ping_p95']:>14.1f}{r['ping_max']:>14.1f}"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
