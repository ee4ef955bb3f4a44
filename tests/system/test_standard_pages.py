"""Standard pages, the favicon and API documentation served without any CDN (issue 10 §7)."""

from __future__ import annotations

import pytest

from app.system.routes import STANDARD_PAGES
from tests.fixtures.browser import live_app


@pytest.mark.parametrize("page", STANDARD_PAGES)
def test_every_standard_page_answers_and_is_linked_from_the_footer(client, page):
    answer = client.get(f"/about/{page}")
    assert answer.status_code == 200
    assert f'href="/about/{page}"' in client.get("/").text


def test_an_unknown_standard_page_is_a_404(client):
    assert client.get("/about/nothing").status_code == 404


def test_the_favicon_is_served_and_linked(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").text


def test_the_api_docs_use_local_swagger_assets_only(client):
    page = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in page and "/docs/assets/swagger-ui.css" in page
    assert "cdn" not in page.lower() and "https://" not in page
    script = client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert client.get("/docs/assets/index.html").status_code == 404


@pytest.mark.browser
def test_the_api_docs_render_every_operation_in_a_browser(app, page):
    """Swagger UI reads the portal's OpenAPI 3.1 document (4.x could not: "Unable to render
    this definition") and lists each documented operation, under the page's strict CSP."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with live_app(app) as base_url:
        page.goto(f"{base_url}/docs")
        page.locator(".opblock").first.wait_for(timeout=15_000)
        shown = page.evaluate(
            """[...document.querySelectorAll('.opblock-summary')].map(s =>
                s.querySelector('.opblock-summary-method').textContent.toLowerCase() + ' ' +
                s.querySelector('.opblock-summary-path').dataset.path)"""
        )
        text = page.locator("#swagger-ui").inner_text()
    documented = {
        f"{method} {path}"
        for path, methods in app.openapi()["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert (set(shown), errors) == (documented, [])  # an operation with two tags is shown twice
    assert "Unable to render" not in text and app.openapi()["info"]["title"] in text
