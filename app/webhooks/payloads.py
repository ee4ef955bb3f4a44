"""What a webhook says about an initiative: only its public facts."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.config import get_settings
from app.initiatives.models import Field, Initiative


def initiative_data(session: Session, initiative_id: int) -> dict[str, Any] | None:
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
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
