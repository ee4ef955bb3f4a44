from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse

from app.accounts.deps import OptionalUser
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.reports import service as reports_service
from app.system import home as home_blocks
from app.system import service
from app.web.redirects import safe_next
from app.web.templating import render

router = APIRouter()
FAVICON = Path(__file__).resolve().parents[2] / "frontend" / "static" / "img" / "favicon.svg"


@router.get("/")
def home(request: Request, session: SessionDep, user: OptionalUser):
    """A home for each person: one block per role they hold (app/system/home.py), and the
    public headline figures."""
    return render(
        request,
        "system/home.html",
        {
            "home_blocks": home_blocks.blocks(session, user),
            "headline": reports_service.headline(session),
        },
    )


@router.get("/language/{code}")
def switch_language(request: Request, code: str, next: str = "/"):
    """Switch and go back to the same page with its query (a `lang=` in it is dropped)."""
    request.session["lang"] = code if code in ("vi", "en") else "vi"
    path, _sep, query = safe_next(next).partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    return RedirectResponse(f"{path}?{urlencode(kept)}" if kept else path, status_code=303)


@router.get("/healthz")
def healthz():
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request):
    checks = service.readiness(request.app.state.engine)
    ready = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


# -- API documentation with Swagger UI from the installed package (works on a closed network) --
SWAGGER_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
}


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request):
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=request.app.title,
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/favicon.ico",
    )


@router.get("/docs/assets/{name}", include_in_schema=False)
def api_docs_asset(name: str):
    import swagger_ui_bundle

    if name not in SWAGGER_ASSETS:
        raise NotFound(_("No such file."))
    return FileResponse(
        Path(swagger_ui_bundle.swagger_ui_path) / name,
        media_type=SWAGGER_ASSETS[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon():
    return FileResponse(FAVICON, media_type="image/svg+xml")


# -- standard pages ------------------------------------------------------------
STANDARD_PAGES = ("help", "contact", "privacy", "terms", "accessibility")


@router.get("/about/{page}")
def standard_page(request: Request, page: str):
    if page not in STANDARD_PAGES:
        raise NotFound(_("No such page."))
    return render(request, f"system/{page}.html")
