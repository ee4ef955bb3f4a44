"""The API's shared parts: which endpoints are public, and the documented problem answers.

Every router of an `api.py` is mounted under /api/v1 behind authentication
(`app.accounts.deps.api_access`): a request without a valid bearer token or
signed-in session is refused with 401, before the handler runs. An endpoint
that anyone may call says so with `@public` under its route decorator:

    @router.get("/search", ...)
    @public
    def search(...): ...

tests/web/test_api.py lists every public endpoint and fails when one appears
that is not on the list, so opening an endpoint to the world is a reviewed
decision. A public endpoint that also serves signed-in callers differently
takes `OptionalUser`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from app.errors import Responses

F = TypeVar("F", bound=Callable[..., Any])

_PUBLIC = "__api_public__"


def public(endpoint: F) -> F:
    """Mark an API endpoint as callable without authentication."""
    setattr(endpoint, _PUBLIC, True)
    return endpoint


def is_public(endpoint: object) -> bool:
    return bool(getattr(endpoint, _PUBLIC, False))


_PARTNERS = "__api_partners__"
PARTNER_TOKEN_PREFIX = "pt_"
"""Bearer tokens of partner systems (app/partners) start with this: they name no user."""


def for_partners(endpoint: F) -> F:
    """Mark an API endpoint that partner systems call with their own tokens (app/partners).

    Such an endpoint is still private: its own dependency (`partners.deps.require_scope`)
    refuses a request without a valid partner token carrying the endpoint's scope.
    """
    setattr(endpoint, _PARTNERS, True)
    return endpoint


def is_for_partners(endpoint: object) -> bool:
    return bool(getattr(endpoint, _PARTNERS, False))


PROBLEM: dict[str, Any] = {
    "content": {
        "application/problem+json": {
            "schema": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "instance": {"type": "string"},
                    "errors": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        }
    }
}
"""The body of every error answer (RFC 9457), for OpenAPI `responses`."""


def problems(**descriptions: str) -> Responses:
    """OpenAPI `responses` for error answers: `problems(e404="No such round")`.

    Keys are `e<status>`; every answer is problem+json (`PROBLEM`).
    """
    return {
        int(key.removeprefix("e")): {"description": text, **PROBLEM}
        for key, text in descriptions.items()
    }


PROBLEMS = problems(
    e401="Not signed in, or the token is invalid (problem+json)",
    e403="Not allowed (problem+json)",
    e404="Not found, or not visible to the caller (problem+json)",
    e409="Not possible in the current state; `allowed` may list what is (problem+json)",
    e422="Invalid input; `errors` maps fields to messages (problem+json)",
)
"""The error answers most endpoints can give; endpoints add their own with `problems()`."""
