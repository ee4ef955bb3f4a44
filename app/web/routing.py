"""One prefix test in front of the API's routes.

FastAPI 0.165 tries an application's included routers one route at a time, with no
prefix check: `POST /api/v1/initiatives` was compared with the 220 page routes before
it reached the API's (about a third of a create's Python calls). `PrefixGate` is put
first in the application's routes; a request under the API's prefix is matched against
the API's routers only, and any other request pays one `startswith`.

The routers stay where `include_router` put them as well, so the OpenAPI schema,
`url_path_for` and every walk over `app.routes` see them as before; a path under the
prefix that none of them matches falls through to the usual search (and its 404).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

_CHOSEN = "portal.gate_route"  # the route that matched, from `matches` to `handle`


class PrefixGate(BaseRoute):
    def __init__(self, prefix: str, routes: Sequence[BaseRoute]) -> None:
        self.prefix = prefix.rstrip("/") + "/"
        self.routes = list(routes)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not get_route_path(scope).startswith(self.prefix):
            return Match.NONE, {}
        partial: Scope | None = None
        for route in self.routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return match, {**child_scope, _CHOSEN: route}
            if match is Match.PARTIAL and partial is None:  # the path, not the method
                partial = {**child_scope, _CHOSEN: route}
        return (Match.PARTIAL, partial) if partial is not None else (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope.pop(_CHOSEN)
        await route.handle(scope, receive, send)

    def __repr__(self) -> str:
        return f"PrefixGate({self.prefix!r}, {len(self.routes)} routes)"
