"""Standard pages, the favicon and API documentation served without any CDN (issue 10 §7)."""

from __future__ import annotations

import pytest

from app.system.routes import STANDARD_PAGES


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
