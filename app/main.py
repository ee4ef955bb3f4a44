"""The application factory: settings, database, domains, middleware, errors."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import config, domains, errors, i18n
from app.accounts.deps import api_access, optional_user
from app.db import make_engine
from app.outbox.worker import Worker
from app.reports import service as reports
from app.web import openapi, warmup
from app.web.csrf import FormTokenPeek, csrf_protect, csrf_protect_api
from app.web.page_cache import COMPRESS_FROM, COMPRESS_LEVEL, PageCache
from app.web.routing import PrefixGate, Remainder
from app.web.security_headers import SecurityHeadersMiddleware
from app.web.static import HashedStaticFiles
from app.web.templating import FRONTEND
from app.web.templating import env as templates_env

API_PREFIX = "/api/v1"


class LanguageMiddleware:
    """Sets the request's language: ?lang= (remembered), the session, then Vietnamese.

    The API also honours Accept-Language.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            from starlette.requests import Request

            request = Request(scope)
            chosen = request.query_params.get("lang")
            if chosen in i18n.LANGUAGES:
                request.session["lang"] = chosen
            accept = (
                request.headers.get("accept-language", "")
                if request.url.path.startswith("/api/")
                else ""
            )
            i18n.set_language(
                i18n.pick_language(chosen, request.session.get("lang"), accept_language=accept)
            )
        await self.app(scope, receive, send)


def create_app(settings: config.Settings | None = None) -> FastAPI:
    settings = config.configure(settings or config.get_settings())
    domains.load_models()
    domains.load_tasks()
    engine = make_engine(settings.db_url)
    worker = Worker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.is_production:  # before the first request, not during it (app/web/warmup.py)
            warmup.warm(app)
            warmup.freeze()  # what the app built lives as long as the worker
        if settings.run_worker_in_app:
            worker.start()
        yield
        if settings.is_production:
            warmup.unfreeze()
        worker.stop()
        reports.join_refreshes()

    app = FastAPI(
        title="Cổng sáng kiến — Initiative portal API",
        version="1",
        description="Submit, review, publish and find science and technology initiatives (Resolution 57).",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by app/system/routes.py with local Swagger UI assets
        redoc_url=None,
    )
    app.state.settings, app.state.engine, app.state.worker = settings, engine, worker
    # Templates do not change under a production server: no stat() of each one per render.
    templates_env.auto_reload = not settings.is_production

    for module in domains.modules("routes"):
        # Every page knows who is signed in (for the header) and refuses unsafe requests without the CSRF token.
        app.include_router(
            module.router,
            dependencies=[Depends(csrf_protect), Depends(optional_user)],
            include_in_schema=False,
        )
    pages = len(app.router.routes)
    for module in domains.modules("api"):
        # Private unless an endpoint is marked @public (app/web/api.py).
        app.include_router(
            module.router,
            prefix=API_PREFIX,
            dependencies=[Depends(csrf_protect_api), Depends(api_access)],
        )
    # A request meets only the routers serving its path's first segment (app/web/routing.py):
    # the API's under its prefix, then the pages', then the rest and the 404.
    page_routes, api_routes = app.router.routes[:pages], app.router.routes[pages:]
    app.router.routes[0:0] = [
        PrefixGate(API_PREFIX, api_routes),
        PrefixGate("/", page_routes),
        Remainder(app.router),  # the routes added below (static files …), then a 404
    ]
    openapi.install(app, API_PREFIX)
    app.mount("/static", HashedStaticFiles(directory=FRONTEND / "static"), name="static")

    app.add_middleware(FormTokenPeek)  # a multipart form's CSRF field, read before routing
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="portal_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.is_production,
    )
    # Outermost: an anonymous search answered from memory skips the session, language and routing.
    app.add_middleware(PageCache, generation=_search_generation)
    # The public statistics the same way, until their snapshot changes (app/reports/service.py).
    app.add_middleware(
        PageCache,
        generation=partial(_statistics_generation, engine),
        paths=re.compile(r"^(/statistics|/api/v1/statistics)$"),
    )
    app.add_middleware(SecurityHeadersMiddleware, production=settings.is_production)
    # Pages, JSON and static files gzip-compressed for clients that accept it (the page
    # cache keeps its entries compressed already; a Content-Encoding is left alone).
    app.add_middleware(GZipMiddleware, minimum_size=COMPRESS_FROM, compresslevel=COMPRESS_LEVEL)
    if settings.forwarded_allow_ips.strip():
        # Outermost: the client address is corrected before anything reads it, and only
        # when the request comes from a configured proxy.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    errors.install(app)
    return app


def _statistics_generation(engine: Engine) -> str:
    from app.reports import service

    return service.page_generation(engine)


def _search_generation() -> str:
    from app.catalogue import indexing

    return indexing.engine().generation()
