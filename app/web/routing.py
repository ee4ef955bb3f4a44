"""A look-up by the path's next segment in front of the routes: the API's, then the pages'.

FastAPI 0.165 tries an application's included routers one route at a time, with no
prefix check: `POST /api/v1/initiatives` was compared with the 220 page routes before
it reached the API's (about a third of a create's Python calls). `PrefixGate` is put
first in the application's routes; a request under the API's prefix is matched against
the API's routers only, and any other request pays one `startswith`.

Within the API the same holds one level down: each route FastAPI tries costs a dozen
calls, and `POST /api/v1/initiatives/7/submit` used to meet every router before the
initiatives' one (about 5,000 calls per request). The gate indexes its routers by the
first segment after the prefix of their routes' paths (`initiatives`, `search` …), so
a request meets only the routers that serve its segment, in their usual order.

The pages are gated the same way, by their own first segment (`PrefixGate("/", …)`,
second in the application's routes): `/catalogue/7` used to meet about 40 page routes
before the catalogue's, and `/` or `/healthz` about 200.

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
        self._index: tuple[dict[str, list[BaseRoute]], list[BaseRoute]] | None = None

    def _segments(self, route: BaseRoute) -> set[str] | None:
        """The first segments after the prefix of `route`'s paths; None: any segment
        (a path parameter there, or a route that does not list its paths)."""
        contexts = getattr(route, "effective_route_contexts", None)
        leaves = contexts() if contexts else [route]
        paths = [getattr(leaf, "path", None) for leaf in leaves]
        if not paths or not all(isinstance(p, str) and p.startswith(self.prefix) for p in paths):
            return None
        segments = {p.removeprefix(self.prefix).split("/", 1)[0] for p in paths}  # type: ignore[union-attr]
        return None if any("{" in s for s in segments) else segments

    def candidates(self, path: str) -> list[BaseRoute]:
        """The routers that may serve `path` (under the prefix), in their order. Built at
        the first request, when the application has included every router."""
        if self._index is None:
            served = [(route, self._segments(route)) for route in self.routes]
            by_segment: dict[str, list[BaseRoute]] = {}
            for segment in {s for _, segments in served for s in segments or ()}:
                by_segment[segment] = [r for r, s in served if s is None or segment in s]
            self._index = (by_segment, [r for r, s in served if s is None])
        by_segment, anywhere = self._index
        return by_segment.get(path.removeprefix(self.prefix).split("/", 1)[0], anywhere)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not (path := get_route_path(scope)).startswith(self.prefix):
            return Match.NONE, {}
        partial: Scope | None = None
        for route in self.candidates(path):
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
