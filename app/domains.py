"""Find the domain packages under `app/` and their modules.

A domain is a folder of `app/` with the same few files (ARCHITECTURE.md). The
app factory, Alembic and the worker import them through here, so adding a
domain never means editing a central list.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

APP_DIR = Path(__file__).resolve().parent
NOT_DOMAINS = {"web"}


def names() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(APP_DIR)])
        if m.ispkg and m.name not in NOT_DOMAINS
    )


def modules(kind: str) -> list[ModuleType]:
    """`app.<domain>.<kind>` for every domain that has one (e.g. "models", "tasks")."""
    found = []
    for name in names():
        if (APP_DIR / name / f"{kind}.py").exists():
            found.append(importlib.import_module(f"app.{name}.{kind}"))
    return found


def load_models() -> None:
    modules("models")


def load_tasks() -> None:
    modules("tasks")
