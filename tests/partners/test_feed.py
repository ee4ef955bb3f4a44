"""The changes feed: public data only, resumable cursors, no gap and no repeat under concurrent writers."""

from __future__ import annotations

import random
import threading
import time

from sqlmodel import Session

from app.accounts.models import Role
from app.db import unit_of_work
from app.partners import feed
from app.partners.models import SCOPE_CHANGES
from tests import factories
from tests.partners import helpers
from tests.subscriptions import helpers as publishing


def test_published_certificate_and_unpublished_changes_with_public_fields_only(
    client, session, worker
):
    submitter, coordinator = (
        factories.user(session, Role.submitter),
        factories.user(session, Role.coordinator),
    )
    item = publishing.publish(
        session, submitter, coordinator, title="Pin mặt trời hữu cơ", solution="BÍ-MẬT-42"
    )
    worker.drain()
    partner, secret = helpers.partner(session, scopes=(SCOPE_CHANGES,))
    access = helpers.bearer(helpers.token(client, partner, secret))

    page = client.get("/api/v1/changes", headers=access).json()
    assert [(c["kind"], c["action"]) for c in page["changes"]] == [
        ("initiative", "published"),
        ("certificate", "issued"),
    ]
    published = page["changes"][0]
    assert published["id"] == item.id
    assert published["data"]["title"] == "Pin mặt trời hữu cơ"
    assert "solution" not in published["data"] and "BÍ-MẬT-42" not in str(page)
    assert page["changes"][1]["data"]["initiative_id"] == item.id
    assert page["has_more"] is False
    cursor = page["next_cursor"]
    assert client.get(f"/api/v1/changes?after={cursor}", headers=access).json() == {
        "changes": [],
        "next_cursor": cursor,
        "has_more": False,
    }

    publishing.unpublish(session, item, coordinator)
    worker.drain()
    later = client.get(f"/api/v1/changes?after={cursor}", headers=access).json()
    assert [(c["kind"], c["id"], c["action"], c["data"]) for c in later["changes"]] == [
        ("initiative", item.id, "unpublished", None)
    ]
    # Resuming from the start again gives the same changes; what is no longer public has no data.
    again = client.get("/api/v1/changes?limit=1", headers=access).json()
    assert (again["has_more"], again["changes"][0]["data"]) == (True, None)


def test_a_cursor_the_feed_never_gave_is_a_problem(client, session):
    partner, secret = helpers.partner(session, scopes=(SCOPE_CHANGES,))
    access = helpers.bearer(helpers.token(client, partner, secret))
    for bad in ("42", "Yzk6MQ", "%%%"):
        answer = client.get("/api/v1/changes", params={"after": bad}, headers=access)
        assert answer.status_code == 422
        assert list(answer.json()["errors"]) == ["after"]


def test_concurrent_writers_leave_no_gap_and_no_repeat_for_a_reader(app, session):
    """Writers hold their change open a while before committing; a reader polls meanwhile."""
    engine = app.state.engine
    writers, per_writer = 6, 8
    done = threading.Event()
    seen: list[int] = []

    def write(n: int) -> None:
        rng = random.Random(n)
        for i in range(per_writer):
            with unit_of_work(engine) as tx:
                feed.record(tx, feed.KIND_INITIATIVE, n * 100 + i, "updated")
                time.sleep(rng.uniform(0, 0.02))

    def read() -> None:
        cursor = None
        while True:
            finished = done.is_set()
            with Session(engine) as reader:
                page = feed.page(reader, cursor, limit=7)
            seen.extend(feed.decode(c.cursor) for c in page.changes)
            cursor = page.next_cursor
            if finished and not page.has_more and not page.changes:
                return

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader.join()
    assert seen == list(range(1, writers * per_writer + 1))


def test_an_archived_weekly_report_enters_the_feed_once(client, session):
    from datetime import date

    from app.partners import tasks
    from app.reports import weekly
    from app.reports.models import WeeklyReport

    monday = date(2026, 2, 16)
    report = WeeklyReport(week_start=monday, data=weekly.build(session, monday))
    session.add(report)
    session.commit()
    tasks.statistics_snapshots(session)
    tasks.statistics_snapshots(session)  # a second worker, or the next hour: no repeat
    session.commit()
    partner, secret = helpers.partner(session, scopes=(SCOPE_CHANGES,))
    access = helpers.bearer(helpers.token(client, partner, secret))
    [change] = client.get("/api/v1/changes", headers=access).json()["changes"]
    assert (change["kind"], change["id"], change["action"]) == (
        "statistics",
        report.id,
        "published",
    )
    assert (change["data"]["iso_week"], change["data"]["final"]) == ("2026-W08", True)


def test_a_problem_entering_its_public_stages_is_a_change_with_public_fields_only(client, session):
    from app.partners import tasks
    from tests.problems import helpers as problems

    cast = problems.cast(session)
    problem = problems.problem(session, cast, status="open")
    tasks.on_problem_transitioned(
        session, {"problem_id": problem.id, "from": "draft", "to": "submitted"}, None
    )
    tasks.on_problem_transitioned(
        session, {"problem_id": problem.id, "from": "submitted", "to": "open"}, None
    )
    session.commit()
    partner, secret = helpers.partner(session, scopes=(SCOPE_CHANGES,))
    access = helpers.bearer(helpers.token(client, partner, secret))
    [change] = client.get("/api/v1/changes", headers=access).json()["changes"]
    assert (change["kind"], change["id"], change["action"]) == ("problem", problem.id, "open")
    assert change["data"]["title"] == problems.TITLE
    assert "details" not in change["data"] and problems.DETAILS not in str(change)
