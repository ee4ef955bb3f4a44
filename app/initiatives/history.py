"""The append-only, hash-chained history of an initiative's status changes.

Each entry's hash is sha256(prev_hash + canonical JSON of the entry), so
changing, inserting or deleting a stored row breaks the chain from that entry
on; `verify_chain` names the first entry that no longer matches. The chaining
itself is `app.statemachine.HashChain`, shared with the other workflows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.initiatives.models import InitiativeEvent
from app.statemachine import GENESIS, HashChain, timestamp

__all__ = ["GENESIS", "append", "entry_hash", "entry_json", "events", "verify_chain"]


def _entry(event: InitiativeEvent) -> dict[str, Any]:
    return {
        "initiative_id": event.initiative_id,
        "seq": event.seq,
        "actor_id": event.actor_id,
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason,
        "created_at": timestamp(event.created_at),
        "fingerprint": event.fingerprint,
    }


CHAIN = HashChain(InitiativeEvent, "initiative_id", _entry)


def entry_json(event: InitiativeEvent) -> str:
    """The canonical text of an entry (everything except its own hash)."""
    return CHAIN.entry_json(event)


def entry_hash(prev_hash: str, event: InitiativeEvent) -> str:
    return CHAIN.entry_hash(prev_hash, event)


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
    return CHAIN.append(
        session,
        initiative_id,
        at=at,
        actor_id=actor_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        fingerprint=fingerprint,
    )


def events(session: Session, initiative_id: int) -> list[InitiativeEvent]:
    return CHAIN.entries(session, initiative_id)


def verify_chain(session: Session, initiative_id: int) -> tuple[bool, int | None]:
    """(True, None) if every entry is intact, else (False, seq of the first broken entry)."""
    return CHAIN.verify(session, initiative_id)


def initiatives_with_history(session: Session) -> list[int]:
    return CHAIN.scopes(session)
