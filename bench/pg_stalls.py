"""Catch the rare PostgreSQL stalls of the uncached pages in the act.

    .venv/bin/python bench/pg_stalls.py --rounds 5 --out /tmp/stalls

Builds 1,000 published initiatives on PostgreSQL and starts the servers as
bench/public_pages.py does, then drives the two endpoints that stall (the
public record API and the initiative page, with a session cookie so that the
page cache does not answer) with `wrk` for 10 s each, `--rounds` times. Beside
the load, a watcher polls `pg_stat_activity`: when a connection has been "idle
in transaction" for `--after` seconds, it prints those backends and writes a
`py-spy dump` of every web worker to `--out`, then summarises each thread as
its innermost frame and its innermost frame in `app/`. With each stalled
backend it prints the bytes waiting unread in its socket (`ss`).

What it found (README, "Eighth pass"): during a stall the web workers' threads
wait for PostgreSQL's answers, while the backends show "idle in transaction"
with the client's next message (a `BEGIN`, the page's query or a `COMMIT`:
11, 104 or 12 bytes) unread in their sockets: they were not being given the
CPU. The kernel's grouping of processes by session (`autogroup`) is the cause:
23 stalls over 100 runs with it on, none over 40 runs with it off.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import public_pages as bench

STALLED = """
    SELECT pid, wait_event, round(extract(epoch FROM now() - state_change)::numeric, 2),
           left(regexp_replace(query, '\\s+', ' ', 'g'), 60)
    FROM pg_stat_activity
    WHERE state = 'idle in transaction' AND now() - state_change > make_interval(secs => %s)
"""


def summary(dump: str) -> Counter[str]:
    """Each thread of a `py-spy dump` as "innermost frame | innermost app/ frame"."""
    threads: Counter[str] = Counter()
    for block in re.split(r"\n(?=Thread )", dump)[1:]:
        frames = [line.strip() for line in block.splitlines()[1:] if line.strip()]
        mine = next((f for f in frames if "app/" in f), "")
        threads[f"{frames[0] if frames else '?'} | {mine}"] += 1
    return threads


def unread_bytes() -> dict[int, int]:
    """Bytes waiting unread in each PostgreSQL process's sockets, by pid (`ss -xpn`)."""
    waiting: dict[int, int] = {}
    listing = subprocess.run(["ss", "-xpn"], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        found = re.search(r'\("postgres",pid=(\d+),', line)
        if found and line.split()[1] == "ESTAB":
            pid = int(found.group(1))
            waiting[pid] = waiting.get(pid, 0) + int(line.split()[2])
    return waiting


def watch(url: str, workers: list[int], out: Path, after: float, stop: threading.Event) -> None:
    caught = 0
    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(STALLED, (after,)).fetchall()
            if rows:
                caught += 1
                unread = unread_bytes()
                print(f"  stall {caught} (pid, wait, seconds idle, last query, bytes unread):")
                for row in rows:
                    print(f"    {(*row, unread.get(row[0]))}", flush=True)
                for pid in workers:
                    dump = subprocess.run(
                        [str(bench.ROOT / ".venv" / "bin" / "py-spy"), "dump", "--pid", str(pid)],
                        capture_output=True,
                        text=True,
                    ).stdout
                    (out / f"stall-{caught}-{pid}.txt").write_text(dump)
                    for line, n in summary(dump).most_common():
                        print(f"    {pid}: {n} × {line}", flush=True)
                time.sleep(1)  # one dump per stall
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--after", type=float, default=0.4, help="seconds idle in transaction")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "stalls")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"autogroup {bench.autogroup()}")
    var_dir = Path(tempfile.mkdtemp(prefix="bench-stalls-"))
    with bench.database("postgresql", "bench_stalls") as db_url:
        env = bench.environment(var_dir, db_url)
        data = bench.build(env, 1000, 0)
        port = bench.free_port()
        with bench.servers(env, port, 2) as web:
            workers = bench.children(web.pid)
            stop = threading.Event()
            plain_url = db_url.replace("postgresql+psycopg://", "postgresql://")
            watcher = threading.Thread(
                target=watch, args=(plain_url, workers, args.out, args.after, stop), daemon=True
            )
            watcher.start()
            paths = {
                "record API": f"/api/v1/catalogue/{data['first']}",
                "initiative page": f"/catalogue/{data['first']}",
            }
            for round_ in range(args.rounds):
                for label, path in paths.items():
                    r = bench.wrk(
                        f"http://127.0.0.1:{port}{path}",
                        16,
                        10,
                        workers,
                        headers=("Cookie: portal_session=bench",),
                    )
                    print(f"{round_} {label}: {r['rps']:.0f} req/s, p99 {r['p99']:.0f} ms")
            stop.set()
            watcher.join(5)


if __name__ == "__main__":
    main()
