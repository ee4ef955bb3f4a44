"""Benchmark of the reports domain on PostgreSQL: statistics, weekly report, open data.

    .venv/bin/python bench/reports.py --n 100000 [--clients 16] [--seconds 30]

Starts a throwaway PostgreSQL cluster (the test suite's helper; needs the server
binaries), migrates it and bulk-loads ``--n`` initiatives with about ten history
events each (1,000,000 for --n 100000). **Shortcut:** rows are written with COPY,
not through the services: the history rows carry placeholder hashes (not a valid
chain) and published initiatives have no certificate rows. The figures only read
statuses and times, so this does not change what is measured.

Then measures:

* the public statistics: one cold computation (the grouped SQL queries over the history),
  then ``GET /api/v1/statistics`` and ``GET /statistics`` from ``--clients`` concurrent
  anonymous clients against uvicorn on loopback for ``--seconds`` (p50/p95, throughput):
  answered from the snapshot of the current history watermark;
* building the weekly report of the last full week (three cutoffs);
* the coordinator dashboard's figures, without and with a saved view (two fields, two
  provinces): the live counts (grouped in SQL) plus the history figures, cold (the
  view's snapshot computed) and warm (served from the snapshot);
* the full open-data regeneration (CSV, JSON, XLSX, ZIP) in a child process, with
  its wall time and peak memory, at ``--n`` and at a tenth of it (memory that does
  not grow with the data shows as about the same peak). The peak is the child's own
  VmHWM: ``ru_maxrss`` survives fork and exec, so it would count this process's
  memory at the fork (which grows with ``--n``) as the export's.

Every figure is printed with the load average: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATH = [
    "submitted", "screening", "returned_for_revision", "submitted", "screening", "in_review",
    "returned_for_revision", "submitted", "screening", "in_review", "selected", "published",
    "commercialising",
]  # fmt: skip
PROVINCES = ["Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng", "Huế", "Cần Thơ", "Hải Phòng", "Nghệ An", "Lào Cai"]  # fmt: skip


def backend_cpu(session) -> float:
    """CPU seconds used so far by this session's PostgreSQL backend (same machine: /proc)."""
    from sqlalchemy import text

    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(session, fn) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of this process plus its PostgreSQL backend: on a
    shared machine the CPU time is what the same work would take alone (parallel
    workers are switched off so all the database's work is the backend's)."""
    from sqlalchemy import text

    session.execute(text("SET max_parallel_workers_per_gather = 0"))
    cpu, backend, wall = time.process_time(), backend_cpu(session), time.perf_counter()
    fn()
    wall = time.perf_counter() - wall
    return wall, time.process_time() - cpu + backend_cpu(session) - backend


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def load(url: str, n: int, seed: int = 7) -> int:
    """Bulk-load n initiatives and their histories; returns the number of events."""
    import psycopg
    from sqlmodel import Session, select

    from app.accounts import service as accounts
    from app.accounts.models import Organisation, OrganisationType, Role
    from app.db import make_engine
    from app.initiatives.models import Field

    rng = random.Random(seed)
    engine = make_engine(url)
    with Session(engine) as session:
        user = accounts.create_user(
            session, email="bench@example.vn", full_name="Bench", password="Mật-khẩu-đủ-dài-1",
            roles=(Role.submitter,), verified=True,
        )  # fmt: skip
        orgs = [
            Organisation(name=f"Tổ chức {i}", type=list(OrganisationType)[i % 7]) for i in range(50)
        ]
        session.add_all(orgs)
        session.commit()
        user_id, org_ids = user.id, [o.id for o in orgs]
        field_ids = list(session.exec(select(Field.id).where(Field.parent_id.is_(None))))
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    start_all = datetime(2025, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    events = 0
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY initiative (id, receipt_code, status, submitter_id, organisation_id, field_id,"
            " title, summary, problem, solution, novelty, feasibility, impact, resources_wanted,"
            " resources_note, keywords, trl, province, ip_status, submitted_at, published_at,"
            " created_at, updated_at, stage_entered_at) FROM STDIN"
        ) as copy_init:
            histories = []
            for i in range(1, n + 1):
                length = rng.randint(7, 13)
                t = start_all + timedelta(seconds=rng.randint(0, 660 * 86400))
                steps = []
                for status in PATH[:length]:
                    if t > now:
                        break
                    steps.append((status, t))
                    t += timedelta(seconds=rng.randint(43200, 15 * 86400))
                if not steps:
                    steps = [("submitted", now - timedelta(days=1))]
                histories.append(steps)
                published = next((s[1] for s in steps if s[0] == "published"), None)
                copy_init.write_row(
                    (
                        i, f"SK-{steps[0][1].year}-{i:06d}", steps[-1][0], user_id,
                        rng.choice(org_ids), rng.choice(field_ids), f"Sáng kiến số {i}",
                        "Tóm tắt công khai", "Vấn đề", "Giải pháp", "Điểm mới", "Khả thi",
                        "Tác động", "[]", "", '["năng lượng", "nông nghiệp"]',
                        rng.randint(1, 9), rng.choice(PROVINCES), "none", steps[0][1],
                        published, steps[0][1], steps[-1][1], steps[-1][1],
                    )
                )  # fmt: skip
        with cur.copy(
            "COPY initiative_event (initiative_id, seq, actor_id, from_status, to_status, reason,"
            " created_at, fingerprint, prev_hash, hash) FROM STDIN"
        ) as copy_events:
            for i, steps in enumerate(histories, 1):
                previous = "draft"
                for seq, (status, at) in enumerate(steps, 1):
                    copy_events.write_row(
                        (i, seq, None, previous, status, None, at, None, "0" * 64, "0" * 64)
                    )
                    previous = status
                    events += 1
        cur.execute("SELECT setval(pg_get_serial_sequence('initiative', 'id'), %s)", (n,))
        cur.execute(
            "INSERT INTO stage_target (stage, valid_from, working_days, unit_vi, unit_en)"
            " VALUES ('submitted', '2024-01-01', 2, 'Văn phòng', 'Office'),"
            " ('screening', '2024-01-01', 5, 'Vụ Đánh giá', 'Assessment'),"
            " ('in_review', '2024-01-01', 15, 'Hội đồng', 'Council'),"
            " ('selected', '2024-01-01', 5, 'Cục Thông tin', 'Information agency')"
        )
        cur.execute("ANALYZE")
    return events


def start_server(url: str, var_dir: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": url,
        "ENVIRONMENT": "development",
        "RUN_WORKER_IN_APP": "false",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the portal did not start")


def hammer(base: str, path: str, clients: int, seconds: float) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, response.status_code
                with lock:
                    latencies.append(elapsed)

    began = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.monotonic() - began


CHILD = """
import json, sys, time
from sqlmodel import Session
from app import config
from app.db import make_engine
config.configure(config.Settings(_env_file=None, database_url=sys.argv[1], var_dir=sys.argv[2]))
from app import domains
domains.load_models()
from app.reports import opendata

def mib(key):  # this process's own resident memory: VmRSS now, VmHWM its peak
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(key)) / 1024

steps = {"start": mib("VmHWM")}
write = opendata._write_dataset
def measured(session, ds, folder, book):
    n = write(session, ds, folder, book)
    steps[ds.name] = mib("VmHWM")
    return n
opendata._write_dataset = measured
with Session(make_engine(sys.argv[1])) as session:
    started = time.perf_counter()
    info = opendata.regenerate(session)
    elapsed = time.perf_counter() - started
steps["end"] = mib("VmHWM")
print(json.dumps({"seconds": elapsed, "peak_mib": mib("VmHWM"), "steps": {k: round(v) for k, v in steps.items()}, "counts": info["counts"]}))
"""


def export(url: str, var_dir: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(var_dir)], cwd=ROOT, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    from app import config, domains
    from app.migrate import upgrade
    from tests.fixtures.postgres import create_database, running_cluster

    domains.load_models()
    print(f"load average at start: {load_average()}", flush=True)
    with running_cluster() as cluster, tempfile.TemporaryDirectory() as tmp:
        results: dict[str, object] = {}
        for label, n in (("tenth", args.n // 10), ("full", args.n)):
            url = create_database(cluster.url(), f"bench_reports_{label}")
            upgrade(url)
            started = time.perf_counter()
            events = load(url, n)
            print(f"[{label}] loaded {n:,} initiatives, {events:,} events in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
            results[label] = export(url, Path(tmp) / label)
            print(f"[{label}] open data: {results[label]}; load {load_average()}", flush=True)
        config.configure(
            config.Settings(_env_file=None, database_url=url, var_dir=Path(tmp) / "app")
        )
        from sqlmodel import Session, select

        from app.db import make_engine, utcnow
        from app.initiatives.models import Field
        from app.reports import dashboard, service, weekly
        from app.reports.figures import ALL, Scope

        with Session(make_engine(url)) as session:
            cold, cold_cpu = timed(session, lambda: service.statistics(session))
            print(f"statistics, one cold computation: {cold:.2f} s (CPU {cold_cpu:.2f} s); load {load_average()}", flush=True)  # fmt: skip
            monday = weekly.last_full_week(utcnow())
            week, week_cpu = timed(session, lambda: weekly.build(session, monday))
            print(f"weekly report build ({monday.isoformat()}): {week:.2f} s (CPU {week_cpu:.2f} s); load {load_average()}", flush=True)  # fmt: skip
            fields = sorted(session.exec(select(Field.id).where(Field.parent_id.is_(None))))[:2]
            view = Scope(tuple(fields), ("Hà Nội", "Huế"))
            service.clear_cache()
            service.public_statistics(session)  # the public snapshot, kept warm by the site

            def page(scope: Scope) -> None:  # what GET /dashboard computes
                dashboard.summary(session, scope)
                service.public_statistics(session, scope)

            for label, scope in (("no view", ALL), ("saved view, 2 fields x 2 provinces", view)):
                first, first_cpu = timed(session, lambda s=scope: page(s))
                warm = [timed(session, lambda s=scope: page(s))[0] for _ in range(5)]
                print(f"dashboard, {label}: first {first:.2f} s (CPU {first_cpu:.2f} s), then median {statistics.median(warm) * 1000:.0f} ms; load {load_average()}", flush=True)  # fmt: skip
        server = start_server(url, Path(tmp) / "srv", args.port)
        try:
            base = f"http://127.0.0.1:{args.port}"
            started = time.perf_counter()
            httpx.get(base + "/api/v1/statistics", timeout=600)  # fills the cache
            print(f"first request (cold cache): {time.perf_counter() - started:.2f} s")
            for path in ("/api/v1/statistics", "/statistics"):
                latencies, took = hammer(base, path, args.clients, args.seconds)
                p50, p95 = percentiles(latencies)
                print(
                    f"GET {path}, {args.clients} clients, {took:.0f} s: {len(latencies)} requests,"
                    f" p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms,"
                    f" {len(latencies) / took:.0f} req/s; load {load_average()}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(10)
        print(f"load average at end: {load_average()}")
        full, tenth = results["full"], results["tenth"]
        print(f"open data, full: {full['seconds']:.1f} s, peak RSS {full['peak_mib']:.0f} MiB;"  # type: ignore[index]
              f" a tenth: {tenth['seconds']:.1f} s, peak RSS {tenth['peak_mib']:.0f} MiB")  # type: ignore[index]  # fmt: skip


if __name__ == "__main__":
    main()
