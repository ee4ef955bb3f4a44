"""`portal outbox failed` and `portal outbox retry`: the operator's view of failed events.

An event that failed for good (a permanent failure, or after the last retry) stays
in the table as `failed`; these commands list such events and put them back in
the queue once the cause is fixed (a mail relay back up, a handler fixed).
"""

from __future__ import annotations

import argparse
import sys

from app import config
from app.db import make_engine, unit_of_work


def _db():
    from app import domains

    domains.load_models()
    domains.load_tasks()
    return make_engine(config.get_settings().db_url)


def failed(args: argparse.Namespace) -> None:
    from app.outbox import service

    with unit_of_work(_db()) as session:
        events = service.failed_events(session, topic=args.topic, limit=args.limit)
        if not events:
            print("no failed events")
            return
        for event in events:
            error = (event.last_error or "").strip().splitlines()
            print(
                f"{event.id}\t{event.topic}\t{event.handler}\tattempts={event.attempts}\t"
                f"{event.created_at:%Y-%m-%d %H:%M}\t{error[-1] if error else ''}"
            )


def retry(args: argparse.Namespace) -> None:
    from app.outbox import service

    if not args.ids and not args.all:
        sys.exit("portal outbox retry: name event ids, or --all")
    with unit_of_work(_db()) as session:
        count = service.retry_failed(session, None if args.all else args.ids, topic=args.topic)
    print(f"{count} failed event(s) queued again")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("outbox", help="list failed outbox events and queue them again")
    commands = p.add_subparsers(dest="outbox_command", required=True)
    q = commands.add_parser("failed", help="list events that failed for good")
    q.add_argument("--topic", help="only this topic, e.g. mail.send")
    q.add_argument("--limit", type=int, default=100)
    q.set_defaults(func=failed)
    q = commands.add_parser("retry", help="queue failed events again (attempts start over)")
    q.add_argument("ids", nargs="*", type=int, help="event ids (see `portal outbox failed`)")
    q.add_argument("--all", action="store_true", help="every failed event")
    q.add_argument("--topic", help="with --all: only this topic")
    q.set_defaults(func=retry)
