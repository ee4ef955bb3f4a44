"""Benchmark of the catalogue search through the HTTP API against the raw engine.

    .venv/bin/python bench/search_api.py --n 100000 [--clients 8] [--requests 2000] [--seconds 60]

Generates ``--n`` published-initiative documents (bench/vn_text.py), builds
the embedded index with ``Engine.rebuild``, starts the portal with uvicorn on
127.0.0.1 (a fresh SQLite database: the search endpoint serves the engine's
stored documents and reads no row per hit), then times 1–3 word unaccented
searches with a field filter:

* through ``GET /api/v1/search`` with ``--clients`` concurrent clients
  (bounded by ``--requests`` and ``--seconds``, loopback only);
* on the raw engine, in this process, for the same queries: one engine query
  with the same filter, facets and highlights, one at a time and with the
  same concurrency.

Every measurement also runs one client at a time. The API's own work per
request is two engine queries (the results with the other facets' counts,
and the filtered facet's counts without its own filter), the HTTP and JSON
layers; on a 2-core machine the client threads share the CPU with the server.

Prints p50/p95 latencies, throughput, the ratio API p95 / engine p95, and
the bytes of the search page (HTML + CSS + JS, raw and gzip).
"""

from __future__ import annotations

import argparse
import gzip
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_engine import make_queries  # noqa: E402 (after the sys.path entry)
from bench.vn_text import initiatives  # noqa: E402 (after the sys.path entry)
from search import Query, make_engine  # noqa: E402 (after the sys.path entry)
from search.documents import INITIATIVE_SETTINGS  # noqa: E402 (after the sys.path entry)

FACETS = ["field_code", "province", "organisation_type", "trl", "ip_status", "publication_year"]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def documents(n: int):
    """The generator's documents with numeric ids, as the portal's initiatives have."""
    for k, doc in enumerate(initiatives(n), start=1):
        yield {**doc, "id": str(k)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(var_dir: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'portal.db'}",
        "ENVIRONMENT": "development",
        "RUN_WORKER_IN_APP": "false",
        "SEARCH_BACKEND": "tantivy",
    }
    subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the portal did not start")


def concurrent(
    work: list, run: Callable[[object], None], clients: int, seconds: float
) -> tuple[list[float], float]:
    """Run `run(item)` for every item with `clients` threads; returns latencies (ms) and elapsed s."""
    todo: queue.Queue = queue.Queue()
    for item in work:
        todo.put(item)
    samples: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop_at:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            start = time.perf_counter()
            run(item)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                samples.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, time.perf_counter() - start


def page_bytes(base: str) -> None:
    html = httpx.get(f"{base}/search", params={"q": "nang luong", "field": "CNXD"}).content
    assets = [
        httpx.get(f"{base}{path}").content
        for path in (
            "/static/css/portal.css",
            "/static/css/catalogue.css",
            "/static/js/portal.js",
            "/static/js/catalogue.js",
        )
    ]
    raw = len(html) + sum(len(a) for a in assets)
    packed = len(gzip.compress(html)) + sum(len(gzip.compress(a)) for a in assets)
    print(
        f"\nsearch page      HTML {len(html):,} B + CSS {len(assets[0]) + len(assets[1]):,} B "
        f"+ JS {len(assets[2]) + len(assets[3]):,} B = {raw:,} B ({packed:,} B gzip)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--requests", type=int, default=2000, help="searches per measurement (upper bound)"
    )
    parser.add_argument("--seconds", type=float, default=60, help="time limit per measurement")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    server = None
    try:
        engine = make_engine("tantivy", path=var_dir / "search", settings=INITIATIVE_SETTINGS)
        engine.ensure_index()
        start = time.perf_counter()
        engine.rebuild(documents(args.n))
        build = time.perf_counter() - start
        print(f"documents        {args.n:,}")
        print(f"index build      {build:.1f} s ({args.n / build:,.0f} docs/s)")

        queries = make_queries(max(args.requests, 100))
        port = free_port()
        server = start_server(var_dir, port)
        base = f"http://127.0.0.1:{port}"

        local = threading.local()

        def api(item) -> None:
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=base, timeout=30)
            text, code = item
            response = local.client.get("/api/v1/search", params={"q": text, "field": code})
            response.raise_for_status()

        def raw(item) -> None:
            text, code = item
            engine.search(Query(text=text, filters={"field_code": [code]}, facets=FACETS))

        for item in queries[:50]:  # warm both paths
            api(item)
            raw(item)

        api_seq, api_seq_elapsed = concurrent(queries, api, 1, args.seconds)
        api_samples, api_elapsed = concurrent(queries, api, args.clients, args.seconds)
        raw_seq, raw_seq_elapsed = concurrent(queries, raw, 1, args.seconds)
        raw_samples, raw_elapsed = concurrent(queries, raw, args.clients, args.seconds)

        print(
            "\nqueries          1–3 unaccented words + a field filter, 6 facet counts, highlights, top 20"
        )
        print(f"{'':28} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'count':>7}")
        rows = [
            ("API, 1 client", api_seq, len(api_seq) / api_seq_elapsed),
            ("engine, 1 thread", raw_seq, len(raw_seq) / raw_seq_elapsed),
            (f"API, {args.clients} clients", api_samples, len(api_samples) / api_elapsed),
            (f"engine, {args.clients} threads", raw_samples, len(raw_samples) / raw_elapsed),
        ]
        for name, samples, rate in rows:
            p50, p95 = percentiles(samples)
            print(f"{name:28} {p50:8.2f} {p95:8.2f} {rate:8.0f} {len(samples):7}")
        print(
            f"\nratio API p95 / engine p95: {percentiles(api_seq)[1] / percentiles(raw_seq)[1]:.2f} "
            f"(one at a time), {percentiles(api_samples)[1] / percentiles(raw_samples)[1]:.2f} "
            f"({args.clients} concurrent); API {args.clients} clients vs engine one at a time: "
            f"{percentiles(api_samples)[1] / percentiles(raw_seq)[1]:.2f}"
        )
        page_bytes(base)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
