"""The append-only, hash-chained history of a deal: stage changes and recorded acts.

The chaining is `app.statemachine.HashChain`, shared with initiatives and problems. An entry
also names its `action` ("transition", "nda_accepted", "offer_made", "agreement_recorded", ...)
and carries a `detail` object — the NDA text hash, the signed document's SHA-256 — that is part
of the hashed text.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.exchange.models import DealEvent
from app.statemachine import GENESIS, HashChain, canonical_json, timestamp

__all__ = ["CHAIN", "GENESIS", "append", "events", "verify_chain"]


def _entry(event: DealEvent) -> dict[str, Any]:
    return {
        "deal_id": event.deal_id,
        "seq": event.seq,
        "actor_id": event.actor_id,
        "action": event.action,
        "from": event.from_stage,
        "to": event.to_stage,
        "detail": json.loads(event.detail),
        "created_at": timestamp(event.created_at),
    }


CHAIN: HashChain[DealEvent] = HashChain(DealEvent, "deal_id", _entry)


def append(
    session: Session,
    *,
    deal_id: int,
    actor_id: int | None,
    action: str,
    from_stage: str | None,
    to_stage: str,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> DealEvent:
    """Add the next entry of the deal's chain (the caller holds the deal's row lock)."""
    return CHAIN.append(
        session,
        deal_id,
        at=at,
        actor_id=actor_id,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        detail=canonical_json(detail or {}),
    )


def events(session: Session, deal_id: int) -> list[DealEvent]:
    return CHAIN.entries(session, deal_id)


def verify_chain(session: Session, deal_id: int) -> tuple[bool, int | None]:
    """(True, None) if every entry is intact, else (False, seq of the first broken entry)."""
    return CHAIN.verify(session, deal_id)
