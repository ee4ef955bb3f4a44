"""An API request is compared with the API's routes only; pages and errors route as before."""

from __future__ import annotations

from types import MethodType

import pytest
from fastapi.testclient import TestClient

from app.main import API_PREFIX
from app.web.routing import PrefixGate
from tests.web.test_api import bare_app  # noqa: F401  (fixture)


def _counting(app) -> dict[str, int]:
    """Count the `matches` calls every route after the gate receives, pages and API apart."""
    asked = {"pages": 0, "api": 0}
    for route in app.router.routes[1:]:
        paths = {getattr(r, "path", "") for r in _leaves(route)}
        kind = "api" if paths and all(p.startswith(API_PREFIX) for p in paths) else "pages"

        def matches(self, scope, _original=route.matches, _kind=kind):
            asked[_kind] += 1
            return _original(scope)

        route.matches = MethodType(matches, route)
    return asked


def _leaves(route):
    contexts = getattr(route, "effective_route_contexts", None)
    return list(contexts()) if contexts else [route]


def test_the_gate_comes_first_and_holds_every_api_router(app):
    gate = app.router.routes[0]
    assert isinstance(gate, PrefixGate)
    api_routers = [
        r
        for r in app.router.routes[1:]
        if hasattr(r, "effective_route_contexts")
        and all(x.path.startswith(API_PREFIX) for x in r.effective_route_contexts())
    ]
    assert gate.routes == api_routers
    assert len(api_routers) >= 10


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
    asked: list[object] = []
    for route in gate.routes:

        def matches(self, scope, _original=route.matches):
            asked.append(self)
            return _original(scope)

        route.matches = MethodType(matches, route)
    with TestClient(app) as client:
        assert client.get("/api/v1/fields").status_code == 200
        assert asked == serving
    # a segment nobody serves: no router at the gate (the usual search then answers 404)
    assert gate.candidates("/api/v1/no-such-segment") == []
    assert gate.candidates("/api/v1/initiatives/7/submit") == [
        r for r in gate.routes if any(segment(x.path) == "initiatives" for x in _leaves(r))
    ]


def test_a_page_request_passes_the_gate_with_one_prefix_test(app):
    with TestClient(app) as client:
        asked = _counting(app)
        response = client.get("/search")
        assert response.status_code == 200
        assert asked["pages"] >= 1


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("DELETE", "/api/v1/fields", 405),  # the path is known, the method is not
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/api/v1", 404),
    ],
)
def test_unknown_api_paths_and_methods_answer_as_before(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_a_path_only_sharing_the_prefixs_letters_is_a_page_path(bare_app):  # noqa: F811
    gate = bare_app.router.routes[0]
    scope = {"type": "http", "path": "/api/v1x/fields", "root_path": "", "method": "GET"}
    assert gate.matches(scope)[0].name == "NONE"
    scope["path"] = "/api/v1/fields"
    assert gate.matches(scope)[0].name == "FULL"
