"""The endpoint form."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from app.i18n import _
from app.webhooks.models import EVENT_TYPES


class EndpointForm(BaseModel):
    url: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=200)
    event_types: list[str] = Field(default_factory=list)

    @field_validator("event_types")
    @classmethod
    def _known_events(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(_("Choose at least one event."))
        if any(v not in EVENT_TYPES for v in value):
            raise ValueError(_("Choose one of the options."))
        return [e for e in EVENT_TYPES if e in value]
