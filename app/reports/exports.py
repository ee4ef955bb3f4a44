"""Formula-safe cells for the reports' spreadsheets: the shared rule of app/web/exports.py.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as
a formula by Excel and LibreOffice (CSV/formula injection): such text gets a
leading apostrophe. Numbers, dates and None pass unchanged.
"""

from __future__ import annotations

from typing import Any

from app.web.exports import FORMULA_STARTS, neutralise

__all__ = ["FORMULA_STARTS", "safe_cell", "safe_row"]

safe_cell = neutralise


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
