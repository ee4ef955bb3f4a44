"""The one check of every `next` parameter: a path on this site, never another site."""

from __future__ import annotations


def safe_next(target: object, default: str = "/") -> str:
    """`target` if it is a local path, else `default` (no open redirect).

    Refused: absolute and scheme-relative URLs (`//evil`), backslashes (`/\\evil`,
    which browsers read as `//evil`) and control characters (browsers drop a tab or
    newline, so `/\\t/evil` would become `//evil`).
    """
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    return target
