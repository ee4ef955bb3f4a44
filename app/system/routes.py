from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from app.accounts.deps import OptionalUser
from app.db import SessionDep
from app.reports import service as reports_service
from app.system import service
from app.web.redirects import safe_next
from app.web.templating import render

router = APIRouter()


@router.get("/")
def home(request: Request, session: SessionDep, user: OptionalUser):
    return render(request, "system/home.html", {"headline": reports_service.headline(session)})


@router.get("/language/{code}")
def switch_language(request: Request, code: str, next: str = "/"):
    request.session["lang"] = code if code in ("vi", "en") else "vi"
    return RedirectResponse(safe_next(next), status_code=303)


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
