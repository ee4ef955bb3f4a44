"""Scoring through the service and the API, the worked example end to end, and overdue reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from app.errors import Conflict, ValidationFailed
from app.reviews import ranking, reviewing, rubrics, service
from app.reviews.schemas import CriterionIn, ReviewIn, ScoreIn
from tests.conftest import api_token
from tests.reviews import helpers as h


def test_a_draft_may_be_incomplete_and_its_total_counts_missing_scores_as_zero(session):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = h.cleared(session, round, item, person, boss)
    review = reviewing.save(
        session,
        person,
        row,
        ReviewIn(scores=[ScoreIn(criterion="novelty", score=10)]),
        submit=False,
    )
    assert (review.status, review.total, row.status) == ("draft", 2.0, "accepted")


def test_submitting_needs_every_score_a_justification_and_a_recommendation(session):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = h.cleared(session, round, item, person, boss)
    with pytest.raises(ValidationFailed) as refused:
        reviewing.save(
            session,
            person,
            row,
            ReviewIn(scores=[ScoreIn(criterion="novelty", score=11)]),
            submit=True,
        )
    errors = refused.value.errors
    assert errors["score_novelty"] == "Nhập điểm từ 0 đến 10."
    assert errors["score_impact"] == "Hãy cho điểm tiêu chí “Tác động và khả năng lan tỏa”."
    assert (
        errors["justification_novelty"] == "Hãy lý giải điểm cho tiêu chí “Tính mới và sáng tạo”."
    )
    assert errors["recommendation"] == "Hãy chọn kiến nghị."


def test_a_submitted_review_is_editable_until_the_round_closes(session):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = h.cleared(session, round, item, person, boss)
    h.submit(session, person, row, 5, 5, 5, 5, 5)
    edited = h.submit(session, person, row, 9, 9, 9, 9, 9)
    assert (edited.status, edited.total, row.status) == ("submitted", 9.0, "submitted")
    service.close_round(session, boss, round)
    with pytest.raises(Conflict):
        reviewing.save(session, person, row, h.scores(1, 1, 1, 1, 1), submit=True)


def test_worked_example_through_the_database(client, session):
    """The worked example of test_scoring, from scores typed into reviews to the ranking.

    Weights 3:2:2:2:1. A review that gives every criterion the score s has the total
    (3s + 2s + 2s + 2s + s) / 10 = s, so the totals are 9, 5, 6 (initiative 1: lenient R1,
    harsh R2, R3 with one review) and 7, 3 (initiative 2). M = 6, S = 2; initiative 1:
    raw 20/3, calibrated 6 + 2·2/3 = 22/3; initiative 2: raw 5, calibrated 4; spreads 4 > 2.
    """
    boss = h.coordinator(session)
    rubric = rubrics.create_rubric(
        session,
        boss,
        name="Trọng số 3:2:2:2:1",
        criteria=[
            CriterionIn(code=c, name_vi=c, weight=w)
            for c, w in zip(h.CODES, (3, 2, 2, 2, 1), strict=False)
        ],
    )
    session.commit()
    one, two = h.screened(session), h.screened(session)
    round = h.open_round(session, boss, [one, two], rubric_id=rubric.id, max_load=5)
    r1, r2, r3 = h.reviewer(session, "Một"), h.reviewer(session, "Hai"), h.reviewer(session, "Ba")
    for person, item, total in [
        (r1, one, 9),
        (r2, one, 5),
        (r3, one, 6),
        (r1, two, 7),
        (r2, two, 3),
    ]:
        h.submit(session, person, h.cleared(session, round, item, person, boss), *[total] * 5)
    result = ranking.ranking(session, round)
    assert [row.initiative.id for row in result.rows] == [one.id, two.id]
    first, second = result.rows[0].figures, result.rows[1].figures
    assert (round_(first.raw), round_(first.calibrated), first.spread, first.disagreement) == (
        6.6667,
        7.3333,
        4.0,
        True,
    )
    assert (second.raw, second.calibrated, second.spread) == (5.0, 4.0, 4.0)
    assert (result.global_mean, result.global_sd) == (6.0, 2.0)
    answer = client.get(
        f"/api/v1/review-rounds/{round.id}/ranking", headers=api_token(client, boss.email)
    )
    assert [
        (r["initiative_id"], r["raw"], r["calibrated"], r["disagreement"])
        for r in answer.json()["rows"]
    ] == [(one.id, 6.6667, 7.3333, True), (two.id, 5.0, 4.0, True)]


def round_(value):
    return round(value, 4)


def test_a_reminder_for_an_overdue_review_reaches_the_smtp_server_once_a_day(
    session, worker, mail_to_smtp
):
    boss, late = h.coordinator(session), h.reviewer(session, "Người Chậm")
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = service.assign(session, boss, round, item, late)
    session.commit()
    worker.drain()
    mail_to_smtp.clear()
    round.due_at = utcnow() - timedelta(days=2)
    session.commit()
    worker.run_periodic(force=True)
    worker.drain()
    worker.run_periodic(force=True)
    worker.drain()
    reminders = [m for m in mail_to_smtp.messages if m["To"] == late.email]
    assert len(reminders) == 1
    assert reminders[0].text.startswith("Kính gửi Người Chậm,")
    assert "có hạn nộp" in reminders[0].text and "nhưng chưa được nộp" in reminders[0].text
    assert f"http://testserver/reviews/assignments/{row.id}" in reminders[0].text
    session.refresh(row)
    assert row.reminded_at is not None
