"""`portal reindex` and `portal search-check [--repair]`.

With the embedded (tantivy) engine any process may rebuild (the worker follows
the swapped generation), but only one process may upsert and delete: run
`search-check --repair` where the worker runs, or with the worker stopped.
Meilisearch has no such limit.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app import config
from app.db import make_engine, unit_of_work


class ProgressBar:
    """A one-line progress bar on stderr (the count of documents is not known in advance)."""

    def __init__(self, total: int, stream=None, width: int = 30) -> None:
        self.total, self.stream, self.width = max(total, 1), stream or sys.stderr, width
        self.start = time.monotonic()

    def __call__(self, done: int) -> None:
        filled = min(self.width, self.width * done // self.total)
        rate = done / max(time.monotonic() - self.start, 1e-6)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{self.total:,} "
            f"({rate:,.0f}/s)"
        )
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _db():
    from app import domains

    domains.load_models()
    domains.load_tasks()
    return make_engine(config.get_settings().db_url)


@contextmanager
def _engine_errors(command: str) -> Iterator[None]:
    """An unreachable or unreadable index is a clear error and a non-zero exit, not a trace."""
    from search import SearchUnavailable

    try:
        yield
    except (SearchUnavailable, OSError) as exc:
        settings = config.get_settings()
        where = (
            settings.meilisearch_url
            if settings.search_backend == "meilisearch"
            else str(settings.search_dir)
        )
        sys.exit(
            f"portal {command}: the search index ({settings.search_backend}, {where}) "
            f"is unavailable: {exc}"
        )


def reindex(args: argparse.Namespace) -> None:
    with _engine_errors("reindex"):
        _reindex()


def _kinds():
    from app.catalogue import indexing, problem_index

    return (indexing.INITIATIVES, problem_index.PROBLEMS)


def _reindex() -> None:
    from app.catalogue import indexing

    counts = {}
    with unit_of_work(_db()) as session:
        for kind in _kinds():
            bar = ProgressBar(len(indexing.database_versions(session, kind)))
            counts[kind.name] = indexing.reindex(session, bar, kind)
            bar.finish()
    print(
        f"reindexed {counts['initiatives']} published initiatives "
        f"and {counts['problems']} open or awarded problems"
    )


def search_check(args: argparse.Namespace) -> None:
    with _engine_errors("search-check"):
        _search_check(args)


def _search_check(args: argparse.Namespace) -> None:
    from app.catalogue import indexing

    with unit_of_work(_db()) as session:
        drifts = [(kind, indexing.check(session, kind)) for kind in _kinds()]
        for kind, drift in drifts:
            prefix = "" if kind is indexing.INITIATIVES else f"{kind.name} "
            for label, ids in (
                ("missing from the index", drift.missing),
                ("outdated in the index", drift.stale),
                (f"in the index but not {kind.described}", drift.extra),
            ):
                if ids:
                    print(f"{prefix}{label} ({len(ids)}): {' '.join(ids)}")
        if all(drift.clean for _, drift in drifts):
            print("index matches the database")
            return
        if not args.repair:
            sys.exit(1)
        for kind, drift in drifts:
            indexing.repair(session, drift, kind)
        clean = all(indexing.check(session, kind).clean for kind in _kinds())
        print("repaired: index matches the database" if clean else "repair incomplete")
        if not clean:
            sys.exit(1)


def search_key(args: argparse.Namespace) -> None:
    """Create the application's Meilisearch key: limited to its index and the actions it needs."""
    import os

    from search.meilisearch_engine import create_app_key

    settings = config.get_settings()
    master = args.master_key or os.environ.get("MEILI_MASTER_KEY", "")
    if not settings.meilisearch_url or not master:
        sys.exit("set MEILISEARCH_URL and pass --master-key (or MEILI_MASTER_KEY)")
    print(create_app_key(settings.meilisearch_url, master, settings.search_index))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reindex",
        help="rebuild the search indexes (initiatives, problems) from the database and swap them in",
    )
    p.set_defaults(func=reindex)
    p = sub.add_parser(
        "search-check", help="compare the search indexes (initiatives, problems) with the database"
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="upsert missing or outdated documents, delete extra ones",
    )
    p.set_defaults(func=search_check)
    p = sub.add_parser(
        "search-key", help="create a Meilisearch key restricted to the portal's index; prints it"
    )
    p.add_argument("--master-key", help="the Meilisearch master key (default: $MEILI_MASTER_KEY)")
    p.set_defaults(func=search_key)
