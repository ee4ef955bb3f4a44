"""Public statistics page and API, home figures, receipt clock, admin targets and holidays."""

from __future__ import annotations

import time
from datetime import date

from sqlmodel import select

from app.reports import service
from app.reports.models import PublicHoliday, StageTarget
from tests.conftest import csrf_of, web_login
from tests.reports.helpers import build


def test_statistics_page_and_api_show_the_figures_without_signing_in(client, session):
    build(session)
    service.clear_cache()
    page = client.get("/statistics")
    assert page.status_code == 200
    assert 'data-figure="received"><span class="n">5</span> Đã tiếp nhận' in page.text
    assert '<svg role="img" aria-labelledby="ch-funnel-title ch-funnel-desc"' in page.text
    assert '<th scope="row">Hà Nội</th><td class="num">3</td>' in page.text
    assert "Phòng Sàng lọc" in page.text
    english = client.get("/statistics?lang=en")
    assert 'data-figure="received"><span class="n">5</span> Received' in english.text
    assert "Screening office" in english.text
    body = client.get("/api/v1/statistics").json()
    assert body["totals"]["received"] == 5
    assert body["totals"]["published"] == 1
    assert "overdue_items" not in body  # receipt codes of open items stay internal
    assert [u["unit_en"] for u in body["units"]] == [
        "Expert council",
        "Screening office",
        "Reception office",
    ]


def test_new_history_rows_show_without_a_request_waiting(client, session, monkeypatch):
    service.clear_cache()
    assert service.CHECK_SECONDS <= 60 and service.CACHE_SECONDS <= 60
    computed = []
    real = service._public
    monkeypatch.setattr(service, "_public", lambda *a: computed.append(1) or real(*a))
    monkeypatch.setattr(service, "CHECK_SECONDS", 3600.0)  # as if just checked
    assert client.get("/api/v1/statistics").json()["totals"]["received"] == 0
    build(session)
    assert client.get("/api/v1/statistics").json()["totals"]["received"] == 0  # the snapshot
    monkeypatch.setattr(service, "CHECK_SECONDS", 0.0)  # the next request checks the watermark
    # It moved: the previous figures answer at once while a background thread recomputes.
    assert client.get("/api/v1/statistics").json()["totals"]["received"] == 0
    deadline = time.monotonic() + 20
    while client.get("/api/v1/statistics").json()["totals"]["received"] != 5:
        assert time.monotonic() < deadline, "the change never showed"
        time.sleep(0.2)
    # Without new history rows, checking costs one query and nothing is recomputed.
    assert len(computed) == 2
    for _ in range(5):
        assert client.get("/api/v1/statistics").json()["totals"]["received"] == 5
    assert len(computed) == 2


def test_home_page_shows_headline_figures(client, session):
    build(session)
    service.clear_cache()
    page = client.get("/")
    assert '<span class="n">5</span> sáng kiến đã tiếp nhận' in page.text
    assert 'href="/statistics"' in page.text


def test_receipt_lookup_shows_the_stage_clock(client, session):
    build(session)
    page = client.get("/receipts", params={"code": "SK-2026-000004"})
    assert 'class="stage-unit">Phòng Sàng lọc</dd>' in page.text
    assert 'data-target="3"' in page.text
    body = client.get("/api/v1/receipts/SK-2026-000004").json()
    assert body["clock"]["target_working_days"] == 3
    assert body["clock"]["unit_en"] == "Screening office"
    assert body["clock"]["overdue"] is True  # entered 12 Feb 2026, long past three working days
    assert client.get("/api/v1/receipts/SK-2026-000005").json()["clock"]["target_working_days"] == 2
    assert client.get("/api/v1/receipts/SK-2026-000001").json()["clock"] is None


def test_admin_sets_targets_and_holidays(client, session):
    data = build(session)
    web_login(client, data.admin.email)
    page = client.get("/admin/reports/targets")
    assert page.status_code == 200
    token = csrf_of(page.text)
    bad = client.post(
        "/admin/reports/targets",
        data={"csrf_token": token, "stage": "screening", "working_days": "abc", "unit_vi": ""},
    )
    assert bad.status_code == 400
    assert "Nhập số nguyên số ngày làm việc từ 1 đến 365." in bad.text
    ok = client.post(
        "/admin/reports/targets",
        data={"csrf_token": token, "stage": "screening", "working_days": "5", "unit_vi": "Vụ Đánh giá", "unit_en": "Evaluation department"},
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303
    session.expire_all()
    target = service.targets(session)["screening"]
    assert (target.working_days, target.unit_vi) == (5, "Vụ Đánh giá")
    # The earlier target stays: past stage passages are measured against it.
    assert len(session.exec(select(StageTarget).where(StageTarget.stage == "screening")).all()) == 2
    added = client.post(
        "/admin/reports/holidays",
        data={"csrf_token": token, "day": "2026-11-24", "name_vi": "Ngày Văn hóa Việt Nam", "name_en": "Vietnamese Culture Day"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303
    duplicate = client.post(
        "/admin/reports/holidays",
        data={"csrf_token": token, "day": "2026-11-24", "name_vi": "Lặp", "name_en": ""},
    )
    assert duplicate.status_code == 400
    removed = client.post(
        "/admin/reports/holidays/2026-11-24/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    session.expire_all()
    days = {h.day for h in service.holidays(session)}
    assert date(2026, 11, 24) not in days
    assert date(2026, 2, 17) in days  # Tết stays seeded
    # Both changes are versions: the day was a holiday between them, and who set it is kept.
    versions = session.exec(
        select(PublicHoliday)
        .where(PublicHoliday.day == date(2026, 11, 24))
        .order_by(PublicHoliday.valid_from)
    ).all()
    assert [(v.removed, v.name_vi) for v in versions] == [
        (False, "Ngày Văn hóa Việt Nam"),
        (True, "Ngày Văn hóa Việt Nam"),
    ]
    assert versions[0].set_by_id == data.admin.id


def test_only_admins_set_targets(client, session):
    data = build(session)
    web_login(client, data.coordinator.email)
    assert client.get("/admin/reports/targets").status_code == 403


def test_anonymous_statistics_come_from_memory_with_an_etag(client, session):
    build(session)
    service.clear_cache()
    first = client.get("/api/v1/statistics")
    assert first.json()["totals"]["received"] == 5
    assert first.headers["cache-control"] == "public, no-cache"
    again = client.get("/api/v1/statistics", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    page = client.get("/statistics")
    assert page.headers["cache-control"] == "public, no-cache"
    assert (
        client.get("/statistics", headers={"If-None-Match": page.headers["etag"]}).status_code
        == 304
    )
