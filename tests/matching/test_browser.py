"""The matching panels in a real browser at a phone's width (390 px), in Vietnamese and English,
with no axe-core WCAG 2 A/AA violation: a problem's owner sees "Sáng kiến phù hợp" with reasons
and invites an author; a submitter sees "Bài toán phù hợp"; a signed-in enterprise sees
"Gợi ý cho bạn" after viewing an initiative; the search page offers "Có thể bạn quan tâm"."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlmodel import select

from app.accounts.models import Role
from app.matching.models import MatchInvitation
from tests import factories
from tests.catalogue.conftest import people  # noqa: F401 (fixture)
from tests.conftest import PASSWORD
from tests.fixtures.browser import live_app
from tests.matching.conftest import WATER
from tests.reports.test_browser import axe_violations
from tests.system.test_phone_and_accessibility import AXE

DRIP = "Hệ thống tưới nhỏ giọt cho cà phê"
DRYER = "Máy sấy nông sản bằng năng lượng mặt trời"


def _sign_in(page, base_url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/account/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main").get_by_role("button").click()
    page.wait_for_url(f"{base_url}/")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []


@pytest.mark.browser
def test_matching_panels_in_both_languages_on_a_phone(app, session, page, world):
    assert AXE.is_file(), "run `npm ci` (package.json) to install axe-core"
    cast = world["cast"]
    enterprise = factories.user(session, Role.enterprise, email="xem@doanhnghiep.vn")
    session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    with live_app(app) as base_url:
        # 1. The problem's owner (who reads English) and their matching initiatives.
        _sign_in(page, base_url, cast.owner.email)
        page.goto(f"{base_url}/problems/{world['water']}?lang=vi")
        panel = page.locator("#matching-initiatives")
        assert panel.locator("h2").inner_text() == "Sáng kiến phù hợp"
        first = panel.locator("ul.matches li").first
        assert first.locator("a").inner_text() == DRIP
        assert (
            first.locator(".reasons")
            .inner_text()
            .startswith("Cùng từ khoá: cà phê, tiết kiệm · Cùng lĩnh vực: Nông nghiệp")
        )
        _fits(page)
        page.goto(f"{base_url}/problems/{world['water']}?lang=en")
        assert panel.locator("h2").inner_text() == "Matching initiatives"
        first.get_by_role("button", name="Invite the authors to propose").click()
        page.wait_for_url(f"{base_url}/problems/{world['water']}#matching-initiatives")
        assert first.locator(".tag").inner_text() == "invited"
        _fits(page)

        # 2. The initiative's submitter and the problems it could answer.
        _sign_in(page, base_url, world["people"].submitter.email)
        page.goto(f"{base_url}/initiatives/{world['drip']}?lang=vi")
        problems = page.locator("#matching-problems")
        assert problems.locator("h2").inner_text() == "Bài toán phù hợp"
        assert problems.locator("ul.matches li a").all_inner_texts() == [WATER]
        _fits(page)
        page.goto(f"{base_url}/initiatives/{world['drip']}?lang=en")
        assert problems.locator("h2").inner_text() == "Matching problems"
        _fits(page)

        # 3. An enterprise views an initiative; its home suggests a close one, saying why.
        _sign_in(page, base_url, enterprise.email)
        page.goto(f"{base_url}/catalogue/{world['drip']}?lang=vi")
        page.goto(f"{base_url}/")
        block = page.locator("section:has(#home-suggestions)")
        assert block.locator("h2").inner_text() == "Gợi ý cho bạn"
        assert block.locator("ul.matches li a").all_inner_texts() == [DRYER]
        assert block.locator(".reasons").inner_text().startswith(f"Gần với “{DRIP}” mà bạn đã xem")
        _fits(page)
        page.goto(f"{base_url}/?lang=en")
        assert block.locator("h2").inner_text() == "Suggested for you"
        assert (
            block.locator(".reasons")
            .inner_text()
            .startswith(f"Close to “{DRIP}”, which you viewed")
        )
        _fits(page)

        # 4. The search page: nothing by the words, something by the meaning.
        page.context.clear_cookies()
        page.goto(f"{base_url}/search?q={quote('smart irrigation')}&lang=vi")
        maybe = page.locator("#maybe")
        assert maybe.locator("h2").inner_text() == "Có thể bạn quan tâm"
        assert maybe.locator("li a").all_inner_texts() == [DRIP]
        assert maybe.locator(".reasons").inner_text() == "Gần nghĩa với nội dung bạn tìm"
        _fits(page)
        page.goto(f"{base_url}/search?q={quote('smart irrigation')}&lang=en")
        assert maybe.locator("h2").inner_text() == "You may be interested in"
        _fits(page)

    session.rollback()
    assert [(r.problem_id, r.initiative_id) for r in session.exec(select(MatchInvitation))] == [
        (world["water"], world["drip"])
    ]
