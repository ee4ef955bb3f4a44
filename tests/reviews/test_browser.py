"""A whole round in a real browser: the reviewer's side, then ranking, selection and publication."""

from __future__ import annotations

import re

import pytest

from app.reviews import service
from tests.conftest import PASSWORD
from tests.fixtures.browser import live_app
from tests.reviews import helpers as h


def sign_in(page, base_url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/")


@pytest.mark.browser
def test_review_select_publish_and_verify_the_certificate(app, session, page):
    boss, person = h.coordinator(session), h.reviewer(session, "Chuyên Gia Sạt Lở")
    item = h.screened(session)
    round = h.open_round(session, boss, [item], reviews_wanted=1)
    row = service.assign(session, boss, round, item, person)
    session.commit()

    with live_app(app) as base_url:
        sign_in(page, base_url, person.email)
        page.goto(f"{base_url}/reviews/assignments/{row.id}")
        assert item.solution not in page.locator("main").inner_text()
        # What is judged is shown before the conflict declaration: title and public summary.
        assert page.locator(".brief-title").inner_text() == item.title
        assert page.locator(".brief-summary").inner_text() == item.summary
        page.get_by_label(re.compile("Tôi cam đoan không có xung đột lợi ích")).check()
        page.get_by_role("button", name="Nhận lời mời").click()
        page.wait_for_url(f"{base_url}/reviews/assignments/{row.id}/confidentiality")
        page.get_by_label("Tôi chấp nhận cam kết bảo mật này").check()
        page.get_by_role("button", name="Cam kết và đọc sáng kiến").click()
        page.wait_for_url(f"{base_url}/reviews/assignments/{row.id}/review")
        assert item.solution in page.locator(".initiative-content").inner_text()

        total = page.locator("#running-total")
        assert total.inner_text() == "0.00"
        page.locator("#f-score_novelty").fill("8")
        assert total.inner_text() == "1.60"  # 8 × 1 / 5 criteria of equal weight
        # The Vietnamese decimal comma: "7,5" is seven and a half, not 75.
        for code, value in zip(h.CODES[1:], ("7,5", "6", "9", "4,5"), strict=False):
            page.locator(f"#f-score_{code}").fill(value)
        assert total.inner_text() == "7.00"  # (8 + 7 + 6 + 9 + 5) / 5
        for code in h.CODES:
            page.locator(f"#f-justification_{code}").fill(f"Nhận xét cho tiêu chí {code}.")
        page.locator("#f-recommendation").select_option("select")
        page.get_by_label("Nhận xét gửi người đăng ký (gửi ẩn danh)").fill("Giải pháp thiết thực.")
        page.get_by_role("button", name="Nộp bài đánh giá").click()
        page.wait_for_url(f"{base_url}/reviews/assignments/{row.id}/review")
        assert "Đã nộp bài đánh giá" in page.locator("main").inner_text()
        assert total.inner_text() == "7.00"
        assert page.locator("#f-score_breakthrough").input_value() == "7,5"

        sign_in(page, base_url, boss.email)
        page.goto(f"{base_url}/reviews/rounds/{round.id}/ranking")
        ranked = page.locator(f"tr[data-initiative='{item.id}']")
        assert ranked.locator("[data-raw]").inner_text() == "7,00"
        assert ranked.locator("[data-calibrated]").inner_text() == "7,00"
        ranked.get_by_role("link", name="Quyết định").click()
        page.locator("#f-outcome").select_option("select")
        page.locator("#f-rationale").fill("Điểm cao, tính thực tiễn rõ.")
        page.locator("#f-confirm").check()
        page.get_by_role("button", name="Ghi nhận quyết định").click()
        page.wait_for_url(f"{base_url}/reviews/rounds/{round.id}/ranking")
        ranked.get_by_role("link", name="Công bố").click()
        page.locator("#f-confirm").check()
        page.get_by_role("button", name="Công bố và cấp giấy chứng nhận").click()
        page.wait_for_url(re.compile(rf"{base_url}/certificates/CN-\d{{4}}-000001"))
        assert page.locator("[data-verified]").is_visible()
        assert item.title in page.locator(".cert").inner_text()
