"""The API is private unless it says otherwise: the public endpoints are this list, and no more."""

from __future__ import annotations

import re

import pytest

from app.config import Settings
from app.main import create_app
from app.web.api import PROBLEMS, is_public, problems

# Every endpoint anyone may call without signing in, and why. Adding one is a reviewed decision.
PUBLIC = {
    ("GET", "/api/v1/openapi.json"),  # the API's own description
    ("POST", "/api/v1/auth/token"),  # signing in
    ("GET", "/api/v1/organisations"),  # the registration form's organisation search
    ("GET", "/api/v1/fields"),  # the taxonomy
    ("GET", "/api/v1/search"),  # the public catalogue
    ("GET", "/api/v1/search/suggest"),
    ("GET", "/api/v1/matching/search"),  # "có thể bạn quan tâm": public initiatives by meaning
    ("GET", "/api/v1/catalogue/{initiative_id}"),
    ("GET", "/api/v1/receipts/{code}"),  # anyone checks a receipt (stage and dates, no content)
    ("GET", "/api/v1/certificates/{number}"),  # anyone verifies a certificate
    ("POST", "/api/v1/subscriptions/unsubscribe/{token}"),  # one-click unsubscribe (signed token)
    # an initiative and its parts: visibility.py decides what an anonymous caller sees
    ("GET", "/api/v1/initiatives/{initiative_id}"),
    ("GET", "/api/v1/initiatives/{initiative_id}/transitions"),
    ("GET", "/api/v1/initiatives/{initiative_id}/history"),
    ("GET", "/api/v1/initiatives/{initiative_id}/history/verify"),
    ("GET", "/api/v1/initiatives/{initiative_id}/versions"),
    ("GET", "/api/v1/initiatives/{initiative_id}/versions/compare"),
    ("GET", "/api/v1/initiatives/{initiative_id}/versions/{number}"),
    ("GET", "/api/v1/initiatives/{initiative_id}/attachments"),
    ("GET", "/api/v1/initiatives/{initiative_id}/attachments/{attachment_id}"),
    # the exchange's public figures: counts and published value bands, no value, no party
    ("GET", "/api/v1/exchange/statistics"),
    # the intermediary directory and profiles: organisations publish them to be found
    ("GET", "/api/v1/intermediaries"),
    ("GET", "/api/v1/intermediaries/{profile_id}"),
    # problem statements: problems/visibility.py decides what an anonymous caller sees (public
    # fields of open and awarded problems; files only past the signed-in non-disclosure gate)
    ("GET", "/api/v1/problems"),
    ("GET", "/api/v1/problems/{problem_id}"),
    ("GET", "/api/v1/problems/{problem_id}/questions"),
    ("GET", "/api/v1/problems/{problem_id}/attachments/{attachment_id}"),
    ("GET", "/api/v1/statistics"),  # "ba công khai": the public statistics
}


def api_routes(app):
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for found in contexts() if contexts else [route]:
            if getattr(found, "path", "").startswith("/api/"):
                yield found


def public_endpoints(app) -> set[tuple[str, str]]:
    found = set()
    for route in api_routes(app):
        # Routes that are not the domains' API routers (openapi.json) carry no authentication.
        if not hasattr(route, "dependant") or is_public(route.endpoint):
            found |= {(m, route.path) for m in route.methods or () if m not in ("HEAD",)}
    return found


@pytest.fixture
def bare_app(tmp_path):
    """The app without a database: enough to list its routes."""
    return create_app(
        Settings(
            _env_file=None,
            environment="test",
            database_url=f"sqlite:///{tmp_path / 'unused.db'}",
            secret_key="x" * 48,
            var_dir=tmp_path,
        )
    )


def test_the_public_api_is_exactly_the_reviewed_list(bare_app):
    assert public_endpoints(bare_app) == PUBLIC


def test_every_other_api_endpoint_refuses_an_anonymous_caller(app, client):
    checked = 0
    for route in api_routes(app):
        if not hasattr(route, "dependant") or is_public(route.endpoint):
            continue
        url = re.sub(r"{\w+(:\w+)?}", "1", route.path)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            response = client.request(method, url)
            assert response.status_code == 401, (method, url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "/problems/not-authenticated"
            checked += 1
    assert checked > 50  # grows with the API; the exact public list is checked above


def test_an_endpoint_is_private_by_default_even_without_a_user_dependency(app, client):
    """`GET /fields` takes no user: only its `@public` mark lets anonymous callers in."""
    (route,) = [r for r in api_routes(app) if r.path == "/api/v1/fields" and "GET" in r.methods]
    assert client.get("/api/v1/fields").status_code == 200
    delattr(route.endpoint, "__api_public__")
    try:
        response = client.get("/api/v1/fields")
    finally:
        route.endpoint.__api_public__ = True
    assert response.status_code == 401
    assert response.json()["type"] == "/problems/not-authenticated"


def test_problems_document_problem_json():
    assert problems(e404="No such round") == {
        404: {**PROBLEMS[404], "description": "No such round"}
    }
    assert set(PROBLEMS) == {401, 403, 404, 409, 422}
    assert "application/problem+json" in PROBLEMS[403]["content"]
