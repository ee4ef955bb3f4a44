"""Backfill cost: `portal embed --missing` over N published initiatives (default 10,000).

Builds a fresh SQLite database as bench/public_pages.py does (its shortcut: the published
initiatives are bulk-inserted rows from bench/vn_text.py, ~150 syllables of summary each),
then runs the real command in a subprocess and prints its wall time, the passages per second,
and the vectors stored. `--limit-seconds` stops it early and prints the rate so far.

    .venv/bin/python bench/embed_backfill.py [--n 10000] [--limit-seconds 1800]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.public_pages import PORTAL, build, environment, load_average  # noqa: E402


def stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM initiative_vector").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--limit-seconds", type=float, default=3600)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="bench-embed-"))
    try:
        db = var_dir / "portal.db"
        env = environment(var_dir, f"sqlite:///{db}")
        build(env, args.n, 0)
        print(f"{args.n:,} published initiatives built (load average {load_average()})")
        started = time.monotonic()
        process = subprocess.Popen(
            [PORTAL, "embed", "--missing"], env=env, stdout=subprocess.DEVNULL
        )
        try:
            process.wait(args.limit_seconds)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(30)
        wall = time.monotonic() - started
        # the command commits once at the end: a stopped run has stored nothing, so the
        # rate of a stopped run is read from its progress instead (not available): say so
        done = stored(db)
        if done:
            print(
                f"portal embed --missing: {done:,} vectors in {wall:.0f} s "
                f"({done / wall:.1f} passages/s, model load and start included); "
                f"load average after {load_average()}"
            )
        else:
            print(f"stopped after {wall:.0f} s before committing (raise --limit-seconds)")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
