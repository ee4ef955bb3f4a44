"""CSRF protection for every state-changing request made with the session cookie.

The token lives in the signed session; forms carry it in a hidden field,
scripts in the `X-CSRF-Token` header. Never in a URL (it would end up in logs,
history and Referer headers).

A multipart form (an upload, streamed into storage by the handler) carries the
token as its first field: `FormTokenPeek` reads the body only up to that field,
before any file part, and hands every byte it read on to the application
unchanged, so the check runs before the route and the upload is still streamed.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from fastapi import Request
from fastapi.security.utils import get_authorization_scheme_param
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


FIELD = "csrf_token"
PEEK_LIMIT = 64 * 1024  # the token comes first: a body that has not shown it by then has none
_STATE_KEY = "csrf_form_token"


class _TokenField:
    """Multipart callbacks that collect the `csrf_token` field and stop at any other part."""

    def __init__(self) -> None:
        self.value: bytearray | None = None
        self.done = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._in_token = False

    def callbacks(self) -> Any:
        return {
            "on_header_field": lambda d, s, e: self._header_name.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._header_value.extend(d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        _kind, params = parse_options_header(self._disposition.decode("latin-1"))
        self._disposition = b""
        self._in_token = params.get(b"name") == FIELD.encode() and b"filename" not in params
        if self._in_token:
            self.value = bytearray()
        else:
            self.done = True  # the token comes before every other part, or not at all

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_token and self.value is not None and len(self.value) < 256:
            self.value.extend(data[start:end])

    def _part_end(self) -> None:
        if self._in_token:
            self.done = True

    def _end(self) -> None:
        self.done = True

    def token(self) -> str:
        return self.value.decode("ascii", "replace").strip() if self.value else ""


class FormTokenPeek:
    """ASGI middleware: read a multipart body's leading `csrf_token` field without consuming it.

    Only unsafe requests with a multipart body and no `X-CSRF-Token` header are
    peeked, and at most `PEEK_LIMIT` bytes; the messages read are replayed to the
    application in order, so a streamed upload still reads the whole body itself.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type, params = parse_options_header(
            headers.get(b"content-type", b"").decode("latin-1")
        )
        if (
            content_type != b"multipart/form-data"
            or not params.get(b"boundary")
            or b"x-csrf-token" in headers
        ):
            await self.app(scope, receive, send)
            return
        field = _TokenField()
        parser = MultipartParser(params[b"boundary"], field.callbacks())
        read: list[Message] = []
        size = 0
        while not field.done and size < PEEK_LIMIT:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                break
            body = message.get("body", b"")
            size += len(body)
            try:
                parser.write(body[: PEEK_LIMIT - size + len(body)])
            except FormParserError:
                break
            if not message.get("more_body", False):
                break
        scope.setdefault("state", {})[_STATE_KEY] = field.token() if field.value else ""

        async def replay() -> Message:
            if read:
                return read.pop(0)
            return await receive()

        await self.app(scope, replay, send)


async def _submitted_token(request: Request) -> str:
    token = request.headers.get("x-csrf-token")
    if token:
        return token
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return getattr(request.state, _STATE_KEY, "")  # read by FormTokenPeek, body untouched
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        value = form.get(FIELD)
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
