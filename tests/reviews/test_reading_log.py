"""The submitter's "who read my confidential content" log (issue 10 §4)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from app.i18n import TIMEZONE
from app.initiatives import reading_log
from app.initiatives.models import ConfidentialView
from app.reviews import reviewing
from tests import factories
from tests.conftest import web_login
from tests.reviews import helpers as h


def test_one_line_per_reader_per_day_with_readable_labels_and_anonymous_blind_reviewers(
    client, session
):
    boss = h.coordinator(session)
    author = factories.user(session, full_name="Trần Thị Bình")
    item = h.screened(session, author)
    round = h.open_round(session, boss, [item], blind=True)
    person = h.reviewer(session, "Chuyên Gia Kín Danh")
    row = h.cleared(session, round, item, person, boss)
    for _ in range(40):  # every page view of the scoring form is logged
        reviewing.content_for_reviewer(session, person, row)
    session.commit()
    yesterday = datetime.now(TIMEZONE).replace(hour=12) - timedelta(days=1)
    session.add(
        ConfidentialView(
            initiative_id=item.id, user_id=boss.id, what="version:2", created_at=yesterday
        )
    )
    session.commit()
    assert len(session.exec(select(ConfidentialView)).all()) == 41

    web_login(client, author.email)
    lines = reading_log.lines(session, item)
    assert [(x.reader, x.count, x.what) for x in lines] == [
        ("Chuyên gia đánh giá (ẩn danh)", 40, ["sáng kiến, để đánh giá"]),
        (boss.full_name, 1, ["phiên bản 2"]),
    ]
    page = client.get(f"/initiatives/{item.id}").text
    log = page[page.index('class="reading-log"') :]
    assert "Chuyên gia đánh giá (ẩn danh)" in log and "Chuyên Gia Kín Danh" not in page
    assert "review:" not in log and "version:2" not in log
    assert log.count("<tr>") == 3  # the header and two lines
