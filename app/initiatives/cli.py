"""`portal verify-history [--initiative ID]`: check the hash chains of initiative histories."""

from __future__ import annotations

import argparse
import sys


def verify_history(args: argparse.Namespace) -> None:
    from app.cli import _engine
    from app.db import unit_of_work
    from app.initiatives import history

    broken = 0
    with unit_of_work(_engine()) as session:
        ids = [args.initiative] if args.initiative else history.initiatives_with_history(session)
        for initiative_id in ids:
            ok, seq = history.verify_chain(session, initiative_id)
            if ok:
                print(
                    f"initiative {initiative_id}: ok ({len(history.events(session, initiative_id))} entries)"
                )
            else:
                broken += 1
                print(f"initiative {initiative_id}: BROKEN at entry {seq}")
    print(f"{len(ids)} checked, {broken} broken")
    if broken:
        sys.exit(1)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "verify-history", help="verify the tamper-evident history of initiatives"
    )
    p.add_argument("--initiative", type=int, help="only this initiative (default: all)")
    p.set_defaults(func=verify_history)
