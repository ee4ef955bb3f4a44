"""No database work on the event loop: a handler or dependency that uses a session is a plain `def`.

FastAPI runs plain functions in the thread pool and `async def` ones on the
event loop, where one slow query would stall every request of the worker.
Async code is only for reading the request (`Form`, `StreamedUpload`) or
talking to the network (the OpenID Connect provider).
"""

from __future__ import annotations

import inspect

from fastapi import APIRouter
from fastapi.routing import APIRoute

from app.db import SessionDep, get_session
from tests.web.test_api import bare_app  # noqa: F401  (fixture)


def _routes(app):
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for found in contexts() if contexts else [route]:
            if hasattr(found, "dependant"):
                yield found


def _async_users_of_the_session(dependant, where: str):
    """(where, name) of every async callable in the tree that takes a session itself."""
    call = dependant.call
    takes_session = any(sub.call is get_session for sub in dependant.dependencies)
    if call is not None and inspect.iscoroutinefunction(call) and takes_session:
        yield where, call.__qualname__
    for sub in dependant.dependencies:
        yield from _async_users_of_the_session(sub, where)


def test_no_async_handler_or_dependency_uses_a_database_session(bare_app):  # noqa: F811
    found = [
        hit
        for route in _routes(bare_app)
        for hit in _async_users_of_the_session(route.dependant, route.path)
    ]
    assert found == []


def test_the_only_async_handlers_touch_no_database(bare_app):  # noqa: F811
    async_handlers = sorted(
        f"{route.endpoint.__module__}.{route.endpoint.__name__}"
        for route in _routes(bare_app)
        if inspect.iscoroutinefunction(route.endpoint)
    )
    assert async_handlers == ["app.accounts.oidc_routes.oidc_login"]


def test_the_check_sees_an_async_handler_with_a_session(bare_app):  # noqa: F811
    """The check itself can fail: an async handler taking SessionDep is reported."""
    router = APIRouter()

    @router.get("/probe")
    async def probe(session: SessionDep):
        return None

    (route,) = [r for r in router.routes if isinstance(r, APIRoute)]
    assert list(_async_users_of_the_session(route.dependant, "/probe")) == [
        ("/probe", probe.__qualname__)
    ]
