"""The one writer of every spreadsheet the portal hands out (CSV and XLSX).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read
as a formula by spreadsheet programs ("formula injection": a title such as
`=HYPERLINK(...)` would run when a coordinator opens the export). Every export
goes through these writers, so no export can forget it:

- CSV: such a text cell gets a leading apostrophe, which spreadsheet programs
  show as text and never evaluate;
- XLSX: such a cell is stored as a string with the "quote prefix" style, never
  as a formula.

Numbers stay numbers (a negative score is not text that starts with `-`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | None
Rows = Iterable[Sequence[Cell]]


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value: Any) -> Any:
    """Formula-like text with a leading apostrophe; anything else unchanged (None stays None).

    For writers that lay out cells themselves (the weekly report, open data)."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def safe_csv_cell(value: Cell) -> Cell:
    """The value as a CSV cell that no spreadsheet program evaluates."""
    if value is None:
        return ""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def to_csv(header: Sequence[Cell], rows: Rows) -> str:
    """CSV text with a BOM (spreadsheet programs then read Vietnamese correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_csv_cell(v) for v in header])
    writer.writerows([[safe_csv_cell(v) for v in row] for row in rows])
    return "\ufeff" + out.getvalue()


def to_xlsx(sheets: Sequence[tuple[str, Rows]]) -> bytes:
    """A workbook of the given (title, rows) sheets; formula-like text stays text."""
    book = Workbook()
    for default in list(book.worksheets):
        book.remove(default)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _disposition(filename: str | None) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}


def csv_response(header: Sequence[Cell], rows: Rows, filename: str | None = None) -> Response:
    return Response(to_csv(header, rows), media_type=CSV_MEDIA_TYPE, headers=_disposition(filename))


def xlsx_response(sheets: Sequence[tuple[str, Rows]], filename: str | None = None) -> Response:
    return Response(to_xlsx(sheets), media_type=XLSX_MEDIA_TYPE, headers=_disposition(filename))
