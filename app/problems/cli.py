"""`portal verify-problems [--problem ID]`: check both hash chains of problems (status history
and the non-disclosure access log); exits 1 naming the first broken entry."""

from __future__ import annotations

import argparse
import sys

from sqlmodel import Session

from app.statemachine import HashChain


def check_chains(session: Session, problem_id: int | None = None) -> list[str]:
    """One line per problem and chain; a broken chain's line starts with "BROKEN"."""
    from app.problems.visibility import ACCESS_LOG
    from app.problems.workflow import HISTORY

    chains: list[tuple[str, HashChain]] = [("history", HISTORY), ("access log", ACCESS_LOG)]
    ids = (
        [problem_id]
        if problem_id
        else sorted(set(HISTORY.scopes(session)) | set(ACCESS_LOG.scopes(session)))
    )
    lines = []
    for pid in ids:
        for name, chain in chains:
            ok, seq = chain.verify(session, pid)
            count = len(chain.entries(session, pid))
            lines.append(
                f"problem {pid} {name}: ok ({count} entries)"
                if ok
                else f"BROKEN problem {pid} {name} at entry {seq}"
            )
    return lines


def verify_problems(args: argparse.Namespace) -> None:
    from app.cli import _engine
    from app.db import unit_of_work

    with unit_of_work(_engine()) as session:
        lines = check_chains(session, args.problem)
    for line in lines:
        print(line)
    broken = sum(line.startswith("BROKEN") for line in lines)
    print(f"{len(lines)} chains checked, {broken} broken")
    if broken:
        sys.exit(1)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "verify-problems", help="verify the tamper-evident history and access log of problems"
    )
    p.add_argument("--problem", type=int, help="only this problem (default: all)")
    p.set_defaults(func=verify_problems)
