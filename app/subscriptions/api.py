"""One-click unsubscribe for mail programs (RFC 8058): a POST without sign-in or cookies."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.db import SessionDep
from app.subscriptions import service
from app.web.api import public

router = APIRouter(tags=["subscriptions"])


class Unsubscribed(BaseModel):
    removed: int = Field(
        description="How many subscriptions the link removed (0 when already removed).",
        examples=[1],
    )


@router.post(
    "/subscriptions/unsubscribe/{token}",
    response_model=Unsubscribed,
    summary="Unsubscribe with the signed token from a subscription mail",
    description="The target of the `List-Unsubscribe` header. Mail programs POST "
    "`List-Unsubscribe=One-Click` here; no sign-in is needed, the token is signed. "
    "Repeating the call is harmless. An invalid token answers 404.",
)
@public
def unsubscribe(token: str, session: SessionDep) -> Unsubscribed:
    return Unsubscribed(removed=service.unsubscribe(session, token))
