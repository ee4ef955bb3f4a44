"""Problems in the search engine: the outbox keeps their index equal to the database, `portal
reindex` rebuilds it, and the document is built from public fields only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.catalogue import indexing, problem_index
from app.cli import main
from app.problems import service, workflow
from app.problems.models import Problem
from tests.problems.helpers import DETAILS, cast, problem


def _ids(client, **params) -> list[int]:
    response = client.get("/api/v1/problems", params=params)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


def _move(session, p: Problem, to: str, actor, reason: str | None = None) -> None:
    workflow.transition(session, p, to, actor=actor, reason=reason)
    session.commit()


def test_opening_awarding_closing_and_unpublishing_reach_the_index_through_the_outbox(
    client, session, worker
):
    c = cast(session)
    p = problem(session, c, "draft")
    service.submit(session, c.owner, p)
    session.commit()
    worker.drain()
    assert _ids(client, q="thanh long") == []  # submitted: not yet public
    _move(session, p, "open", c.coordinator)
    worker.drain()
    assert _ids(client, q="thanh long") == [p.id]
    assert problem_index.engine().document_versions() == {
        str(p.id): problem_index.document_version(p)
    }
    _move(session, p, "closed", None)  # the deadline job
    worker.drain()
    assert _ids(client, q="thanh long") == []
    _move(session, p, "awarded", c.owner)
    worker.drain()
    assert _ids(client, q="thanh long", status="awarded") == [p.id]
    _move(session, p, "unpublished", c.coordinator, reason="Trùng lặp")
    worker.drain()
    assert problem_index.engine().document_versions() == {}


def test_the_document_holds_public_fields_only(session):
    c = cast(session)
    p = problem(session, c, "open")
    doc = problem_index.document_for(session, p)
    assert doc is not None
    assert DETAILS not in repr(doc) and "ZXQ" not in repr(doc)
    assert set(doc) == {
        "id",
        "status",
        "title",
        "summary",
        "pain",
        "affected",
        "field_code",
        "field_name",
        "subfield_code",
        "subfield_name",
        "scope",
        "provinces",
        "target_trl",
        "budget_min",
        "budget_max",
        "budget_band",
        "funding_mode",
        "deadline",
        "ip_terms",
        "organisation",
        "owner_type",
        "version",
    }
    assert (doc["summary"], doc["budget_band"], doc["owner_type"]) == (
        p.abstract,
        "1b_5b",
        "enterprise",
    )
    p.status = "closed"
    assert problem_index.document_for(session, p) is None


def test_reindex_rebuilds_the_problems_index_too(client, session, capsys):
    c = cast(session)
    shown = problem(session, c, "open")  # arranged directly: the index does not know it yet
    problem(session, c, "closed", title="Thất thoát điện năng")
    assert _ids(client, q="that thoat") == []
    main(["reindex"])
    assert capsys.readouterr().out == (
        "reindexed 0 published initiatives and 1 open or awarded problems\n"
    )
    assert _ids(client, q="that thoat") == [shown.id]


def test_coordinators_synonyms_reach_the_problems_index(client, session, worker):
    c = cast(session)
    shown = problem(session, c, "open", title="Chuồng trại nuôi heo tuần hoàn")
    indexing.sync(session, shown.id, problem_index.PROBLEMS)
    assert _ids(client, q="lợn") == [shown.id]  # seeded groups: heo / lợn
    indexing.apply_synonyms(session)  # pushed to every kind
    assert _ids(client, q="lon") == [shown.id]


def test_search_check_compares_and_repairs_the_problems_index_too(client, session, capsys):
    c = cast(session)
    shown = problem(session, c, "open")  # arranged directly: not in the index
    gone = problem(session, c, "cancelled", title="Thất thoát điện năng")
    eng = problem_index.engine()
    doc = problem_index.document_for(session, shown)
    assert doc is not None
    eng.wait(eng.upsert([{**doc, "id": str(gone.id)}]))  # a problem no longer searchable
    with pytest.raises(SystemExit) as exit_:
        main(["search-check"])
    assert exit_.value.code == 1
    assert capsys.readouterr().out == (
        f"problems missing from the index (1): {shown.id}\n"
        f"problems in the index but not open or awarded (1): {gone.id}\n"
    )
    main(["search-check", "--repair"])
    assert capsys.readouterr().out.endswith("repaired: index matches the database\n")
    assert _ids(client, q="thanh long") == [shown.id]


def test_an_unavailable_engine_is_a_clear_503_not_a_500(client, settings):
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    settings.search_dir.write_text("not a directory")
    response = client.get("/api/v1/problems", params={"q": "thanh long"})
    assert (response.status_code, response.json()["type"]) == (503, "/problems/search-unavailable")
    page = client.get("/problems", params={"lang": "en"})
    assert page.status_code == 503
    assert "Search is temporarily unavailable. Please try again in a few minutes." in page.text


def test_the_deadline_facet_counts_and_filters_by_days_left(client, session):
    c = cast(session)
    today = workflow.today_in_vietnam()
    soon = problem(session, c, "open", title="Thất thoát nước sạch đô thị")
    month = problem(session, c, "open", title="Thất thoát điện năng lưới hạ thế")
    later = problem(session, c, "open", title="Thất thoát sau thu hoạch lúa")
    done = problem(session, c, "awarded", title="Thất thoát nhiệt lò hơi")
    for p, days in ((soon, 7), (month, 8), (later, 200), (done, -1)):
        p.deadline = today + timedelta(days=days)
        session.add(p)
        session.commit()
        indexing.sync(session, p.id, problem_index.PROBLEMS)
    body = client.get("/api/v1/problems", params={"q": "that thoat"}).json()
    assert body["facets"]["deadline"] == {"week": 1, "month": 1, "later": 1, "passed": 1}
    assert _ids(client, q="that thoat", deadline="week") == [soon.id]
    assert _ids(client, q="that thoat", deadline="month") == [month.id]
    assert _ids(client, q="that thoat", deadline="passed") == [done.id]
    assert _ids(client, q="that thoat", deadline="quarter") == []
    assert _ids(client, q="that thoat", deadline="someday") == []
    chosen = client.get("/api/v1/problems", params={"q": "that thoat", "deadline": "week"}).json()
    assert chosen["facets"]["deadline"] == {"week": 1, "month": 1, "later": 1, "passed": 1}
    page = client.get("/problems", params={"q": "that thoat", "lang": "vi"})
    assert "Hạn nhận đề xuất" in page.text and "Còn trong 7 ngày" in page.text
