"""The deals' public figures, registered with `app.reports.figures.figure_provider`.

Counts only, from the append-only deal history (`deal_event`): never a party or a value.
A saved view limits them to the deals on initiatives of its fields and provinces.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app.exchange.models import Deal, DealEvent, DealStage
from app.initiatives.models import Initiative
from app.reports.figures import Scope, figure_provider


@figure_provider("deals.signed", "Agreements signed")
def signed_deals(session: Session, start: datetime, end: datetime, scope: Scope) -> dict[str, int]:
    """Deals whose agreement was signed before `end`; first signed during [start, end)."""
    query = (
        sa_select(col(DealEvent.deal_id), func.min(col(DealEvent.created_at)))
        .where(
            col(DealEvent.to_stage) == DealStage.agreement_signed,
            col(DealEvent.created_at) < end,
        )
        .group_by(col(DealEvent.deal_id))
    )
    if not scope.is_all:
        query = query.join(Deal, col(Deal.id) == col(DealEvent.deal_id)).join(
            Initiative, col(Initiative.id) == col(Deal.initiative_id)
        )
        if scope.field_ids:
            query = query.where(col(Initiative.field_id).in_(scope.field_ids))
        if scope.provinces:
            query = query.where(col(Initiative.province).in_(scope.provinces))
    signed = [at for _deal, at in session.execute(query)]
    return {"total": len(signed), "period": sum(1 for at in signed if at >= start)}
