"""`portal weekly-report [--week W] [--out DIR]` and `portal open-data`: run the reports' jobs now."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def weekly_report(args: argparse.Namespace) -> None:
    """Print (and optionally write XLSX/PDF/JSON of) a week's report built from the history."""
    from app.cli import _engine
    from app.db import unit_of_work, utcnow
    from app.reports import documents, weekly

    try:
        monday = weekly.parse_week(args.week) if args.week else weekly.last_full_week(utcnow())
    except ValueError:
        sys.exit("give the week as its Monday (2026-02-16) or ISO week (2026-W08)")
    with unit_of_work(_engine()) as session:
        data = weekly.build(session, monday)
    if args.out:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, _type, body in documents.attachments(data, args.language):
            (folder / name).write_bytes(body)
        (folder / f"bao-cao-tuan-{data['iso_week']}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        print(f"written to {folder}")
    for k in data["kpis"]:
        print(
            f"{k['key']:<16} week {k['week']:>6}  previous {k['previous_week']:>6}  change {k['change']:>+6}"
        )


def open_data(args: argparse.Namespace) -> None:
    """Regenerate the open-data files now (the worker does it daily)."""
    from app.cli import _engine
    from app.db import unit_of_work
    from app.reports import opendata

    with unit_of_work(_engine()) as session:
        info = opendata.regenerate(session)
    print(json.dumps(info, ensure_ascii=False))


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("weekly-report", help="build a week's report from the history")
    p.add_argument("--week", help="Monday date or ISO week (default: the last full week)")
    p.add_argument("--out", help="also write XLSX, PDF and JSON into this folder")
    p.add_argument("--language", default="vi", choices=["vi", "en"])
    p.set_defaults(func=weekly_report)
    p = subparsers.add_parser("open-data", help="regenerate the open-data files now")
    p.set_defaults(func=open_data)
