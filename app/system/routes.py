from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from app.accounts.deps import OptionalUser
from app.system import service
from app.web.templating import render

router = APIRouter()


@router.get("/")
def home(request: Request, user: OptionalUser):
    return render(request, "system/home.html")


@router.get("/language/{code}")
def switch_language(request: Request, code: str, next: str = "/"):
    """Switch and go back to the same page with its query (a `lang=` in it is dropped)."""
    request.session["lang"] = code if code in ("vi", "en") else "vi"
    if not next.startswith("/") or next.startswith(("//", "/\\")):
        next = "/"
    path, _sep, query = next.partition("?")
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
