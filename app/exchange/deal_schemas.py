"""Deal forms and API bodies: opening a deal, offers, answers, NDA acceptance, agreement, result."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from app.i18n import _

OfferKindName = Literal[
    "licence", "assignment", "joint_development", "investment", "service_contract", "pilot"
]
ReasonName = Literal["price", "terms", "technology_not_ready", "changed_priorities", "other"]
ValueBand = Literal["under_100m", "100m_1b", "1b_10b", "over_10b"]
AmountBand = ValueBand
Instrument = Literal["equity", "convertible", "loan", "grant"]
TEXT_MAX = 4000
# 10^15 VND is far above any transfer; the bound keeps the number inside a BIGINT.
VALUE_MAX = 10**15


def _required(value: str) -> str:
    if not value.strip():
        raise ValueError(_("This field is required."))
    return value.strip()


class DealIn(BaseModel):
    """Open a deal directly on a public initiative, in the name of the caller's organisation."""

    kind: Literal["transfer", "funding"] = "transfer"
    amount_band: AmountBand | None = None
    instrument: Instrument | None = None

    @field_validator("amount_band", "instrument", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class OfferIn(BaseModel):
    """One version of the terms. `value_vnd` is confidential to the parties and coordinators."""

    kind: OfferKindName
    scope: str = Field(min_length=1, max_length=TEXT_MAX)
    territory: str = Field(default="", max_length=300)
    duration_months: int | None = Field(default=None, ge=1, le=1200)
    value_vnd: int | None = Field(default=None, ge=0, le=VALUE_MAX)
    milestones: str = Field(default="", max_length=TEXT_MAX)

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str) -> str:
        return _required(value)

    @field_validator("duration_months", "value_vnd", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().replace(".", "").replace(",", "").replace(" ", "")
            return None if value == "" else value
        return value


class AbandonIn(BaseModel):
    reason: ReasonName
    note: str = Field(default="", max_length=TEXT_MAX)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return value.strip()


class FacilitatorIn(BaseModel):
    """Invite an intermediary (its directory profile) to facilitate the deal."""

    profile_id: int


class NdaAcceptIn(BaseModel):
    """Accept the template the reader was shown: its id and the SHA-256 of the text they read."""

    template_id: int
    text_sha256: str = Field(min_length=64, max_length=64)


class NdaTemplateIn(BaseModel):
    language: Literal["vi", "en"]
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=50_000)

    @field_validator("title", "body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _required(value)


class AgreementFields(BaseModel):
    """The agreement's fields (the signed document comes as a file beside them)."""

    signed_on: date
    value_vnd: int | None = Field(default=None, ge=0, le=VALUE_MAX)
    value_band: ValueBand | None = None

    @field_validator("value_vnd", "value_band", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        return value


class ResultIn(BaseModel):
    """Where the technology was applied and what changed, measured."""

    place: str = Field(min_length=1, max_length=300)
    indicator: str = Field(min_length=1, max_length=300)
    before: str = Field(min_length=1, max_length=100)
    after: str = Field(min_length=1, max_length=100)

    @field_validator("place", "indicator", "before", "after")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _required(value)


class NdaSettingIn(BaseModel):
    open_confidential_after_nda: bool = False


ServiceName = Literal[
    "technology_exchange",
    "transfer_centre",
    "promotion_centre",
    "ip_valuation",
    "ip_agent",
    "innovation_support",
    "incubator",
]
PriceBand = Literal["", "free", "low", "medium", "high"]


class ProfileIn(BaseModel):
    """An intermediary's public profile."""

    description: str = Field(default="", max_length=TEXT_MAX)
    services: list[ServiceName] = Field(min_length=1)
    fields: list[str] = Field(default_factory=list, max_length=30)
    provinces: list[str] = Field(default_factory=list, max_length=63)
    price_band: PriceBand = ""

    @field_validator("fields", "provinces", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list):
            return [
                part.strip()
                for v in value
                for part in (v.split(",") if isinstance(v, str) else [v])
                if isinstance(part, str) and part.strip()
            ]
        return value


class ServiceRequestIn(BaseModel):
    service: ServiceName
    message: str = Field(min_length=1, max_length=TEXT_MAX)
    initiative_id: int | None = None
    deal_id: int | None = None

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        return _required(value)

    @field_validator("initiative_id", "deal_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class RatingIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=TEXT_MAX)
