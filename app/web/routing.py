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
`url_path_for` and every walk over `app.routes` see them as before. `Remainder`, third,
serves what the gates do not: the routes outside them (the static files, the API's
schema and documentation) and the 404 of a path nobody serves. Without it such a request
met every route again, twice with the trailing-slash retry (about 19,000 Python calls for
an unknown API path, against 2,000 for `/healthz`). A path one of the gates serves with
another method (405) or another trailing slash (a redirect) still falls through to
Starlette's search, which answers it as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette._utils import get_route_path
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, Router
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


class Remainder(BaseRoute):
    """After the gates: the router's other routes, then a 404 for a path nobody serves."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self._parts: tuple[list[PrefixGate], list[BaseRoute]] | None = None

    def parts(self) -> tuple[list[PrefixGate], list[BaseRoute]]:
        """(the gates, the routes outside them), from the router's routes at the first
        request, when every route is in place."""
        if self._parts is None:
            gates = [r for r in self.router.routes if isinstance(r, PrefixGate)]
            gated = {id(route) for gate in gates for route in gate.routes}
            others = [
                r
                for r in self.router.routes
                if not isinstance(r, PrefixGate | Remainder) and id(r) not in gated
            ]
            self._parts = (gates, others)
        return self._parts

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        gates, others = self.parts()
        for route in others:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return match, {**child_scope, _CHOSEN: route}
            if match is Match.PARTIAL:
                return Match.NONE, {}  # another method (405): Starlette's search answers it
        if self._served_otherwise(scope, gates, others):
            return Match.NONE, {}
        return Match.FULL, {_CHOSEN: None}

    def _served_otherwise(
        self, scope: Scope, gates: list[PrefixGate], others: list[BaseRoute]
    ) -> bool:
        """Whether a gate serves the path with another method (a 405), or a route with the
        other trailing slash (a redirect): what `Router.app` finds after the routes."""
        if any(gate.matches(scope)[0] is Match.PARTIAL for gate in gates):
            return True
        path = get_route_path(scope)
        if path == "/" or not self.router.redirect_slashes:
            return False
        slash = scope["path"].rstrip("/") if path.endswith("/") else scope["path"] + "/"
        other = {**scope, "path": slash}
        return any(route.matches(other)[0] is not Match.NONE for route in [*gates, *others])

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute | None = scope.pop(_CHOSEN)
        if route is None:
            raise HTTPException(status_code=404)  # as Router.not_found: the app's handler answers
        await route.handle(scope, receive, send)

    def __repr__(self) -> str:
        return "Remainder()"
