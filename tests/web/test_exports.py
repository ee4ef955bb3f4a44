"""Formula injection: every spreadsheet the portal writes keeps formula-like text as text."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from app.web import exports
from tests.conftest import web_login
from tests.reviews import helpers as h

NASTY = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_csv_cells_that_start_like_a_formula_get_a_leading_apostrophe():
    text = exports.to_csv(["a"], [[v] for v in NASTY] + [[-5], ["plain"], [None]])
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["'" + v for v in NASTY] + ["-5", "plain", ""]


def test_xlsx_cells_that_start_like_a_formula_are_strings_never_formulas():
    book = load_workbook(io.BytesIO(exports.to_xlsx([("S", [[v] for v in NASTY] + [[-5]])])))
    cells = [row[0] for row in book.worksheets[0].iter_rows()]
    # (XML turns a carriage return into a line feed when the file is read back.)
    expected = [(v.replace("\r", "\n"), "s") for v in NASTY]
    assert [(c.value, c.data_type) for c in cells[:-1]] == expected
    assert all(c.quotePrefix for c in cells[:-1])
    assert (cells[-1].value, cells[-1].data_type) == (-5, "n")


def test_a_formula_title_is_text_in_the_ranking_exports(client, session):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session, title='=HYPERLINK("http://evil.example","Xem")')
    round = h.open_round(session, boss, [item])
    h.submit(session, person, h.cleared(session, round, item, person, boss), 8, 7, 6, 9, 5)
    web_login(client, boss.email)
    for url in (
        f"/reviews/rounds/{round.id}/ranking?format=csv",
        f"/api/v1/review-rounds/{round.id}/ranking?format=csv",
    ):
        rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
        assert rows[1][2] == "'" + item.title
    for url in (
        f"/reviews/rounds/{round.id}/ranking?format=xlsx",
        f"/api/v1/review-rounds/{round.id}/ranking?format=xlsx",
    ):
        cell = load_workbook(io.BytesIO(client.get(url).content)).worksheets[0]["C2"]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (item.title, "s", True)
