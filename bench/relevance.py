"""Relevance benchmark: does the wanted initiative come first?

    .venv/bin/python -m bench.relevance [--others 2000] [--no-postgres] [--misses]

Mixes the real-looking initiatives of bench/relevance_data.py into generated
ones (bench/vn_text.py) and runs every query (accented, unaccented, typo,
prefix, synonym, mixed English, tone placement, no-answer) through

* the portal's search engine (the embedded tantivy backend, the portal's
  settings and seed synonyms), and
* a PostgreSQL full-text baseline on the same documents: ``unaccent`` and
  the ``simple`` configuration, title/keywords/summary weighted A/B/C,
  ``websearch_to_tsquery`` and ``ts_rank``, on a throwaway cluster started
  as tests/fixtures/postgres.py does.

Prints success@1, success@3, MRR@10 and the zero-result rate over the
answerable queries, per category and overall, and how many no-answer
queries returned nothing or said that words were left out.  Not a test: the
figures go in the README.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bench.relevance_data import QUERIES, TARGETS
from bench.vn_text import FIELDS, initiatives
from search import Query, make_engine


@dataclass
class Answer:
    ids: list[str]
    total: int
    said_relaxed: bool = False


def corpus(others: int) -> list[dict[str, Any]]:
    docs = list(initiatives(others))
    for id_, field, title, summary, keywords in TARGETS:
        docs.append(
            {
                "id": f"T-{id_}",
                "title": title,
                "summary": summary,
                "keywords": keywords,
                "field_code": field,
                "field_name": FIELDS[field][0],
                "province": "Hà Nội",
                "version": 1,
            }
        )
    return docs


def portal(docs: list[dict[str, Any]], directory: str) -> Callable[[str], Answer]:
    engine = make_engine("tantivy", path=directory)
    engine.ensure_index()
    engine.rebuild(iter(docs))

    def ask(text: str) -> Answer:
        result = engine.search(Query(text=text, limit=10, highlight=False))
        return Answer([h.id for h in result.hits], result.total, bool(result.ignored))

    return ask


def postgres(docs: list[dict[str, Any]]) -> tuple[Callable[[str], Answer], Callable[[], None]]:
    import psycopg

    from tests.fixtures.postgres import running_cluster

    context = running_cluster()
    cluster = context.__enter__()
    conn = psycopg.connect(cluster.conninfo(), autocommit=True)
    conn.execute("CREATE EXTENSION unaccent")
    conn.execute(
        """CREATE TABLE doc (id text PRIMARY KEY, title text, keywords text, summary text,
           tsv tsvector)"""
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO doc (id, title, keywords, summary) VALUES (%s, %s, %s, %s)",
            [(d["id"], d["title"], " ".join(d["keywords"]), d["summary"]) for d in docs],
        )
    conn.execute(
        """UPDATE doc SET tsv =
             setweight(to_tsvector('simple', unaccent(title)), 'A')
          || setweight(to_tsvector('simple', unaccent(keywords)), 'B')
          || setweight(to_tsvector('simple', unaccent(summary)), 'C')"""
    )
    conn.execute("CREATE INDEX doc_tsv ON doc USING gin (tsv)")

    def ask(text: str) -> Answer:
        rows = conn.execute(
            """WITH q AS (SELECT websearch_to_tsquery('simple', unaccent(%s)) AS q)
               SELECT id, count(*) OVER () FROM doc, q WHERE tsv @@ q.q
               ORDER BY ts_rank(tsv, q.q) DESC, id LIMIT 10""",
            (text,),
        ).fetchall()
        return Answer([r[0] for r in rows], rows[0][1] if rows else 0)

    def stop() -> None:
        conn.close()
        context.__exit__(None, None, None)

    return ask, stop


def evaluate(name: str, ask: Callable[[str], Answer], show_misses: bool) -> dict[str, float]:
    per: dict[str, list[tuple[int | None, int]]] = defaultdict(list)  # (rank, total)
    no_answer_ok = no_answer = 0
    for category, text, expected in QUERIES:
        answer = ask(text)
        if expected is None:
            no_answer += 1
            no_answer_ok += answer.total == 0 or answer.said_relaxed
            if show_misses and not (answer.total == 0 or answer.said_relaxed):
                print(f"  [{name}] {category}: {text!r} returned {answer.ids[:3]}")
            continue
        wanted = f"T-{expected}"
        rank = answer.ids.index(wanted) + 1 if wanted in answer.ids else None
        per[category].append((rank, answer.total))
        if show_misses and rank != 1:
            print(f"  [{name}] {category}: {text!r} rank {rank}, top {answer.ids[:3]}")

    def figures(rows: Iterable[tuple[int | None, int]]) -> tuple[float, float, float, float]:
        rows = list(rows)
        return (
            sum(r == 1 for r, _ in rows) / len(rows),
            sum(r is not None and r <= 3 for r, _ in rows) / len(rows),
            statistics.fmean(1 / r if r else 0.0 for r, _ in rows),
            sum(t == 0 for _, t in rows) / len(rows),
        )

    print(f"\n{name}")
    print(f"  {'category':<12}{'n':>4}{'s@1':>7}{'s@3':>7}{'MRR@10':>8}{'zero':>7}")
    for category in dict.fromkeys(c for c, _, e in QUERIES if e is not None):
        s1, s3, mrr, zero = figures(per[category])
        print(f"  {category:<12}{len(per[category]):>4}{s1:>7.2f}{s3:>7.2f}{mrr:>8.2f}{zero:>7.2f}")
    every = [row for rows in per.values() for row in rows]
    s1, s3, mrr, zero = figures(every)
    print(f"  {'all':<12}{len(every):>4}{s1:>7.2f}{s3:>7.2f}{mrr:>8.2f}{zero:>7.2f}")
    print(f"  no-answer queries with nothing or a clear notice: {no_answer_ok}/{no_answer}")
    return {"s1": s1, "s3": s3, "mrr": mrr, "zero": zero}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--others", type=int, default=2000, help="generated initiatives")
    parser.add_argument("--no-postgres", action="store_true", help="skip the baseline")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    args = parser.parse_args()
    docs = corpus(args.others)
    answerable = sum(e is not None for _, _, e in QUERIES)
    print(f"{len(docs)} initiatives, {len(QUERIES)} queries ({answerable} answerable)")
    with tempfile.TemporaryDirectory() as directory:
        evaluate("portal (tantivy)", portal(docs, directory), args.misses)
    if not args.no_postgres:
        ask, stop = postgres(docs)
        try:
            evaluate("PostgreSQL unaccent full-text", ask, args.misses)
        finally:
            stop()


if __name__ == "__main__":
    main()
