"""Loaders that refuse in one place: a request the user may not see, or an initiative not published, is a 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.exchange import deal_queries, service
from app.exchange.models import ContactRequest, Deal
from app.initiatives.models import Initiative


def visible_request(request_id: int, session: SessionDep, user: CurrentUser) -> ContactRequest:
    return service.get_visible(session, user, request_id)


def public_initiative(initiative_id: int, session: SessionDep) -> Initiative:
    return service.public_initiative(session, initiative_id)


VisibleRequest = Annotated[ContactRequest, Depends(visible_request)]
PublicInitiative = Annotated[Initiative, Depends(public_initiative)]


def visible_deal(deal_id: int, session: SessionDep, user: CurrentUser) -> Deal:
    return deal_queries.get_visible(session, user, deal_id)


VisibleDeal = Annotated[Deal, Depends(visible_deal)]


def confidential_deal(deal_id: int, session: SessionDep, user: CurrentUser) -> Deal:
    return deal_queries.get_confidential(session, user, deal_id)


# Documents and values: the parties and coordinators, not a facilitator.
ConfidentialDeal = Annotated[Deal, Depends(confidential_deal)]
