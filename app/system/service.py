"""Readiness: each domain that depends on an outside service registers a check."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine

ReadinessCheck = Callable[[], bool]
readiness_checks: dict[str, ReadinessCheck] = {}


def readiness_check(name: str) -> Callable[[ReadinessCheck], ReadinessCheck]:
    def register(fn: ReadinessCheck) -> ReadinessCheck:
        readiness_checks[name] = fn
        return fn

    return register


def database_ready(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def readiness(engine: Engine) -> dict[str, bool]:
    results = {"database": database_ready(engine)}
    for name, check in readiness_checks.items():
        try:
            results[name] = bool(check())
        except Exception:
            results[name] = False
    return results
