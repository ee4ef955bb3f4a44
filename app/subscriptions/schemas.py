"""The subscription form (one shape for creating and editing)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.i18n import _

CHANNELS = ("instant", "daily", "weekly", "in_app")
Channel = Literal["instant", "daily", "weekly", "in_app"]


class SubscriptionForm(BaseModel):
    subject: Literal["initiatives", "problems"] = "initiatives"
    kind: Literal["category", "search"]
    field_code: str | None = Field(default=None, max_length=40)
    province: str | None = Field(default=None, max_length=100)
    query: str | None = Field(default=None, max_length=1000)
    name: str | None = Field(default=None, max_length=200)
    channel: Channel = "daily"

    @model_validator(mode="after")
    def _something_to_follow(self) -> SubscriptionForm:
        if self.kind == "category" and not (self.field_code or self.province):
            raise ValueError(_("Choose a field, a province or both."))
        if self.kind == "search" and self.query is None:
            raise ValueError(_("The saved search is missing."))
        return self


class SubscriptionEdit(BaseModel):
    name: str = Field(default="", max_length=200)  # empty: the automatic name
    channel: Channel
