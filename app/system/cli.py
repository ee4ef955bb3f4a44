"""Developer commands of the system domain."""

from __future__ import annotations

import argparse
import sys


def i18n_check(args: argparse.Namespace) -> None:
    """Print untranslated messages as .po entries ready to fill in."""
    from app.i18n import missing_translations

    missing = missing_translations(args.language)
    for message, where in sorted(missing.items()):
        print(f"#: {' '.join(where[:3])}")
        escaped = message.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        print(f'msgid "{escaped}"\nmsgstr ""\n')
    print(f"{len(missing)} untranslated", file=sys.stderr)
    if missing:
        sys.exit(1)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("i18n-check", help="list messages without a translation")
    p.add_argument("--language", default="vi")
    p.set_defaults(func=i18n_check)
