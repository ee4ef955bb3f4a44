"""What a webhook says about an initiative: only its public facts."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.config import get_settings
from app.initiatives.models import Field, Initiative
from app.initiatives.visibility import is_public


def still_public(session: Session, initiative_id: object) -> bool:
    """Is the initiative public now? (Checked again when a delivery is attempted.)"""
    initiative = session.get(Initiative, initiative_id) if isinstance(initiative_id, int) else None
    return initiative is not None and is_public(initiative)


def initiative_data(session: Session, initiative_id: int) -> dict[str, Any] | None:
    """The public facts, or None when the initiative is not (or no longer) public."""
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or not is_public(initiative):
        return None
    field = session.get(Field, initiative.field_id) if initiative.field_id else None
    subfield = session.get(Field, initiative.subfield_id) if initiative.subfield_id else None
    return {
        "initiative_id": initiative.id,
        "title": initiative.title,
        "summary": initiative.summary,
        "field": field.code if field else None,
        "subfield": subfield.code if subfield else None,
        "province": initiative.province,
        "keywords": list(initiative.keywords),
        "published_at": initiative.published_at.isoformat() if initiative.published_at else None,
        "url": f"{get_settings().base_url}/catalogue/{initiative.id}",
    }
