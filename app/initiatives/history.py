"""The append-only, hash-chained history of an initiative's status changes.

Each entry's hash is sha256(prev_hash + canonical JSON of the entry), so
changing, inserting or deleting a stored row breaks the chain from that entry
on; `verify_chain` names the first entry that no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.db import utcnow
from app.initiatives.models import InitiativeEvent

GENESIS = "0" * 64


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_json(event: InitiativeEvent) -> str:
    """The canonical text of an entry (everything except its own hash)."""
    return json.dumps(
        {
            "initiative_id": event.initiative_id,
            "seq": event.seq,
            "actor_id": event.actor_id,
            "from": event.from_status,
            "to": event.to_status,
            "reason": event.reason,
            "created_at": _timestamp(event.created_at),
            "fingerprint": event.fingerprint,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def entry_hash(prev_hash: str, event: InitiativeEvent) -> str:
    return hashlib.sha256((prev_hash + entry_json(event)).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    initiative_id: int,
    actor_id: int | None,
    from_status: str | None,
    to_status: str,
    reason: str | None,
    fingerprint: str | None,
    at: datetime | None = None,
) -> InitiativeEvent:
    """Add the next entry of the initiative's chain (the caller holds the initiative's row lock)."""
    last = session.exec(
        select(InitiativeEvent)
        .where(InitiativeEvent.initiative_id == initiative_id)
        .order_by(col(InitiativeEvent.seq).desc())
        .limit(1)
    ).first()
    event = InitiativeEvent(
        initiative_id=initiative_id,
        seq=(last.seq + 1) if last else 1,
        actor_id=actor_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        # Microsecond precision is what both databases keep, so the hash survives the round trip.
        created_at=at or utcnow(),
        fingerprint=fingerprint,
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    event.hash = entry_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


def events(session: Session, initiative_id: int) -> list[InitiativeEvent]:
    return list(
        session.exec(
            select(InitiativeEvent)
            .where(InitiativeEvent.initiative_id == initiative_id)
            .order_by(col(InitiativeEvent.seq))
        )
    )


def verify_chain(session: Session, initiative_id: int) -> tuple[bool, int | None]:
    """(True, None) if every entry is intact, else (False, seq of the first broken entry).

    An entry is broken when its seq is out of order, its prev_hash is not the
    previous entry's hash, or its stored hash does not match its content.
    """
    prev_hash, expected_seq = GENESIS, 1
    for event in events(session, initiative_id):
        if (
            event.seq != expected_seq
            or event.prev_hash != prev_hash
            or event.hash != entry_hash(prev_hash, event)
        ):
            return False, event.seq
        prev_hash, expected_seq = event.hash, expected_seq + 1
    return True, None


def initiatives_with_history(session: Session) -> list[int]:
    return list(
        session.exec(
            select(col(InitiativeEvent.initiative_id))
            .distinct()
            .order_by(col(InitiativeEvent.initiative_id))
        )
    )
