"""Benchmark of the embedded (tantivy) search engine on synthetic Vietnamese initiatives.

    .venv/bin/python -m bench.search_engine --n 100000 [--dir /tmp/bench-index] [--queries 200]

Builds the index through ``Engine.rebuild`` (the production path), then times
unaccented 1–3 word queries with a field filter in several shapes, and prints
build time, size on disk and p50/p95 latencies.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.vn_text import FIELDS, initiatives, query_words
from search import Query, make_engine
from search.text import fold


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def make_queries(count: int, seed: int = 11) -> list[tuple[str, str]]:
    """(unaccented text of 1–3 words, field code to filter on)."""
    rng = random.Random(seed)
    words = [fold(w) for w in query_words()]
    codes = list(FIELDS)
    return [
        (" ".join(rng.sample(words, rng.randint(1, 3))), rng.choice(codes)) for _ in range(count)
    ]


def typo(text: str, rng: random.Random) -> str:
    """Swap two letters after the first one in the longest word (one edit)."""
    words = text.split()
    k = max(range(len(words)), key=lambda i: len(words[i]))
    w = words[k]
    if len(w) >= 4:
        i = rng.randrange(1, len(w) - 1)
        words[k] = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return " ".join(words)


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="number of documents")
    parser.add_argument(
        "--queries", type=int, default=200, help="queries per scenario (at least 100)"
    )
    parser.add_argument(
        "--dir", type=Path, default=None, help="index directory (default: a temporary one)"
    )
    args = parser.parse_args()

    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-search-"))
    engine = make_engine("tantivy", path=root)
    engine.ensure_index()
    start = time.perf_counter()
    engine.rebuild(initiatives(args.n))
    build = time.perf_counter() - start
    size = sum(
        f.stat().st_size
        for f in (engine.path / (engine.path / "CURRENT").read_text()).rglob("*")
        if f.is_file()
    )
    print(f"documents        {args.n:,}")
    print(f"build            {build:.1f} s  ({args.n / build:,.0f} docs/s)")
    print(f"size on disk     {size / 2**20:.0f} MiB (stored documents included)")

    queries = make_queries(max(args.queries, 100))
    rng = random.Random(3)
    facets = [
        "field_code",
        "subfield_code",
        "province",
        "organisation_type",
        "trl",
        "ip_status",
        "publication_year",
    ]
    scenarios: dict[str, Callable[[str, str], Query]] = {
        "top-20 by relevance, filter": lambda t, c: Query(
            text=t, filters={"field_code": [c]}, highlight=False
        ),
        "+ 7 facet counts": lambda t, c: Query(
            text=t, filters={"field_code": [c]}, facets=facets, highlight=False
        ),
        "last word as prefix": lambda t, c: Query(
            text=t[: max(2, len(t) - 3)], filters={"field_code": [c]}, highlight=False
        ),
        "with snippets": lambda t, c: Query(text=t, filters={"field_code": [c]}),
        "one typo (4+ letters)": lambda t, c: Query(
            text=typo(t, rng), filters={"field_code": [c]}, highlight=False
        ),
        "sorted by date, facets": lambda t, c: Query(
            text=t, facets=facets, sort=[("published_at", "desc")]
        ),
    }
    print(f"\n{'scenario':30} {'p50 ms':>8} {'p95 ms':>8} {'avg hits':>10}")
    for name, build_query in scenarios.items():
        built = [build_query(t, c) for t, c in queries]
        engine.search(built[0])  # warm
        totals: list[int] = []
        samples = [timed(lambda q=q, out=totals: out.append(engine.search(q).total)) for q in built]
        p50, p95 = percentiles(samples)
        print(f"{name:30} {p50:8.2f} {p95:8.2f} {statistics.mean(totals):10.0f}")
    suggest = [timed(lambda t=t: engine.suggest(t[:4])) for t, _ in queries]
    print(
        f"{'suggest (4 letters)':30} {percentiles(suggest)[0]:8.2f} {percentiles(suggest)[1]:8.2f}"
    )
    if args.dir is None:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
