"""No input produces a 500: every route, with odd ids and junk bodies, anonymous and as an admin.

The demo data gives every route real rows to find (ids 1 and 2 exist).
"""

from __future__ import annotations

import itertools
import re

from app.db import unit_of_work
from app.demo import DEMO_PASSWORD, load_demo

ODD_IDS = ["1", "abc", "999999"]
BODIES = [
    None,
    {},
    "not json",
    {"title": None, "trl": "x", "id": -1, "email": 5, "role": "emperor"},
]
ODD_QUERY = "?q=%00&page=-5&sort=zzz&lang=xx&trl=99&year=abc&per_page=100000"


def _routes(app):
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        yield from (contexts() if contexts else [route])


def _requests(app):
    for route in _routes(app):
        path = getattr(route, "path", "")
        methods = set(getattr(route, "methods", None) or ()) - {"HEAD", "OPTIONS"}
        if not methods or path.startswith(("/static", "/docs")):
            continue
        params = re.findall(r"{(\w+)(?::\w+)?}", path)
        for ids in itertools.product(
            ODD_IDS if len(params) < 2 else ODD_IDS[:2], repeat=len(params)
        ):
            url = path
            for name, value in zip(params, ids, strict=True):
                url = re.sub(r"{" + name + r"(:\w+)?}", value, url, count=1)
            for method in sorted(methods):
                for body in BODIES if method in ("POST", "PUT", "PATCH") else [None]:
                    yield method, url + ODD_QUERY, body


def test_no_route_answers_500_to_odd_input(app, client, worker):
    with unit_of_work(app.state.engine) as session:
        load_demo(session)
    worker.drain()
    token = client.post(
        "/api/v1/auth/token", data={"username": "admin@sangkien.local", "password": DEMO_PASSWORD}
    ).json()["access_token"]
    server_errors, count = [], 0
    for method, url, body in _requests(app):
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            kwargs: dict = {"headers": dict(headers)}
            if isinstance(body, str):
                kwargs["content"], kwargs["headers"]["content-type"] = body, "application/json"
            elif body is not None:
                kwargs["json"] = body
            response = client.request(method, url, **kwargs)
            count += 1
            if response.status_code >= 500:
                server_errors.append((method, url, body, response.status_code))
    assert count > 1000
    assert server_errors == []
