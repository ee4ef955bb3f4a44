"""Every main page of each demo role at a phone's width (390 × 844): no horizontal overflow, and
axe-core (installed from npm by package.json, loaded from node_modules, never from a CDN) finds
no WCAG 2 A/AA violation (issue 10 §8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.db import unit_of_work
from app.demo import DEMO_PASSWORD, load_demo
from tests.fixtures.browser import live_app

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

PAGES = {
    None: [
        "/",
        "/search",
        "/search?q=n%C4%83ng+l%C6%B0%E1%BB%A3ng",
        "/catalogue/1",
        "/certificates",
        "/receipts",
        "/account/register",
        "/about/help",
        "/exchange/statistics",
    ],
    "nhakhoahoc@sangkien.local": ["/", "/my/initiatives", "/initiatives/1", "/account/profile"],
    "chuyengia1@sangkien.local": ["/", "/reviews"],
    "dieuphoi@sangkien.local": [
        "/",
        "/coordinator/initiatives",
        "/reviews/rounds",
        "/reviews/rounds/1",
        "/reviews/rounds/1/ranking",
    ],
    "doanhnghiep@sangkien.local": ["/", "/catalogue/1", "/exchange/requests", "/exchange/deals/2"],
    # the demo's intermediary facilitates deal 2 (in negotiation) with both parties' consent
    "trunggian@sangkien.local": ["/exchange/deals", "/exchange/deals/2"],
}


def _sign_in(page, base_url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/")


@pytest.mark.browser
def test_main_pages_fit_a_phone_and_pass_axe(app, page, worker):
    assert AXE.is_file(), "run `npm ci` (package.json) to install axe-core"
    with unit_of_work(app.state.engine) as session:
        load_demo(session)
    worker.drain()
    page.set_viewport_size({"width": 390, "height": 844})
    overflowing, violations = [], []
    with live_app(app) as base_url:
        for email, paths in PAGES.items():
            if email:
                _sign_in(page, base_url, email)
            for path in paths:
                answer = page.goto(f"{base_url}{path}")
                assert answer is not None and answer.status == 200, (email, path)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    overflowing.append((email, path, width))
                # evaluated through DevTools, not as a page <script>: the page's CSP stays strict
                page.evaluate(AXE.read_text())
                result = page.evaluate(
                    "axe.run(document, {runOnly: {type: 'tag', values: "
                    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
                )
                assert len(result["passes"]) > 10, (email, path)  # axe really checked the page
                violations += [
                    (email, path, v["id"], [n["target"] for n in v["nodes"]][:3])
                    for v in result["violations"]
                ]
    assert overflowing == []
    assert violations == []
