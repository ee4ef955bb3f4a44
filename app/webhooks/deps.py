"""Load an endpoint the signed-in user may manage (404/403 in one place)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.webhooks import service
from app.webhooks.models import WebhookEndpoint


def valid_endpoint(endpoint_id: int, session: SessionDep, user: CurrentUser) -> WebhookEndpoint:
    return service.get_endpoint(session, user, endpoint_id)


ManagedEndpoint = Annotated[WebhookEndpoint, Depends(valid_endpoint)]
