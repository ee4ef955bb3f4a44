"""Anonymous catalogue responses from memory until the search index changes, with ETag and 304.

The catalogue's search page and search API are built from the search index
alone (app/catalogue/service.py), so the same URL answers the same bytes
until the index changes: documents written, synonyms edited, a rebuild. The
engine's `generation()` changes with each of those, and is part of every
entry, so a publication is visible at the next request after it is indexed,
as without the cache. An initiative's public page (and its API record) is
read from the database, but every change an anonymous reader can see there
(publication, an edit of a public section, unpublication with its certificate
revoked) is also written to the index, so the same generation applies; what
is not (an organisation renamed) is at most MAX_AGE_SECONDS old.

Only requests without credentials are served from or stored in the cache:
no `Authorization` header and no session cookie (a visitor without a form on
the page never gets one, see templating.LazyToken). A response is stored only
if it is a 200 that sets no cookie. Signed-in visitors' responses are marked
`Cache-Control: private, no-store` and never shared.

Stored and cached responses carry an ETag and `Cache-Control: public,
no-cache`: a browser or reverse proxy may keep them but asks again with
If-None-Match, answered here with a 304 without running the search.

An entry is gzip-compressed once, when stored, and sent compressed to clients
that accept gzip; the GZip middleware outside (app/main.py) leaves a response
that already has a Content-Encoding alone, and compresses everything else.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE = re.compile(r"^(/search|/api/v1/search|/catalogue/\d+|/api/v1/catalogue/\d+)$")
SESSION_COOKIE = "portal_session="
MAX_ENTRIES = 1000  # pages are 20–40 KB: about 30 MiB per worker when full
MAX_BODY = 256 * 1024
MAX_AGE_SECONDS = 60.0  # bounds what the generation does not track (e.g. an organisation's name)
GENERATION_SECONDS = 0.05  # the index generation is re-read at most this often
COMPRESS_FROM = 1000  # bytes; smaller bodies gain nothing (the same as the GZip middleware's)
COMPRESS_LEVEL = 6
PUBLIC = b"public, no-cache"
PRIVATE = b"private, no-store"


@dataclass(frozen=True)
class Entry:
    generation: str
    stored: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    gzipped: bytes | None = None


class PageCache:
    def __init__(
        self,
        app: ASGIApp,
        generation: Callable[[], str],
        paths: re.Pattern[str] = CACHEABLE,
    ) -> None:
        """`paths` are the URLs answered from memory while `generation()` is unchanged
        (another instance serves other paths with their own generation)."""
        self.app = app
        self._paths = paths
        self._read_generation = generation
        self._generation: tuple[float, str | None] = (0.0, None)
        self._reading: anyio.Event | None = None  # set when the generation read in flight ends
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        # Misses being rendered: key → set when that render is done (one render per key).
        self._rendering: dict[tuple, anyio.Event] = {}

    async def _current_generation(self) -> str | None:
        """The index's generation, or None when the engine cannot say (no caching then).

        Re-read when older than GENERATION_SECONDS, by one request in a thread;
        requests arriving meanwhile wait for that read instead of starting their own."""
        if time.monotonic() - self._generation[0] > GENERATION_SECONDS:
            if self._reading is not None:
                await self._reading.wait()
                return self._generation[1]
            self._reading = anyio.Event()
            now, value = time.monotonic(), None
            try:
                value = await anyio.to_thread.run_sync(self._read_generation)
            except Exception:
                value = None
            finally:
                self._generation = (now, value)
                self._reading.set()
                self._reading = None
        return self._generation[1]

    def _fresh(self, key: tuple, generation: str) -> Entry | None:
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry.generation == generation
            and time.monotonic() - entry.stored < MAX_AGE_SECONDS
        ):
            self._entries.move_to_end(key)
            return entry
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not self._paths.match(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "authorization" in headers or SESSION_COOKIE in headers.get("cookie", ""):
            await self.app(scope, receive, _marking(send, PRIVATE))
            return
        generation = await self._current_generation()
        if generation is None:
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/")
        key = (
            scope["path"],
            scope["query_string"],
            headers.get("accept-language", "") if api else "",
        )
        entry = self._fresh(key, generation)
        if entry is None and (rendering := self._rendering.get(key)) is not None:
            # The same page is being rendered for another request: wait for it instead of
            # rendering it again (a crowd arriving at a missing or expired entry renders it once).
            await rendering.wait()
            entry = self._fresh(key, generation)
        if entry is not None:
            await _answer(entry, headers, send)
            return
        if key in self._rendering:  # that render was not stored (e.g. a 404): render our own
            await self.app(scope, receive, send)
            return
        self._entries.pop(key, None)
        done = self._rendering[key] = anyio.Event()
        try:
            entry = await self._render(scope, receive, send, generation, headers, api)
            if entry is not None:
                self._entries[key] = entry
                while len(self._entries) > MAX_ENTRIES:
                    self._entries.popitem(last=False)
        finally:
            del self._rendering[key]
            done.set()

    async def _render(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        generation: str,
        request: Headers,
        api: bool,
    ) -> Entry | None:
        """Run the app, keeping the response if it may be shared; answer the client."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        assert start is not None
        body = b"".join(chunks)
        response_headers = MutableHeaders(raw=list(start.get("headers", [])))
        if start["status"] != 200 or "set-cookie" in response_headers or len(body) > MAX_BODY:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return None
        etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
        response_headers["etag"] = etag.decode()
        response_headers["cache-control"] = PUBLIC.decode()
        # A shared cache must not answer a signed-in visitor (cookie) or another language.
        response_headers["vary"] = (
            "Cookie, Accept-Language, Accept-Encoding" if api else "Cookie, Accept-Encoding"
        )
        gzipped = (
            gzip.compress(body, COMPRESS_LEVEL, mtime=0) if len(body) >= COMPRESS_FROM else None
        )
        entry = Entry(generation, time.monotonic(), 200, response_headers.raw, body, etag, gzipped)
        await _answer(entry, request, send)
        return entry


async def _answer(entry: Entry, request: Headers, send: Send) -> None:
    if entry.etag.decode() in request.get("if-none-match", ""):
        keep = {b"etag", b"cache-control", b"vary"}
        await send(
            {
                "type": "http.response.start",
                "status": 304,
                "headers": [(k, v) for k, v in entry.headers if k in keep],
            }
        )
        await send({"type": "http.response.body", "body": b""})
        return
    if entry.gzipped is not None and "gzip" in request.get("accept-encoding", ""):
        headers = MutableHeaders(raw=list(entry.headers))
        headers["content-encoding"] = "gzip"
        headers["content-length"] = str(len(entry.gzipped))
        await send({"type": "http.response.start", "status": entry.status, "headers": headers.raw})
        await send({"type": "http.response.body", "body": entry.gzipped})
        return
    await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
    await send({"type": "http.response.body", "body": entry.body})


def _marking(send: Send, cache_control: bytes) -> Send:
    async def marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers["cache-control"] = cache_control.decode()
        await send(message)

    return marked
