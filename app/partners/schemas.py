"""The partner form, the documented forwarding schema and the feeds' answers."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from app.i18n import _
from app.initiatives.schemas import LONG_TEXT
from app.partners.models import SCOPES


class PartnerForm(BaseModel):
    """An administrator registers or edits a partner system."""

    name: str = Field(min_length=1, max_length=200)
    agency_code: str = Field(min_length=1, max_length=40)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    scopes: list[str] = Field(default_factory=list, validate_default=True)
    callback_url: str = Field(default="", max_length=500)

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(_("Choose at least one scope."))
        if any(v not in SCOPES for v in value):
            raise ValueError(_("Choose one of the options."))
        return [s for s in SCOPES if s in value]


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# -- forwarding -------------------------------------------------------------------
EXAMPLE_FORWARD: dict[str, Any] = {
    "external_id": "LGSP-HN-2026-000123",
    "source_system": "Hệ thống tiếp nhận kiến nghị, sáng kiến",
    "source_received_at": "2026-02-10T08:30:00+07:00",
    "submitter": {"full_name": "Nguyễn Văn An", "email": "an.nguyen@example.vn"},
    "initiative": {
        "title": "Cảm biến độ mặn giá rẻ cho đồng bằng sông Cửu Long",
        "summary": "Mạng cảm biến độ mặn chi phí thấp, cảnh báo sớm qua tin nhắn.",
        "problem": "Xâm nhập mặn gây thiệt hại lúa hằng năm.",
        "solution": "Cảm biến điện dẫn, truyền dữ liệu qua LoRa.",
        "novelty": "Chi phí một phần mười thiết bị nhập khẩu.",
        "feasibility": "Đã thử nghiệm tại hai xã trong sáu tháng.",
        "impact": "Giảm thiệt hại mùa khô cho nông dân.",
        "field_code": "agriculture_environment",
        "keywords": ["độ mặn", "cảm biến", "LoRa"],
        "trl": 6,
        "province": "Cần Thơ",
    },
}


class ForwardedSubmitter(BaseModel):
    full_name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)

    @field_validator("email")
    @classmethod
    def _looks_like_email(cls, value: str) -> str:
        if not EMAIL.match(value.strip()):
            raise ValueError(_("Enter a valid email address."))
        return value.strip()


class ForwardedSections(BaseModel):
    """The sections of the initiative, as on the portal's own form."""

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(min_length=1, max_length=LONG_TEXT)
    problem: str = Field(min_length=1, max_length=LONG_TEXT)
    solution: str = Field(min_length=1, max_length=LONG_TEXT)
    novelty: str = Field(min_length=1, max_length=LONG_TEXT)
    feasibility: str = Field(min_length=1, max_length=LONG_TEXT)
    impact: str = Field(min_length=1, max_length=LONG_TEXT)
    field_code: str = Field(
        min_length=1, max_length=40, description="A field's code from `GET /api/v1/fields`"
    )
    subfield_code: str | None = Field(default=None, max_length=40)
    keywords: list[str] = Field(min_length=1, max_length=20)
    trl: int = Field(ge=1, le=9)
    province: str = Field(min_length=1, max_length=100)


class ForwardIn(BaseModel):
    """An initiative that reached the partner's system first (the `initiative` part, JSON)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_FORWARD]}, extra="forbid")

    external_id: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:/-]+$",
        description="The partner's own id of the initiative: the same id again returns the "
        "same initiative",
    )
    source_system: str = Field(default="", max_length=200)
    source_received_at: AwareDatetime = Field(
        description="When the partner's system received it (with a UTC offset)"
    )
    submitter: ForwardedSubmitter
    initiative: ForwardedSections


class ForwardOut(BaseModel):
    initiative_id: int
    receipt_code: str
    status: str
    external_id: str
    source_received_at: datetime
    received_at: datetime
    created: bool = Field(description="False when this external id was forwarded before")


class ForwardedStatus(BaseModel):
    initiative_id: int
    external_id: str
    receipt_code: str | None
    status: str
    stage_entered_at: datetime


# -- feeds ------------------------------------------------------------------------
class ChangeOut(BaseModel):
    cursor: str = Field(description="Resume after this change with `?after=<cursor>`")
    kind: str
    id: int
    action: str
    at: datetime
    data: dict[str, Any] | None = Field(
        description="The object's public fields now; null when it is no longer public"
    )


class ChangesPage(BaseModel):
    changes: list[ChangeOut]
    next_cursor: str = Field(description="Pass as `after` for the next page (same when empty)")
    has_more: bool


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str
