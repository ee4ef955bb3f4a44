"""One family of domain errors and the one handler that renders them.

A service raises `Conflict(_("..."))`; the handler answers a browser with an
HTML page and an API client with `application/problem+json` (RFC 9457).
Nothing else reaches a user: unknown exceptions become a plain 500 page with a
reference number, and the stack trace goes to the log only.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ExceptionHandler

from app.i18n import _

log = logging.getLogger(__name__)

# The type of FastAPI's `responses=` documentation of an operation's error answers.
Responses = dict[int | str, dict[str, Any]]


class DomainError(Exception):
    """An expected failure with a message for the user and an HTTP status."""

    status: int = 400
    code: str = "bad-request"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        errors: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.errors = errors or {}
        self.extra = extra


class NotAuthenticated(DomainError):
    status, code = 401, "not-authenticated"


class PermissionDenied(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not-found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class InvalidTransition(Conflict):
    code = "invalid-transition"


class PayloadTooLarge(DomainError):
    status, code = 413, "payload-too-large"


class UnsupportedMediaType(DomainError):
    status, code = 415, "unsupported-media-type"


class ValidationFailed(DomainError):
    """Field errors: `errors` maps a field name to a message in the user's language."""

    status, code = 422, "validation-failed"


class TooManyRequests(DomainError):
    status, code = 429, "too-many-requests"


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def problem(
    request: Request, status: int, code: str, title: str, detail: str, **fields: Any
) -> JSONResponse:
    body = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **{k: v for k, v in fields.items() if v},
    }
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=_headers(status)
    )


def _headers(status: int) -> dict[str, str] | None:
    # No "Connection: close" on 413: a client still uploading would lose the answer.
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None


def _html(request: Request, status: int, title: str, detail: str, **context: Any) -> Response:
    from app.web.templating import (
        render,  # the web layer depends on errors, not the reverse
    )

    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "detail": detail, **context},
        status_code=status,
        headers=_headers(status) if status != 401 else None,
    )


def _title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Please sign in"),
        403: _("Not allowed"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Not possible now"),
        413: _("Too large"),
        415: _("Unsupported file type"),
        422: _("Please correct the errors"),
        429: _("Too many attempts"),
    }
    return titles.get(status, _("Something went wrong"))


async def handle_domain_error(request: Request, exc: DomainError) -> Response:
    if wants_json(request):
        return problem(
            request,
            exc.status,
            exc.code,
            _title(exc.status),
            exc.message,
            errors=exc.errors,
            **exc.extra,
        )
    if exc.status == 401:  # back to the same page, its query too (a listing's filters)
        from app.web.templating import here

        next_page = urlencode({"next": here(request)}, safe="/")
        return RedirectResponse(f"/account/login?{next_page}", status_code=303)
    return _html(request, exc.status, _title(exc.status), exc.message, errors=exc.errors)


async def handle_http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else ""
    if exc.status_code == 404:
        detail = _("There is nothing at this address.")
    if wants_json(request):
        return problem(
            request, exc.status_code, f"http-{exc.status_code}", _title(exc.status_code), detail
        )
    return _html(request, exc.status_code, _title(exc.status_code), detail)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    return ".".join(parts) or "request"


async def handle_validation_error(request: Request, exc: RequestValidationError) -> Response:
    from app.web.forms import error_message

    if exc.errors() and all(e["loc"][:1] == ("path",) for e in exc.errors()):
        # /initiatives/abc names nothing that exists: that is "not found", not a bad form.
        return await handle_http_error(request, StarletteHTTPException(404))
    errors = {_field_name(tuple(e["loc"])): error_message(e) for e in exc.errors()}
    detail = _("Some fields are missing or invalid.")
    if wants_json(request):
        return problem(request, 422, "validation-failed", _title(422), detail, errors=errors)
    return _html(request, 400, _title(400), detail, errors=errors)


async def handle_unstorable_input(request: Request, exc: DBAPIError) -> Response:
    """Input the database refuses as data (a NUL byte in text, a number out of range) is the client's error."""
    if not isinstance(exc, DataError):
        return await handle_unexpected(request, exc)
    if "out of range" in str(exc.orig):  # PostgreSQL: an integer beyond bigint
        return await handle_overflow(request, OverflowError(str(exc.orig)))
    log.info(
        "input refused by the database on %s %s: %s", request.method, request.url.path, exc.orig
    )
    detail = _(
        "Some of the text you sent contains characters that cannot be stored. Please remove them."
    )
    if wants_json(request):
        return problem(request, 422, "invalid-characters", _title(422), detail)
    return _html(request, 400, _title(400), detail)


# The largest id a row can have (a signed 64-bit integer on both databases).
MAX_ID = 2**63 - 1


async def handle_overflow(request: Request, exc: OverflowError) -> Response:
    """A number beyond the database's integer range: an id in the path names nothing
    that exists (404); anywhere else it is invalid input (422 / 400)."""
    if any(part.isdigit() and int(part) > MAX_ID for part in request.url.path.split("/")):
        return await handle_http_error(request, StarletteHTTPException(404))
    detail = _("A number you sent is too large.")
    if wants_json(request):
        return problem(request, 422, "number-too-large", _title(422), detail)
    return _html(request, 400, _title(400), detail)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    reference = uuid.uuid4().hex[:12]
    log.exception("unhandled error %s on %s %s", reference, request.method, request.url.path)
    detail = _("An unexpected error occurred. Reference: %(ref)s", ref=reference)
    if wants_json(request):
        return problem(request, 500, "internal-error", _title(500), detail, reference=reference)
    return _html(request, 500, _title(500), detail)


def install(app: FastAPI) -> None:
    # Starlette types every handler as taking `Exception`; each of ours takes the class it is
    # registered for, which Starlette guarantees, hence the casts.
    app.add_exception_handler(DomainError, cast(ExceptionHandler, handle_domain_error))
    app.add_exception_handler(StarletteHTTPException, cast(ExceptionHandler, handle_http_error))
    app.add_exception_handler(
        RequestValidationError, cast(ExceptionHandler, handle_validation_error)
    )
    app.add_exception_handler(DBAPIError, cast(ExceptionHandler, handle_unstorable_input))
    app.add_exception_handler(OverflowError, cast(ExceptionHandler, handle_overflow))
    app.add_exception_handler(Exception, handle_unexpected)
