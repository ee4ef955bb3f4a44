"""CSRF protection for every state-changing request made with the session cookie.

The token lives in the signed session; forms carry it in a hidden field,
scripts in the `X-CSRF-Token` header, streamed uploads in the query string
(so the body need not be parsed before the upload is streamed).
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from fastapi.security.utils import get_authorization_scheme_param

from app.errors import PermissionDenied
from app.i18n import _

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def csrf_token(request: Request) -> str:
    if "session" not in request.scope:
        return ""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def _submitted_token(request: Request) -> str:
    token = request.headers.get("x-csrf-token") or request.query_params.get("csrf_token")
    if token:
        return token
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def csrf_protect(request: Request) -> None:
    """Dependency for web routers: refuse an unsafe request without the session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf", "")
    submitted = await _submitted_token(request)
    if not expected or not hmac.compare_digest(expected, submitted):
        raise PermissionDenied(
            _(
                "The form has expired or was not sent from this site. Please reload the page and try again."
            ),
            code="csrf-failed",
        )


def _bearer(request: Request) -> bool:
    """Sent with a bearer token, which then alone authenticates the request: the user is
    taken from the token (an invalid one is a 401), never from the cookie."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    return scheme.lower() == "bearer" and bool(token.strip())


async def csrf_protect_api(request: Request) -> None:
    """The API is for bearer tokens; a cookie-authenticated script must send the CSRF header.

    Any other Authorization header (Basic, an empty Bearer) does not skip the check,
    since the cookie would then authenticate the request.
    """
    if request.method in SAFE_METHODS or _bearer(request):
        return
    if "session" in request.scope and request.session.get("uid"):
        expected = request.session.get("csrf", "")
        if not expected or not hmac.compare_digest(
            expected, request.headers.get("x-csrf-token", "")
        ):
            raise PermissionDenied(_("Missing or wrong X-CSRF-Token header."), code="csrf-failed")
