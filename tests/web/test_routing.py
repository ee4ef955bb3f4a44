"""A request is compared with the routes serving its first segment only (the API's under its
prefix, the pages' by theirs); unknown paths and methods answer as before."""

from __future__ import annotations

from types import MethodType

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Match

from app.main import API_PREFIX
from app.web.routing import PrefixGate, Remainder
from tests.web.test_api import bare_app  # noqa: F401  (fixture)


def _counting(app) -> dict[str, int]:
    """Count the `matches` calls every route after the gates receives, pages and API apart."""
    asked = {"pages": 0, "api": 0}
    for route in app.router.routes[3:]:
        paths = {getattr(r, "path", "") for r in _leaves(route)}
        kind = "api" if paths and all(p.startswith(API_PREFIX) for p in paths) else "pages"

        def matches(self, scope, _original=route.matches, _kind=kind):
            asked[_kind] += 1
            return _original(scope)

        route.matches = MethodType(matches, route)
    return asked


def _asking(routes) -> list[object]:
    """The routes among `routes` asked to match, in the order they are asked."""
    asked: list[object] = []
    for route in routes:

        def matches(self, scope, _original=route.matches):
            asked.append(self)
            return _original(scope)

        route.matches = MethodType(matches, route)
    return asked


def _leaves(route):
    contexts = getattr(route, "effective_route_contexts", None)
    return list(contexts()) if contexts else [route]


def test_the_gates_come_first_and_hold_every_api_router_then_every_page_router(app):
    gate, pages_gate = app.router.routes[:2]
    assert isinstance(gate, PrefixGate) and isinstance(pages_gate, PrefixGate)
    routers = [r for r in app.router.routes[3:] if hasattr(r, "effective_route_contexts")]
    api_routers = [
        r
        for r in routers
        if all(x.path.startswith(API_PREFIX) for x in r.effective_route_contexts())
    ]
    assert gate.routes == api_routers
    assert len(api_routers) >= 10
    page_routers = [r for r in pages_gate.routes if hasattr(r, "effective_route_contexts")]
    assert page_routers == [r for r in routers if r not in api_routers]
    assert len(page_routers) >= 10


def test_an_api_request_never_meets_a_page_route(app):
    with TestClient(app) as client:
        asked = _counting(app)
        response = client.get("/api/v1/fields")
        assert response.status_code == 200
        assert asked["pages"] == 0


def test_an_api_request_meets_only_the_routers_serving_its_first_segment(app):
    gate = app.router.routes[0]

    def segment(path: str) -> str:
        return path.removeprefix(f"{API_PREFIX}/").split("/", 1)[0]

    serving = [r for r in gate.routes if any(segment(x.path) == "fields" for x in _leaves(r))]
    assert len(serving) == 1  # the taxonomy's router
    asked = _asking(gate.routes)
    with TestClient(app) as client:
        assert client.get("/api/v1/fields").status_code == 200
        assert asked == serving
    # a segment nobody serves: no router at the gate (the usual search then answers 404)
    assert gate.candidates("/api/v1/no-such-segment") == []
    assert gate.candidates("/api/v1/initiatives/7/submit") == [
        r for r in gate.routes if any(segment(x.path) == "initiatives" for x in _leaves(r))
    ]


def test_a_page_request_meets_only_the_page_routers_serving_its_first_segment(app):
    pages_gate = app.router.routes[1]
    serving = [
        r for r in pages_gate.routes if any(x.path.split("/")[1] == "catalogue" for x in _leaves(r))
    ]
    assert 1 <= len(serving) < len(pages_gate.routes) / 10
    asked = _asking(pages_gate.routes)
    with TestClient(app) as client:
        assert client.get("/catalogue/synonyms", follow_redirects=False).status_code == 303
        # the catalogue's routers, in their order, and no other (nor again after the gates)
        assert asked == serving
        asked.clear()
        assert client.get("/").status_code == 200
        assert len(asked) < len(pages_gate.routes) / 10


@pytest.mark.parametrize(
    ("method", "path", "status", "content_type"),
    [
        ("DELETE", "/api/v1/fields", 405, "application/problem+json"),  # a known path
        ("GET", "/api/v1/no-such-thing", 404, "application/problem+json"),
        ("GET", "/api/v1", 404, "application/problem+json"),
        ("POST", "/search", 405, "text/html; charset=utf-8"),
        ("GET", "/no-such-page", 404, "text/html; charset=utf-8"),
        ("GET", "/catalogue/not-a-number", 404, "text/html; charset=utf-8"),
    ],
)
def test_unknown_paths_and_methods_answer_as_before(client, method, path, status, content_type):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == content_type


def test_a_path_only_sharing_the_prefixs_letters_is_a_page_path(bare_app):  # noqa: F811
    gate = bare_app.router.routes[0]
    scope = {"type": "http", "path": "/api/v1x/fields", "root_path": "", "method": "GET"}
    assert gate.matches(scope)[0].name == "NONE"
    scope["path"] = "/api/v1/fields"
    assert gate.matches(scope)[0].name == "FULL"


@pytest.mark.parametrize(
    ("method", "path", "status", "location"),
    [
        ("GET", "/api/v1/fields/", 307, "http://testserver/api/v1/fields"),  # the other slash
        ("GET", "/search/", 307, "http://testserver/search"),
        ("GET", "/static/css/portal.css", 200, None),  # outside the gates
        ("GET", "/static/no-such-file.css", 404, None),
        ("GET", "/api/v1/openapi.json", 200, None),
    ],
)
def test_redirects_and_the_routes_outside_the_gates_answer_as_before(
    client, method, path, status, location
):
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code == status
    assert response.headers.get("location") == location


def test_a_path_nobody_serves_is_answered_by_the_remainder_without_every_route(app):
    remainder = app.router.routes[2]
    assert isinstance(remainder, Remainder)
    with TestClient(app, raise_server_exceptions=False) as client:
        asked = _counting(app)
        for path in ("/api/v1/no-such-thing", "/no-such-page"):
            assert client.get(path).status_code == 404
    gates, others = remainder.parts()
    # A gate's candidates for the path are asked three times (by the gate, then by the
    # remainder for another method and for the other slash), the routes outside the gates
    # twice; Starlette's own search (every route, twice more) never ran.
    expected = sum(
        3 * sum(len(g.candidates(path)) for g in gates if path.startswith(g.prefix))
        + 2 * len(others)
        for path in ("/api/v1/no-such-thing", "/no-such-page")
    )
    assert asked["pages"] + asked["api"] == expected
    assert expected < 20 < len(gates[0].routes) + len(gates[1].routes)


def test_the_remainder_leaves_another_method_and_the_other_slash_to_starlette(app):
    remainder = app.router.routes[2]

    def scope(method: str, path: str) -> dict:
        return {"type": "http", "method": method, "path": path, "root_path": ""}

    assert remainder.matches(scope("POST", "/search"))[0] is Match.NONE  # a 405
    assert remainder.matches(scope("DELETE", "/api/v1/fields"))[0] is Match.NONE
    assert remainder.matches(scope("GET", "/api/v1/fields/"))[0] is Match.NONE  # a redirect
    assert remainder.matches(scope("GET", "/api/v1/no-such-thing"))[0] is Match.FULL
    assert remainder.matches({**scope("GET", "/"), "type": "websocket"})[0] is Match.NONE
