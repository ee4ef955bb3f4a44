"""A citizen opens the public statistics in a real browser, in Vietnamese then English.

Every chart's SVG is named by its title and description and its figures are in a table;
axe-core (from node_modules, evaluated through DevTools so the page keeps its strict CSP,
as in tests/system/test_phone_and_accessibility.py) finds no WCAG 2 A/AA violation in
either language.
"""

from __future__ import annotations

import pytest

from app.reports import service
from tests.fixtures.browser import live_app
from tests.reports.helpers import build
from tests.system.test_phone_and_accessibility import AXE


def axe_violations(page) -> list[tuple[str, list]]:
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    assert len(result["passes"]) > 10  # axe really checked the page
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.browser
def test_citizen_reads_statistics_with_accessible_charts(app, session, page):
    assert AXE.is_file(), "run `npm ci` (package.json) to install axe-core"
    build(session)
    service.clear_cache()
    with live_app(app) as base_url:
        page.goto(base_url + "/")
        page.click("a[href='/statistics']")
        page.wait_for_url("**/statistics")
        assert page.text_content("h1") == "Thống kê"
        assert page.text_content("[data-figure=received] .n") == "5"
        charts = page.locator("svg[role=img]")
        assert charts.count() == 6
        for n in range(charts.count()):
            names = charts.nth(n).get_attribute("aria-labelledby").split()
            texts = [page.text_content(f"[id='{i}']").strip() for i in names]
            assert all(texts), names
        # The funnel's table holds the same figures as its bars.
        funnel_rows = page.locator("#ch-funnel-cap ~ .rep-chart-body tbody tr")
        assert funnel_rows.nth(0).inner_text().split("\t") == ["Đã tiếp nhận", "5"]
        assert page.locator("#stages tr[data-stage=screening] td").nth(5).inner_text() == "1"
        assert axe_violations(page) == []
        page.click(".lang-switch a[hreflang=en]")
        page.wait_for_selector("html[lang=en]")
        assert page.text_content("h1") == "Statistics"
        assert "Screening office" in page.text_content("#stages")
        assert axe_violations(page) == []
