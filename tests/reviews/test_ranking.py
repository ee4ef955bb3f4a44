"""The ranking row: one definition (rounded figures) read by the exports and the API."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from app.db import utcnow
from app.i18n import use_language
from app.initiatives.models import Initiative
from app.reviews import ranking
from app.reviews.models import Criterion, ReviewRound
from app.reviews.scoring import Aggregate


def _result() -> ranking.Ranking:
    figures = Aggregate(
        initiative_id=7,
        reviews=3,
        raw=20 / 3,
        calibrated=22 / 3,
        criterion_means={"novelty": 2 / 3},
        spread=4.0,
        sd=1.699673171,
        disagreement=True,
        totals=(9.0, 5.0, 6.0),
        z_scores=(1.0, -1.0, 0.0),
    )
    item = Initiative(id=7, title="Máy lọc nước", status="in_review")
    criteria = [Criterion(code="novelty", name_vi="Tính mới", name_en="Novelty", rubric_id=1)]
    return ranking.Ranking(
        ReviewRound(id=1, name="Đợt 1", rubric_id=1, due_at=utcnow()),
        criteria,
        [ranking.Row(1, item, figures)],
        6.0,
        2.0,
    )


def test_a_row_is_rounded_once_to_four_decimals():
    (row,) = _result().rows
    assert ranking.row_figures(row) == {
        "rank": 1,
        "initiative_id": 7,
        "title": "Máy lọc nước",
        "status": "in_review",
        "reviews": 3,
        "raw": 6.6667,
        "calibrated": 7.3333,
        "criterion_means": {"novelty": 0.6667},
        "spread": 4.0,
        "sd": 1.6997,
        "disagreement": True,
    }


def test_the_exports_carry_the_same_row():
    result = _result()
    with use_language("en"):
        header, body = ranking.table(result)
        text = ranking.to_csv(result)
        book = load_workbook(io.BytesIO(ranking.to_xlsx(result)))
    assert header[:3] == ["Rank", "Initiative", "Title"] and header[7] == "Novelty"
    assert body == [
        [1, 7, "Máy lọc nước", body[0][3], 3, 6.6667, 7.3333, 0.6667, 4.0, 1.6997, "yes"]
    ]
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == [
        "1",
        "7",
        "Máy lọc nước",
        body[0][3],
        "3",
        "6.6667",
        "7.3333",
        "0.6667",
        "4.0",
        "1.6997",
        "yes",
    ]
    sheet = book["Ranking"]
    assert [c.value for c in sheet[2]] == body[0]
