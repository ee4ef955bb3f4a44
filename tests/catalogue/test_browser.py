"""A visitor on a real browser: search without accents, narrow by two facets, open an initiative."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import live_app


@pytest.mark.browser
def test_anonymous_visitor_searches_without_accents_narrows_and_opens_an_initiative(
    app, corpus, page
):
    with live_app(app) as base_url:
        page.goto(base_url + "/search")
        page.fill("#q", "he thong")
        page.wait_for_selector("#q-list li")  # search-as-you-type suggestions
        page.keyboard.press("Escape")
        page.click("button[type=submit]")
        page.wait_for_url("**/search?q=he+thong")
        assert page.locator(".cat-hits > li").count() == 2

        page.click(".cat-facets a:has-text('Sơn La')")
        page.wait_for_url("**province=S%C6%A1n+La")
        page.click(".cat-facets a:has-text('Doanh nghiệp')")
        page.wait_for_url("**org_type=enterprise")
        assert page.locator(".cat-hits > li").count() == 1
        assert page.locator(".cat-chips li").count() == 3  # two filters and "clear all"

        page.click(".cat-hits h2 a")
        page.wait_for_url(f"**/catalogue/{corpus.id('iot')}")
        assert page.text_content("h1") == "Nhà kính kết nối internet vạn vật"
        # its neighbours share only broad words with it: none is shown rather than weak ones
        assert "Sáng kiến tương tự" not in page.content()
