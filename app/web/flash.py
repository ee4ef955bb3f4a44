"""One-time messages shown on the next page (after a redirect)."""

from __future__ import annotations

from fastapi import Request


def flash(request: Request, message: str, category: str = "info") -> None:
    request.session.setdefault("flashes", []).append([category, message])
    request.session["flashes"] = request.session["flashes"]


def pop_flashes(request: Request) -> list[list[str]]:
    if "session" not in request.scope:
        return []
    return request.session.pop("flashes", [])
