"""Load a subscription of the signed-in user (404/403 in one place)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.subscriptions import service
from app.subscriptions.models import Subscription


def own_subscription(subscription_id: int, session: SessionDep, user: CurrentUser) -> Subscription:
    return service.get_own(session, user, subscription_id)


OwnSubscription = Annotated[Subscription, Depends(own_subscription)]
