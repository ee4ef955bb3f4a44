"""`portal embed --missing`: backfill the vectors of published initiatives and public problems."""

from __future__ import annotations

import argparse
import sys

from app.catalogue.cli import ProgressBar, _db
from app.db import unit_of_work


def embed(args: argparse.Namespace) -> None:
    from app.matching import service

    emb = service.embedder()
    if not emb.available:
        print("EMBEDDING_BACKEND is none (or its package is not installed): nothing to embed")
        return
    if not args.missing:
        sys.exit("pass --missing (embed published initiatives without an up-to-date vector)")
    with unit_of_work(_db()) as session:
        todo = len(service.missing(session, emb)) + len(service.missing_problems(session, emb))
        bar = ProgressBar(todo)
        count = service.embed_missing(session, emb, bar)
        bar.finish()
        service.purge_other_models(session, emb)
    print(f"embedded {count} initiatives and problems with {emb.name} {emb.version}")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "embed", help="compute missing or outdated vectors of initiatives and problems (matching)"
    )
    p.add_argument("--missing", action="store_true", help="only what is absent or outdated")
    p.set_defaults(func=embed)
