"""Benchmark of the public pages, publication → searchable, and the submit path.

    .venv/bin/python bench/public_pages.py --db sqlite --sizes 1000,20000
    .venv/bin/python bench/public_pages.py --db postgresql --sizes 1000,100000 --seconds 20

First (unless `--no-load`), the **host baseline**: bench/bare.py's one-endpoint FastAPI app
served and driven exactly as below, so that figures from different hosts can be compared.
On PostgreSQL with `--submitters`, then the **submit baseline**: bench/bare.py's plainest
create + submit (the portal's shape of SQL, none of its checks), through SQLModel's ORM and
through SQLAlchemy Core, served and driven as the portal's submit path below: what this
stack itself costs per submission on this host, and the latency 30 clients see at best.

For each database and size:

1. **Data.** A fresh database is migrated (`portal migrate`, so the real
   schema and field taxonomy) and filled with `size` published initiatives
   whose text comes from bench/vn_text.py. *Shortcut:* these rows are
   inserted in bulk with status `published` (no history events, versions or
   certificates), because walking 100,000 initiatives through the workflow
   one by one takes hours here. The search index is then built by the real
   code (`portal reindex`, documents read from the database rows). What is
   timed below goes through the real code paths: publication uses
   `publication.service.publish` and submissions use the HTTP API.
2. **Server.** `portal serve --workers N` (SO_REUSEPORT workers, see
   app/server.py) with `ENVIRONMENT=production`, plus a separate
   `portal worker`, as the production image runs them.
3. **Public pages.** `wrk` (Debian package) holds `--connections` connections
   for `--seconds` against each endpoint; req/s, p50, p99 and errors
   (socket errors + non-2xx/3xx) are printed, with the CPU time each web
   worker used during the run (both workers busy = load is spread).
4. **Publication → searchable.** `--publish` initiatives are published one
   at a time through the real service in this process; each is looked up
   through the search API until it is found; p50/p95 of the delay.
5. **Submit path** (`--submitters` concurrent API clients, each creating a
   complete draft and submitting it, near-duplicate check included).
6. **Memory:** the resident size (VmRSS) of each server process.

The machine's load average is printed at the start of each run: the figures
are only comparable with it. `--settle 1.0` waits after each size's build until the
load average has fallen below 1.0, so a large size is not measured in the wake of its
own bulk load and reindex.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import vn_text  # noqa: E402 (after the sys.path entry)
from bench.vn_text import initiatives  # noqa: E402

PORTAL = str(ROOT / ".venv" / "bin" / "portal")
PASSWORD = "Bench-password-2026!"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def settle(below: float, longest: float = 600.0) -> None:
    """Wait (at most `longest` seconds) until the one-minute load average is below `below`:
    a size's figures then do not carry its own bulk load and reindex (`--settle`)."""
    began = time.monotonic()
    while float(load_average().split()[0]) >= below and time.monotonic() - began < longest:
        time.sleep(5)
    print(f"  settled for {time.monotonic() - began:.0f} s (load average {load_average()})")


AUTOGROUP = Path("/proc/sys/kernel/sched_autogroup_enabled")


def autogroup() -> str:
    """The kernel's CPU grouping by session: "on", "off" or "absent". With it on, the
    PostgreSQL cluster (pg_ctl starts it in a session of its own) stalled for 0.4-3.5 s
    beside the busy servers now and then (23 stalls over 100 ten-second runs); never with it
    off (bench/pg_stalls.py, README "Eighth pass")."""
    try:
        return "on" if AUTOGROUP.read_text().strip() == "1" else "off"
    except OSError:
        return "absent"


# -- data -----------------------------------------------------------------------


def environment(var_dir: Path, db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": db_url,
        "SEARCH_BACKEND": "tantivy",
        "RUN_WORKER_IN_APP": "false",
        "BASE_URL": "http://127.0.0.1",
    }


def configure_here(env: dict[str, str]) -> None:
    """Use the same settings in this process (publishing, accounts)."""
    from app import config

    os.environ.update({k: env[k] for k in ("VAR_DIR", "DATABASE_URL", "SEARCH_BACKEND")})
    config.configure(
        config.Settings(
            _env_file=None,
            environment="development",
            database_url=env["DATABASE_URL"],
            var_dir=Path(env["VAR_DIR"]),
            search_backend="tantivy",
            run_worker_in_app=False,
        )
    )


def build(env: dict[str, str], size: int, selected: int) -> dict[str, Any]:
    """Migrate, insert `size` published (+ `selected` ready to publish) initiatives, reindex."""
    subprocess.run([PORTAL, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    configure_here(env)
    from sqlalchemy import insert
    from sqlmodel import select

    from app import domains
    from app.accounts import service as accounts
    from app.accounts.models import Organisation, OrganisationType, Role
    from app.db import make_engine, unit_of_work
    from app.initiatives.models import CoAuthor, Field, Initiative

    domains.load_models()
    domains.load_tasks()
    engine = make_engine(env["DATABASE_URL"])
    with unit_of_work(engine) as session:
        fields = {
            f.code: f.id for f in session.exec(select(Field).where(Field.parent_id.is_(None)))
        }
        coordinator = accounts.create_user(
            session,
            email="coordinator@bench.vn",
            full_name="Điều phối viên",
            password=PASSWORD,
            roles=(Role.coordinator,),
            verified=True,
        )
        owner = accounts.create_user(
            session,
            email="owner@bench.vn",
            full_name="Tác giả mẫu",
            password=PASSWORD,
            verified=True,
        )
        orgs: dict[tuple[str, str], int] = {}
        org_types = {
            "university": OrganisationType.university,
            "institute": OrganisationType.research_institute,
            "agency": OrganisationType.state_agency,
        }
        session.flush()
        ids = {"coordinator": coordinator.id, "owner": owner.id}
    field_ids = list(fields.values())
    started = time.monotonic()
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for k, doc in enumerate(initiatives(size + selected)):
            key = (doc["province"], doc["organisation_type"])
            if key not in orgs:
                org_id = conn.execute(
                    insert(Organisation).values(
                        name=doc["organisation"],
                        name_key=f"bench {len(orgs)}",
                        type=org_types.get(doc["organisation_type"], OrganisationType.enterprise),
                        province=doc["province"],
                    )
                ).inserted_primary_key[0]
                orgs[key] = org_id
            when = datetime.fromtimestamp(doc["published_at"], UTC)
            published = k < size
            batch.append(
                {
                    "status": "published" if published else "selected",
                    "receipt_code": f"BENCH-{k:07d}",
                    "submitter_id": ids["owner"],
                    "organisation_id": orgs[key],
                    "field_id": field_ids[k % len(field_ids)],
                    "title": doc["title"] + ("" if published else f" mẫu công bố {k}"),
                    "summary": doc["summary"],
                    "problem": "Vấn đề cần giải quyết.",
                    "solution": "Giải pháp kỹ thuật.",
                    "novelty": "Điểm mới.",
                    "feasibility": "Khả thi.",
                    "impact": "Tác động rộng.",
                    "resources_wanted": [],
                    "resources_note": "",
                    "keywords": doc["keywords"],
                    "trl": doc["trl"],
                    "province": doc["province"],
                    "ip_status": "none",
                    "submitted_at": when,
                    "published_at": when if published else None,
                    "created_at": when,
                    "updated_at": when,
                    "stage_entered_at": when,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(Initiative), batch)
                batch = []
        if batch:
            conn.execute(insert(Initiative), batch)
    with engine.begin() as conn:
        rows = conn.execute(select(Initiative.id)).all()
        conn.execute(
            insert(CoAuthor),
            [
                {
                    "initiative_id": r[0],
                    "user_id": ids["owner"],
                    "full_name": "Tác giả mẫu",
                    "share_percent": 100,
                    "is_submitter": True,
                    "position": 0,
                    "can_edit": True,
                }
                for r in rows
            ],
        )
    inserted = time.monotonic() - started
    started = time.monotonic()
    subprocess.run([PORTAL, "reindex"], env=env, check=True, stdout=subprocess.DEVNULL)
    indexed = time.monotonic() - started
    with unit_of_work(engine) as session:
        first = session.exec(
            select(Initiative.id).where(Initiative.status == "published").order_by(Initiative.id)
        ).first()
        to_publish = list(
            session.exec(
                select(Initiative.id).where(Initiative.status == "selected").order_by(Initiative.id)
            )
        )
    print(f"  data: {size} published inserted in {inserted:.1f} s, indexed in {indexed:.1f} s")
    return {"first": first, "to_publish": to_publish, "fields": fields, **ids}


# -- servers --------------------------------------------------------------------


@contextlib.contextmanager
def servers(env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen]:
    log = open(Path(env["VAR_DIR"]) / "server.log", "w")  # noqa: SIM115 (closed below)
    web = subprocess.Popen(
        [PORTAL, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen([PORTAL, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or web.poll() is not None:
                raise RuntimeError("the server did not start; see server.log")
            time.sleep(0.3)
        while len(listening(port)) < workers:  # every worker process is accepting
            if time.monotonic() > deadline:
                raise RuntimeError("not every web worker started; see server.log")
            time.sleep(0.3)
        for _ in range(workers * 10):  # every worker has loaded the app and warmed its caches
            httpx.get(f"http://127.0.0.1:{port}/search", timeout=30)
        yield web
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def listening(port: int) -> list[str]:
    """Listening sockets on `port` (one per SO_REUSEPORT worker)."""
    out = subprocess.run(
        ["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line.strip()]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                command = (entry / "cmdline").read_bytes()
                if b"resource_tracker" not in command:  # multiprocessing's helper, not a worker
                    found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_command() -> dict[int, tuple[str, float]]:
    """Every process's command (first word of its name) and CPU seconds so far."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
                found[int(entry.name)] = (name, cpu_seconds(int(entry.name)))
            except (OSError, IndexError):
                continue
    return found


def cpu_spent(before: dict[int, tuple[str, float]], labels: dict[int, str]) -> dict[str, float]:
    """CPU seconds spent since `before`, summed per label (`labels` names some pids)."""
    spent: dict[str, float] = {}
    for pid, (name, cpu) in cpu_by_command().items():
        label = labels.get(pid, name)
        spent[label] = spent.get(label, 0.0) + cpu - before.get(pid, (name, 0.0))[1]
    return {label: s for label, s in sorted(spent.items(), key=lambda p: -p[1]) if s >= 0.05}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- load -----------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    number, unit = found.groups()
    return float(number) * _UNITS[unit]


def wrk(
    url: str,
    connections: int,
    seconds: int,
    workers: list[int],
    profile: Path | None = None,
    headers: tuple[str, ...] = (),
    script: Path | None = None,
) -> dict[str, Any]:
    before = {pid: cpu_seconds(pid) for pid in workers}
    spy = None
    if profile is not None:  # a sampling profile of the first worker (collapsed stacks)
        spy = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "py-spy"),
                "record",
                "--format",
                "raw",
                "-d",
                str(seconds),
                "-r",
                "200",
                "-o",
                str(profile),
                "-p",
                str(workers[0]),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            *[arg for h in headers for arg in ("-H", h)],
            *(["-s", str(script)] if script else []),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = [round(cpu_seconds(pid) - before[pid], 1) for pid in workers]
    if spy is not None:
        spy.wait(30)
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        errors += int(bad.group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "errors": errors,
        "cpu": cpu,
    }


def endpoints(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("search page", "/search"),
        ("search page q+facet", "/search?q=nang+luong&field=" + next(iter(data["fields"]))),
        ("initiative page", f"/catalogue/{data['first']}"),
        ("search API", "/api/v1/search?q=nang+luong"),
        ("public list API", "/api/v1/search"),
        ("public record API", f"/api/v1/catalogue/{data['first']}"),
    ]


def varied_queries(directory: Path, path: str) -> Path:
    """A wrk script asking `path` with a new two-word query each time (from the words of the
    generated texts, bench/vn_text.py), so neither the page cache nor the engine's kept answers
    have seen it: the whole cost of a search nobody asked before."""
    from search.text import fold, tokenize

    text = " ".join([*vn_text.ACTIONS, *vn_text.CONTEXTS, *vn_text.SENTENCES])
    words = sorted({fold(w) for w in tokenize(text) if len(w) > 2 and "{" not in w})
    script = directory / f"varied-{re.sub(r'[^a-z]+', '-', path)}.lua"
    script.write_text(
        "local words = {" + ", ".join(f'"{w}"' for w in words) + "}\n"
        "local n = 0\n"
        "local threads = 0\n"  # each wrk thread its own sequence: not the same queries twice
        "setup = function(thread) threads = threads + 1; thread:set('id', threads) end\n"
        "init = function(args) math.randomseed(id * 7919); n = id * 1000 end\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local a = words[(n * 7) % #words + 1]\n"
        "  local b = words[math.random(#words)]\n"
        f'  return wrk.format(nil, "{path}" .. a .. "+" .. b .. "&page=" .. (n % 3 + 1))\n'
        "end\n"
    )
    return script


# -- publication → searchable ------------------------------------------------------------


def publication_latency(
    env: dict[str, str], base: str, data: dict[str, Any], n: int
) -> list[float]:
    from app.accounts.models import User
    from app.db import make_engine, unit_of_work
    from app.initiatives.models import Initiative
    from app.publication import service as publication

    engine = make_engine(env["DATABASE_URL"])
    delays = []
    with httpx.Client(base_url=base, timeout=10) as http:
        for initiative_id in data["to_publish"][:n]:
            with unit_of_work(engine) as session:
                initiative = session.get(Initiative, initiative_id)
                coordinator = session.get(User, data["coordinator"])
                assert initiative is not None and coordinator is not None
                publication.publish(session, coordinator, initiative)
                word = initiative.title.split()[-1]
            committed = time.monotonic()
            while True:
                found = http.get("/api/v1/search", params={"q": f"mẫu công bố {word}"}).json()
                if any(int(h["id"]) == initiative_id for h in found.get("hits", [])):
                    break
                if time.monotonic() - committed > 30:
                    raise RuntimeError(f"initiative {initiative_id} not searchable after 30 s")
                time.sleep(0.01)
            delays.append((time.monotonic() - committed) * 1000)
    return delays


# -- submit path -------------------------------------------------------------------


def draft(k: int, field_id: int) -> dict[str, Any]:
    return {
        "title": f"Sáng kiến thử tải số {k} {secrets.token_hex(4)}",
        "summary": f"Tóm tắt của sáng kiến thử tải {k}: quy trình mới {secrets.token_hex(4)}.",
        "problem": "Vấn đề cần giải quyết.",
        "solution": "Giải pháp kỹ thuật.",
        "novelty": "Điểm mới.",
        "feasibility": "Khả thi.",
        "impact": "Tác động rộng.",
        "keywords": ["thử tải"],
        "trl": 4,
        "province": "Hà Nội",
        "field_id": field_id,
    }


def portal_accounts(env: dict[str, str]) -> Callable[[list[str]], None]:
    """The submitters' accounts, made in the portal's database (verified, PASSWORD)."""

    def make(emails: list[str]) -> None:
        from app.accounts import service as accounts
        from app.db import make_engine, unit_of_work

        with unit_of_work(make_engine(env["DATABASE_URL"])) as session:
            for k, email in enumerate(emails):
                accounts.create_user(
                    session,
                    email=email,
                    full_name=f"Người nộp {k}",
                    password=PASSWORD,
                    verified=True,
                )

    return make


def submit_path(
    accounts: Callable[[list[str]], None],
    base: str,
    field_id: int,
    clients: int,
    rounds: int,
    labels: dict[int, str],
    profile: tuple[int, Path] | None = None,
) -> dict[str, Any]:
    """`clients` threads, each signed in (`accounts` makes their accounts first), create a
    complete draft and submit it `rounds` times, as fast as answered (a closed loop)."""
    tag = secrets.token_hex(3)
    accounts([f"s{k}-{tag}@bench.vn" for k in range(clients)])
    timings: list[float] = []
    parts: dict[str, list[float]] = {"create": [], "submit": []}
    errors: list[str] = []
    lock = threading.Lock()
    began: list[float] = []  # when every client has signed in (sign-ins are not timed)
    cpu_before: dict[int, tuple[str, float]] = {}

    def start() -> None:
        cpu_before.update(cpu_by_command())
        began.append(time.monotonic())

    barrier = threading.Barrier(clients, action=start)

    def client(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            signed_in = http.post(
                "/api/v1/auth/token",
                data={"username": f"s{k}-{tag}@bench.vn", "password": PASSWORD},
            )
            if signed_in.status_code != 200:
                barrier.abort()  # the others stop waiting: the run fails, it does not hang
                raise RuntimeError(
                    f"sign-in failed: {signed_in.status_code} {signed_in.text[:200]}"
                )
            http.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
            barrier.wait()
            for r in range(rounds):
                started = time.monotonic()
                created = http.post("/api/v1/initiatives", json=draft(k * 1000 + r, field_id))
                between = time.monotonic()
                submitted = (
                    http.post(f"/api/v1/initiatives/{created.json()['id']}/submit", json={})
                    if created.status_code == 201
                    else created
                )
                ended = time.monotonic()
                with lock:
                    timings.append((ended - started) * 1000)
                    parts["create"].append((between - started) * 1000)
                    parts["submit"].append((ended - between) * 1000)
                    if submitted.status_code != 200:
                        errors.append(f"{submitted.status_code} {submitted.text[:200]}")

    spy = None
    if profile is not None:  # every web worker sampled while the submissions run
        pid, out = profile
        spy = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "py-spy"), "record", "--subprocesses", "--gil"]
            + ["--format", "raw", "-r", "100", "-o", str(out), "-p", str(pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.monotonic() - began[0]
    cpu = cpu_spent(cpu_before, labels)
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
    ordered = sorted(timings)
    return {
        "n": len(timings),
        "per_s": len(timings) / wall,
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        **{f"{name} p95": sorted(t)[int(0.95 * (len(t) - 1))] for name, t in parts.items()},
        "errors": errors,
        "cpu ms per submission": {k: 1000 * v / len(timings) for k, v in cpu.items()},
    }


def print_submit_path(title: str, s: dict[str, Any]) -> None:
    print(
        f"  {title}, {s['n']} create+submit): "
        f"{s['per_s']:.1f}/s, p50 {s['p50']:.0f} ms, p95 {s['p95']:.0f} ms "
        f"(create p95 {s['create p95']:.0f} ms, submit p95 {s['submit p95']:.0f} ms), "
        f"errors {len(s['errors'])} {s['errors'][:2]}"
    )
    spent = ", ".join(f"{k} {v:.1f}" for k, v in s["cpu ms per submission"].items())
    print(f"  CPU per create+submit (ms, by process): {spent}")


def submit_baseline(args: argparse.Namespace) -> None:
    """The submit path's floor on this host: bench/bare.py's submit apps (this stack's
    plainest create + submit, with the portal's shape of SQL; through SQLModel's ORM, then
    through SQLAlchemy Core) served as the portal is, on a fresh database of the same
    kind, driven by the same clients."""
    from bench import bare

    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-bare-{args.db}-"))
    try:
        with database(args.db, "bench_bare") as pg_url:
            url = pg_url or f"sqlite:///{var_dir / 'bare.db'}"
            bare.setup_submit_tables(url)
            print(f"submit baseline ({args.db}, load average {load_average()}):")
            for title, factory in (
                ("bare FastAPI + SQLModel", "create_submit_app"),
                ("bare FastAPI + SQLAlchemy Core", "create_core_submit_app"),
            ):
                with bare_app(factory, args.workers, {bare.SUBMIT_DATABASE: url}) as (
                    base,
                    workers,
                ):
                    labels = {pid: "web worker" for pid in workers}
                    labels[os.getpid()] = "bench client"
                    s = submit_path(
                        lambda emails: None,  # the bare app makes an account at its first sign-in
                        base,
                        1,
                        args.submitters,
                        args.rounds,
                        labels,
                    )
                    print_submit_path(f"{title} ({args.submitters} clients", s)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


# -- main ---------------------------------------------------------------------


@contextlib.contextmanager
def database(kind: str, name: str) -> Iterator[str]:
    if kind == "sqlite":
        yield ""
        return
    from tests.fixtures.postgres import create_database, running_cluster

    with running_cluster() as cluster:
        yield create_database(cluster.url(), name)


@contextlib.contextmanager
def bare_app(
    factory: str, workers: int, env: dict[str, str] | None = None
) -> Iterator[tuple[str, list[int]]]:
    """bench/bare.py's app `factory` served as the portal is (`app.server.serve`, `workers`
    processes); yields (its base URL, the worker processes) once every worker accepts."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from app.server import serve; "
            f"serve('127.0.0.1', {port}, {workers}, app='bench.bare:{factory}')",
        ],
        env={
            **os.environ,
            **(env or {}),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
            ),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(listening(port)) < workers:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"bench.bare:{factory} did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", children(server.pid)
    finally:
        server.terminate()
        server.wait(30)


def host_baseline(args: argparse.Namespace) -> None:
    """What this host serves at best: bench/bare.py's 20-hit JSON page, served and driven
    as the portal's endpoints are. The portal's figures are comparable across hosts as a
    share of this one (see bench/bare.py)."""
    with bare_app("create_app", args.workers) as (base, workers):
        for _ in range(args.workers * 10):
            httpx.get(f"{base}/hits", timeout=10)
        r = wrk(f"{base}/hits", args.connections, args.seconds, workers)
        print(
            f"host baseline (bare FastAPI, 20-hit JSON, {args.workers} workers, load average "
            f"{load_average()}): {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, "
            f"p99 {r['p99']:.1f} ms, errors {r['errors']}, cpu s/worker {r['cpu']}"
        )


def run(args: argparse.Namespace, size: int) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-{args.db}-{size}-"))
    try:
        with database(args.db, f"bench_{size}") as pg_url:
            db_url = pg_url or f"sqlite:///{var_dir / 'portal.db'}"
            env = environment(var_dir, db_url)
            print(
                f"\n== {args.db}, {size} published (load average {load_average()}, "
                f"autogroup {autogroup()}) =="
            )
            data = build(env, size, args.publish)
            if args.settle:
                settle(args.settle)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            with servers(env, port, args.workers) as web:
                workers = children(web.pid)
                print(
                    f"  {'endpoint':<32}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  cpu s/worker"
                )
                runs = [(label, path, ()) for label, path in endpoints(data)]
                # A (meaningless) session cookie sends the request past the page cache:
                # the full work of a first request, or of a signed-in visitor's.
                runs += [
                    (f"{label} (uncached)", path, ("Cookie: portal_session=bench",))
                    for label, path in endpoints(data)
                ]
                varied = [
                    (f"{label} (varied queries)", path, varied_queries(var_dir, path))
                    for label, path in (
                        ("search page", "/search?q="),
                        ("search API", "/api/v1/search?q="),
                    )
                ]
                for label, path, headers, script in (
                    [
                        *[(label, path, headers, None) for label, path, headers in runs],
                        *[(label, path, (), script) for label, path, script in varied],
                    ]
                    if not args.no_load
                    else []
                ):
                    profile = None
                    if args.profile:
                        args.profile.mkdir(parents=True, exist_ok=True)
                        name = re.sub(r"\W+", "_", label)
                        profile = args.profile / f"{args.db}-{size}-{name}.txt"
                    r = wrk(
                        base + path,
                        args.connections,
                        args.seconds,
                        workers,
                        profile,
                        headers,
                        script,
                    )
                    print(
                        f"  {label:<32}{r['rps']:>8.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
                        f"{r['errors']:>8}  {r['cpu']}"
                    )
                if args.publish:
                    delays = sorted(publication_latency(env, base, data, args.publish))
                    print(
                        f"  publication → searchable ({len(delays)}): p50 "
                        f"{statistics.median(delays):.0f} ms, p95 "
                        f"{delays[int(0.95 * (len(delays) - 1))]:.0f} ms"
                    )
                if args.submitters:
                    spied = None
                    if args.profile:
                        args.profile.mkdir(parents=True, exist_ok=True)
                        spied = (web.pid, args.profile / f"{args.db}-{size}-submit.txt")
                    labels = {pid: "web worker" for pid in workers}
                    labels[os.getpid()] = "bench client"
                    s = submit_path(
                        portal_accounts(env),
                        base,
                        next(iter(data["fields"].values())),
                        args.submitters,
                        args.rounds,
                        labels,
                        spied,
                    )
                    print_submit_path(f"submit path ({args.submitters} clients", s)
                rss = [f"{rss_mib(pid):.0f}" for pid in workers]
                print(
                    f"  memory (VmRSS MiB): web workers {', '.join(rss)}; supervisor {rss_mib(web.pid):.0f}"
                )
            print(f"  load average after: {load_average()}")
    finally:
        from app.db import dispose_engines

        dispose_engines()
        shutil.rmtree(var_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--publish", type=int, default=20, help="publications timed")
    parser.add_argument("--submitters", type=int, default=30, help="0 skips the submit path")
    parser.add_argument("--rounds", type=int, default=3, help="create+submit per submitter")
    parser.add_argument("--profile", type=Path, help="write py-spy profiles of one worker here")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="after building a size, wait until the load average is below this (at most 10 min)",
    )
    parser.add_argument(
        "--no-load", action="store_true", help="only publication latency, submissions, memory"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    if not args.no_load:
        host_baseline(args)
    if args.submitters and args.db == "postgresql":  # the database of the submit target
        submit_baseline(args)
    for size in (int(s) for s in args.sizes.split(",")):
        run(args, size)


if __name__ == "__main__":
    main()
