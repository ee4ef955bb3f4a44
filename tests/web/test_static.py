"""Static files under content-hashed names: kept for a year, and never stale."""

from __future__ import annotations

import hashlib
import re

from app.web import static

PORTAL_CSS = static.STATIC_DIR / "css" / "portal.css"


def _hash() -> str:
    return hashlib.sha256(PORTAL_CSS.read_bytes()).hexdigest()[: static.HASH_LENGTH]


def test_pages_name_static_files_by_their_content_and_those_names_are_kept_for_a_year(client):
    page = client.get("/search")
    names = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert f"/static/css/portal.{_hash()}.css" in names
    assert all(re.search(r"\.[0-9a-f]{10}\.(css|js)$", name) for name in names), names
    served = client.get(f"/static/css/portal.{_hash()}.css")
    assert served.status_code == 200
    assert served.content == PORTAL_CSS.read_bytes()
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["content-type"].startswith("text/css")


def test_an_old_hash_still_gets_the_file_but_only_revalidated(client):
    stale = client.get("/static/css/portal.0123456789.css")
    assert stale.status_code == 200
    assert stale.content == PORTAL_CSS.read_bytes()
    assert stale.headers["cache-control"] == "no-cache"


def test_a_plain_name_is_revalidated_with_its_etag(client):
    plain = client.get("/static/css/portal.css")
    assert (plain.status_code, plain.headers["cache-control"]) == (200, "no-cache")
    again = client.get("/static/css/portal.css", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304


def test_hashed_names_reach_no_file_outside_the_static_folder(client):
    assert static.digest("../../pyproject.toml") is None
    assert client.get("/static/css/../../../pyproject.0123456789.toml").status_code == 404
    assert client.get("/static/css/missing.0123456789.css").status_code == 404


def test_static_files_and_pages_are_compressed_for_clients_that_accept_gzip(client):
    css = client.get(f"/static/css/portal.{_hash()}.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip"
    assert css.content == PORTAL_CSS.read_bytes()
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.headers["content-encoding"] == "gzip"
    assert (
        "content-encoding"
        not in client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "identity"}).headers
    )
