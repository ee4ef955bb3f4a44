"""`portal digest --daily|--weekly`: send digests now, whatever the schedule."""

from __future__ import annotations

import argparse


def digest(args: argparse.Namespace) -> None:
    from app import config, domains
    from app.db import make_engine, unit_of_work
    from app.subscriptions.digests import send_digests

    domains.load_models()
    domains.load_tasks()
    frequency = "weekly" if args.weekly else "daily"
    with unit_of_work(make_engine(config.get_settings().db_url)) as session:
        count = send_digests(session, frequency, force=True)
    print(f"{count} {frequency} digest(s) queued; the worker delivers them")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("digest", help="send subscription digests now")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--daily", action="store_true")
    group.add_argument("--weekly", action="store_true")
    p.set_defaults(func=digest)
