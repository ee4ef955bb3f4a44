"""Static files under content-hashed names, kept by browsers and proxies for a year.

Templates write plain paths (`/static/css/portal.css`). When a template is
compiled, `StaticNames` rewrites each such path to a name carrying the first
characters of the file's SHA-256 (`/static/css/portal.3f9a0c12d4.css`), so no
template needs to know about hashing and a new template gets it for free.
`HashedStaticFiles` serves a hashed name from the plain file: with
`Cache-Control: public, max-age=31536000, immutable` when the hash is the
file's current one (a changed file gets a new name, so a kept copy is never
stale), and with `no-cache` otherwise (an old page asking for an old name
still gets the file, revalidated). Plain names are served with `no-cache`
and an ETag (304 when unchanged).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from jinja2.ext import Extension
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "frontend" / "static"
HASH_LENGTH = 10
FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

_PATH = r"/static/([\w./-]+?)\.(css|js|svg|png|ico|woff2?)"
_REFERENCE = re.compile(rf"""(?<=["'(]){_PATH}(?=["')?#])""")  # in a template's source
_PLAIN = re.compile(_PATH)
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})\.(?P<ext>\w+)$")
_digests: dict[tuple[str, float], str] = {}


def digest(relative: str) -> str | None:
    """The file's content hash (first characters), or None if there is no such file."""
    path = (STATIC_DIR / relative).resolve()
    if not path.is_relative_to(STATIC_DIR):  # "css/../../secret": not ours to read
        return None
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    key = (relative, stamp)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
    return _digests[key]


def hashed_url(url: str) -> str:
    """`/static/css/portal.css` → `/static/css/portal.<hash>.css` (unchanged if not a file)."""
    found = _PLAIN.fullmatch(url)
    if found is None:
        return url
    stem, ext = found.groups()
    value = digest(f"{stem}.{ext}")
    return f"/static/{stem}.{value}.{ext}" if value else url


class StaticNames(Extension):
    """Jinja extension: rewrite `/static/…` paths in a template's source to hashed names."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _REFERENCE.sub(lambda m: hashed_url(m.group(0)), source)


class HashedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        found = _HASHED.match(path.replace(os.sep, "/"))
        if found is not None:
            plain = f"{found['stem']}.{found['ext']}"
            current = digest(plain)
            if current is not None:
                response = await super().get_response(plain, scope)
                response.headers["cache-control"] = (
                    FOREVER if current == found["hash"] else REVALIDATE
                )
                return response
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = REVALIDATE
        return response
