"""The coordinator dashboard: live indicators, ageing, overdue, warnings, rounds, reviewers, views."""

from __future__ import annotations

from sqlmodel import select

from app.accounts.models import Role
from app.reports import dashboard, service
from app.reports.figures import ALL, Scope
from app.reports.models import SavedView
from app.reviews.models import Assignment, AssignmentStatus, ReviewRound, Rubric
from tests import factories
from tests.conftest import csrf_of, web_login
from tests.reports.helpers import NOW, build, vn


def add_round(session, data):
    rubric = Rubric(name="Tiêu chí chung")
    session.add(rubric)
    session.flush()
    rnd = ReviewRound(name="Đợt 1/2026", rubric_id=rubric.id, due_at=vn(2026, 3, 15))
    session.add(rnd)
    session.flush()
    expert = factories.user(session, Role.reviewer, full_name="Chuyên Gia Một")
    other = factories.user(session, Role.reviewer, full_name="Chuyên Gia Hai")
    i3 = data.initiatives["I3"]
    session.add_all(
        [
            Assignment(round_id=rnd.id, initiative_id=i3.id, reviewer_id=expert.id, status=AssignmentStatus.accepted, invited_at=vn(2026, 2, 23), responded_at=vn(2026, 2, 24)),
            Assignment(round_id=rnd.id, initiative_id=i3.id, reviewer_id=other.id, status=AssignmentStatus.submitted, invited_at=vn(2026, 2, 23), responded_at=vn(2026, 2, 23, 21)),
        ]
    )  # fmt: skip
    session.commit()
    return rnd


def test_live_summary_at_a_frozen_time(session):
    data = build(session)
    add_round(session, data)
    summary = dashboard.summary(session, ALL, NOW)
    assert dict(summary["open"]) == {"submitted": 1, "screening": 1, "in_review": 1}
    assert {s: dict(c) for s, c in summary["ageing"].items()} == {
        "screening": {"3-5": 1},
        "in_review": {"0-2": 1},
        "submitted": {"0-2": 1},
    }
    assert (summary["overdue"], summary["warnings"]) == (1, 1)
    overdue = dashboard.open_items(session, ALL, NOW, dashboard.Filter(overdue=True))
    assert [(i.receipt_code, i.elapsed, i.target) for i in overdue] == [("SK-2026-000004", 4, 3)]
    # One working day left of two: an early warning.
    warnings = dashboard.open_items(session, ALL, NOW, dashboard.Filter(warning=True))
    assert [(i.receipt_code, i.elapsed, i.target) for i in warnings] == [("SK-2026-000005", 1, 2)]
    every = dashboard.open_items(session, ALL, NOW)
    assert [(i.receipt_code, i.stage, i.bucket) for i in every] == [
        ("SK-2026-000004", "screening", "3-5"),
        ("SK-2026-000003", "in_review", "0-2"),
        ("SK-2026-000005", "submitted", "0-2"),
    ]
    assert [(r["name"], r["outstanding"], r["submitted"]) for r in summary["rounds"]] == [
        ("Đợt 1/2026", 1, 1)
    ]
    assert [
        (r["name"], r["open"], r["submitted"], r["median_response_days"])
        for r in summary["reviewers"]
    ] == [
        ("Chuyên Gia Một", 1, 0, 1.0),
        ("Chuyên Gia Hai", 0, 1, 0.5),
    ]


def test_a_saved_view_gives_exact_figures_and_lists(session):
    data = build(session)
    add_round(session, data)
    hanoi_agri = Scope((data.initiatives["I4"].field_id,), ("Hà Nội",))  # I3 and I4
    summary = dashboard.summary(session, hanoi_agri, NOW)
    assert dict(summary["open"]) == {"screening": 1, "in_review": 1}
    assert {s: dict(c) for s, c in summary["ageing"].items()} == {
        "screening": {"3-5": 1},
        "in_review": {"0-2": 1},
    }
    assert (summary["overdue"], summary["warnings"]) == (1, 0)
    assert [(r["name"], r["outstanding"], r["submitted"]) for r in summary["rounds"]] == [
        ("Đợt 1/2026", 1, 1)
    ]
    assert [(r["name"], r["open"]) for r in summary["reviewers"]] == [
        ("Chuyên Gia Một", 1),
        ("Chuyên Gia Hai", 0),
    ]

    def codes(**which):
        found = dashboard.open_items(session, hanoi_agri, NOW, dashboard.Filter(**which))
        return [i.receipt_code for i in found]

    assert codes() == ["SK-2026-000004", "SK-2026-000003"]
    assert codes(overdue=True) == ["SK-2026-000004"]
    assert codes(stage="in_review", bucket="0-2") == ["SK-2026-000003"]
    assert codes(stage="screening", bucket="0-2") == []
    assert codes(warning=True) == []
    assert codes(stage="published") == []
    # Huế only: I5 (one day left of two) and I2 (rejected, not open); no review.
    hue = Scope((), ("Huế",))
    summary = dashboard.summary(session, hue, NOW)
    assert (dict(summary["open"]), summary["overdue"], summary["warnings"]) == (
        {"submitted": 1},
        0,
        1,
    )
    assert [(r["outstanding"], r["submitted"]) for r in summary["rounds"]] == [(0, 0)]
    assert summary["reviewers"] == []
    # The history figures of a view: one snapshot per (watermark, view), served again.
    service.clear_cache()
    stats = service.public_statistics(session, hanoi_agri)
    assert (stats["totals"]["received"], stats["totals"]["in_screening"]) == (2, 1)
    assert (stats["totals"]["in_review"], stats["totals"]["selected"]) == (1, 0)
    assert "overdue_items" not in stats
    # The same computation (its stamp); a watermark check after CHECK_SECONDS on a slow
    # machine may copy the snapshot with a new check time, never recompute it.
    assert (
        service.public_snapshot(session, hanoi_agri).stamp
        == service.public_snapshot(session, hanoi_agri).stamp
    )
    assert service.public_statistics(session, hue)["totals"]["received"] == 2


def test_the_snapshots_of_views_are_bounded(session, monkeypatch):
    data = build(session)
    service.clear_cache()
    monkeypatch.setattr(service, "MAX_VIEWS", 2)
    public = service.public_snapshot(session)
    fields = (data.initiatives["I1"].field_id, data.initiatives["I4"].field_id)
    scopes = [Scope((fields[0],)), Scope((fields[1],)), Scope((), ("Huế",))]
    for scope in scopes:
        service.public_snapshot(session, scope)
    url = str(session.get_bind().engine.url)
    assert sorted(str(k[1]) for k in service._cache if k[0] == url) == sorted(
        str(s) for s in [ALL, *scopes[1:]]
    )
    assert service.public_snapshot(session).stamp == public.stamp  # kept, not recomputed


def test_dashboard_page_links_each_figure_to_its_list(client, session):
    data = build(session)
    service.clear_cache()
    web_login(client, data.coordinator.email)
    page = client.get("/dashboard")
    assert page.status_code == 200
    # Long after February every open item with a target is overdue.
    assert '<span class="n" id="overdue-count">3</span>' in page.text
    assert 'href="/dashboard/items?stage=screening"' in page.text
    items = client.get("/dashboard/items", params={"overdue": "1"})
    assert [
        code in items.text for code in ("SK-2026-000003", "SK-2026-000004", "SK-2026-000005")
    ] == [True, True, True]
    screening = client.get("/dashboard/items", params={"stage": "screening"})
    assert "SK-2026-000004" in screening.text and "SK-2026-000003" not in screening.text


def test_the_list_behind_a_figure_comes_a_page_at_a_time(client, session, monkeypatch):
    from app.reports import dashboard_routes

    data = build(session)
    service.clear_cache()
    monkeypatch.setattr(dashboard_routes, "ITEMS_PER_PAGE", 2)
    web_login(client, data.coordinator.email)
    codes = ("SK-2026-000003", "SK-2026-000004", "SK-2026-000005")
    first = client.get("/dashboard/items", params={"overdue": "1", "lang": "en"})
    assert "Initiatives: 3" in first.text and "Page 1 of 2" in first.text
    assert 'href="/dashboard/items?overdue=1&amp;lang=en&amp;page=2" rel="next"' in first.text
    second = client.get("/dashboard/items", params={"overdue": "1", "page": 2})
    shown = [[code in page.text for code in codes] for page in (first, second)]
    assert [sum(row) for row in shown] == [2, 1]
    assert [a or b for a, b in zip(*shown, strict=True)] == [True, True, True]
    assert (
        "Page 2 of 2"
        in client.get("/dashboard/items", params={"overdue": 1, "page": 9, "lang": "en"}).text
    )


def test_saved_view_scopes_the_dashboard_and_belongs_to_its_owner(client, session):
    data = build(session)
    service.clear_cache()
    web_login(client, data.coordinator.email)
    token = csrf_of(client.get("/dashboard").text)
    bad = client.post("/dashboard/views", data={"csrf_token": token, "name": ""})
    assert bad.status_code == 400
    assert "Chọn ít nhất một lĩnh vực hoặc một tỉnh, thành phố." in bad.text
    assert (
        client.post(
            "/dashboard/views", data={"csrf_token": token, "name": "X", "provinces": "Atlantis"}
        ).status_code
        == 400
    )
    saved = client.post(
        "/dashboard/views",
        data={"csrf_token": token, "name": "Miền Trung", "provinces": "Huế"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    view = session.exec(select(SavedView)).one()
    assert (view.name, view.provinces, view.field_ids) == ("Miền Trung", ["Huế"], [])
    page = client.get(f"/dashboard?view={view.id}")
    assert "Bảng điều hành: Miền Trung" in page.text
    # Huế: I5 waits in "submitted" (long overdue by now), I2 was rejected.
    assert '<span class="n" id="overdue-count">1</span>' in page.text
    assert '<span class="n" id="warning-count">0</span>' in page.text
    assert 'href="/dashboard/items?stage=submitted&amp;view=' in page.text
    items = client.get("/dashboard/items", params={"overdue": "1", "view": view.id})
    assert "SK-2026-000005" in items.text and "SK-2026-000004" not in items.text
    # Another coordinator cannot use it.
    client.cookies.clear()
    other = factories.user(session, Role.coordinator, full_name="Người Khác")
    web_login(client, other.email)
    assert client.get(f"/dashboard?view={view.id}").status_code == 404
    assert client.get("/dashboard").status_code == 200


def test_only_coordinators_see_the_dashboard(client, session):
    data = build(session)
    web_login(client, data.submitter.email)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/items").status_code == 403


def test_own_weekly_report_for_a_saved_view(client, session):
    data = build(session)
    view = SavedView(user_id=data.coordinator.id, name="Huế", provinces=["Huế"], field_ids=[])
    session.add(view)
    session.commit()
    web_login(client, data.coordinator.email)
    body = client.get(f"/reports/weekly/2026-W07/report.json?view={view.id}").json()
    received = next(k for k in body["kpis"] if k["key"] == "received")
    assert (received["week"], received["previous_week"], received["since_start"]) == (0, 1, 1)
    assert body["scope"] == {"field_ids": [], "provinces": ["Huế"]}
    assert client.get(f"/reports/weekly/2026-W07/report.pdf?view={view.id}").content.startswith(
        b"%PDF"
    )
