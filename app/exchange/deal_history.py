"""The append-only, hash-chained history of a deal: stage changes and recorded acts.

Same mechanism as `app/initiatives/history.py` (each entry's hash is
sha256(prev_hash + canonical JSON of the entry)); an entry also names its
`action` ("transition", "nda_accepted", "offer_made", "agreement_recorded", ...)
and carries a `detail` object — the NDA text hash, the signed document's SHA-256 —
that is part of the hashed text. Kept small and shaped like the initiatives'
module so both can move onto one shared helper.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.db import utcnow
from app.exchange.models import DealEvent

GENESIS = "0" * 64


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_json(event: DealEvent) -> str:
    """The canonical text of an entry (everything except its own hash)."""
    return canonical(
        {
            "deal_id": event.deal_id,
            "seq": event.seq,
            "actor_id": event.actor_id,
            "action": event.action,
            "from": event.from_stage,
            "to": event.to_stage,
            "detail": json.loads(event.detail),
            "created_at": _timestamp(event.created_at),
        }
    )


def entry_hash(prev_hash: str, event: DealEvent) -> str:
    return hashlib.sha256((prev_hash + entry_json(event)).encode("utf-8")).hexdigest()


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
    last = session.exec(
        select(DealEvent)
        .where(DealEvent.deal_id == deal_id)
        .order_by(col(DealEvent.seq).desc())
        .limit(1)
    ).first()
    event = DealEvent(
        deal_id=deal_id,
        seq=(last.seq + 1) if last else 1,
        actor_id=actor_id,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        detail=canonical(detail or {}),
        created_at=at or utcnow(),
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    event.hash = entry_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


def events(session: Session, deal_id: int) -> list[DealEvent]:
    return list(
        session.exec(
            select(DealEvent).where(DealEvent.deal_id == deal_id).order_by(col(DealEvent.seq))
        )
    )


def verify_chain(session: Session, deal_id: int) -> tuple[bool, int | None]:
    """(True, None) if every entry is intact, else (False, seq of the first broken entry)."""
    prev_hash, expected_seq = GENESIS, 1
    for event in events(session, deal_id):
        if (
            event.seq != expected_seq
            or event.prev_hash != prev_hash
            or event.hash != entry_hash(prev_hash, event)
        ):
            return False, event.seq
        prev_hash, expected_seq = event.hash, expected_seq + 1
    return True, None
