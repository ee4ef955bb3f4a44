"""Coordinator pages: opening a round on the web, automatic assignment with reasons, exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlmodel import select

from app.db import utcnow
from app.reviews.models import Assignment, ReviewRound
from tests.conftest import csrf_of, web_login
from tests.reviews import helpers as h


def test_opening_a_round_on_the_web_keeps_what_was_typed_when_invalid(client, session):
    boss = h.coordinator(session)
    item = h.screened(session)
    web_login(client, boss.email)
    page = client.get("/reviews/rounds/new")
    assert item.title in page.text
    answer = client.post(
        "/reviews/rounds/new",
        data={
            "csrf_token": csrf_of(page.text),
            "name": "Đợt thử",
            "due_at": "",
            "initiative_ids": [str(item.id)],
        },
    )
    assert answer.status_code == 400
    assert 'value="Đợt thử"' in answer.text and f'value="{item.id}" checked' in answer.text
    due = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%d")
    created = client.post(
        "/reviews/rounds/new",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(page.text),
            "name": "Đợt thử",
            "due_at": due,
            "reviews_wanted": "2",
            "max_load": "4",
            "disagreement_threshold": "1,5",
            "blind": "1",
            "initiative_ids": [str(item.id)],
        },
    )
    assert created.status_code == 303
    round = session.exec(select(ReviewRound)).one()
    assert (round.reviews_wanted, round.max_load, round.disagreement_threshold, round.blind) == (
        2,
        4,
        1.5,
        True,
    )


def test_automatic_assignment_page_explains_and_reports_under_coverage(client, session):
    boss = h.coordinator(session)
    h.reviewer(session, "Chuyên Gia IoT", expertise_keywords=["IoT", "sạt lở"])
    item = h.screened(session)
    round = h.open_round(session, boss, [item], reviews_wanted=2)
    web_login(client, boss.email)
    page = client.get(f"/reviews/rounds/{round.id}")
    result = client.post(
        f"/reviews/rounds/{round.id}/auto-assign", data={"csrf_token": csrf_of(page.text)}
    )
    assert result.status_code == 200
    assert "Chuyên Gia IoT" in result.text and "từ khóa trùng khớp: IoT, sạt lở" in result.text
    assert "số bài 1/5" in result.text and "thiếu 1 chuyên gia" in result.text
    # the match in the reader's number format: a comma decimal in Vietnamese, a dot in English
    score = session.exec(select(Assignment)).one().explanation["score"]
    assert 0 < score < 1
    assert f"mức phù hợp {score:.2f}".replace(".", ",") in result.text
    english = client.get(f"/reviews/rounds/{round.id}?lang=en")
    assert f"match {score:.2f}" in english.text


def test_ranking_exports_csv_and_xlsx_with_the_same_figures(client, session):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    h.submit(session, person, h.cleared(session, round, item, person, boss), 8, 7, 6, 9, 5)
    web_login(client, boss.email)
    exported = client.get(f"/reviews/rounds/{round.id}/ranking?format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:7] == [
        "Hạng",
        "Sáng kiến",
        "Tên sáng kiến",
        "Trạng thái",
        "Số bài đánh giá",
        "Điểm thô",
        "Điểm hiệu chỉnh",
    ]
    assert rows[1][0:2] == ["1", str(item.id)] and rows[1][5:7] == ["7.0", "7.0"]
    book = load_workbook(
        io.BytesIO(client.get(f"/reviews/rounds/{round.id}/ranking?format=xlsx").content)
    )
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[2]][:7] == [1, item.id, item.title, "Đang đánh giá", 1, 7.0, 7.0]


def test_coordinator_pages_refuse_reviewers(client, session):
    boss, person = h.coordinator(session), h.reviewer(session)
    round = h.open_round(session, boss, [h.screened(session)])
    web_login(client, person.email)
    assert client.get(f"/reviews/rounds/{round.id}/ranking").status_code == 403
    assert client.get("/reviews/rounds").status_code == 403


def test_every_coordinator_and_reviewer_page_renders(client, session):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = h.cleared(session, round, item, person, boss)
    h.submit(session, person, row, 8, 7, 6, 9, 5, comment="Tốt.")
    rubric_id = session.get(ReviewRound, round.id).rubric_id
    web_login(client, boss.email)
    for path in [
        "/reviews/rounds",
        f"/reviews/rounds/{round.id}",
        f"/reviews/rounds/{round.id}/ranking?sort=raw&order=asc",
        f"/reviews/rounds/{round.id}/items/{item.id}/assign",
        f"/reviews/rounds/{round.id}/items/{item.id}/decide",
        "/reviews/rubrics",
        f"/reviews/rubrics/{rubric_id}",
        "/reviews/rubrics/new",
        f"/publication/initiatives/{item.id}",
        "/certificates",
    ]:
        assert client.get(path).status_code == 200, path
    web_login(client, person.email)
    for path in [
        "/reviews",
        f"/reviews/assignments/{row.id}",
        f"/reviews/assignments/{row.id}/confidentiality",
        f"/reviews/assignments/{row.id}/review",
    ]:
        assert client.get(path).status_code == 200, path
