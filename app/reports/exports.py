"""Formula-safe cells for spreadsheet exports (CSV and XLSX).

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
run as a formula by Excel and LibreOffice (CSV/formula injection): such text
gets a leading apostrophe. Numbers, dates and None pass unchanged.
(The security helper is adding a shared writer in app/web/exports.py; when it
lands, this module should defer to it.)
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
