"""Request and response models of the initiative API and forms.

`DraftIn` is partial on purpose: a draft is saved at any time with whatever
has been typed; completeness is checked only on submission (service.submit).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.i18n import _

ResourceKind = Literal[
    "partners", "investors", "customers", "experts", "communication", "ip_registration"
]
IpStatus = Literal["none", "filed", "granted"]
RESOURCE_KINDS: tuple[str, ...] = get_args(ResourceKind)
IP_STATUSES: tuple[str, ...] = get_args(IpStatus)
LONG_TEXT = 20_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

EXAMPLE_DRAFT: dict[str, Any] = {
    "title": "Hệ thống cảnh báo sớm sạt lở đất bằng cảm biến IoT",
    "summary": "Mạng cảm biến giá rẻ và mô hình học máy dự báo sạt lở cho các tỉnh miền núi.",
    "problem": "Sạt lở đất gây thiệt hại lớn ở miền núi phía Bắc.",
    "solution": "Cảm biến độ ẩm, độ nghiêng đất truyền qua LoRa về máy chủ dự báo.",
    "novelty": "Kết hợp dữ liệu mưa vệ tinh với cảm biến mặt đất chi phí thấp.",
    "feasibility": "Thử nghiệm 12 tháng tại Lào Cai; lộ trình nhân rộng 3 năm.",
    "impact": "Giảm thiệt hại do thiên tai cho 15 tỉnh.",
    "field_id": 6,
    "subfield_id": 28,
    "keywords": ["sạt lở", "IoT"],
    "trl": 6,
    "province": "Lào Cai",
    "ip_status": "filed",
    "ip_number": "1-2025-01234",
    "resources_wanted": ["partners", "investors"],
    "submitter_share": 60,
    "coauthors": [{"full_name": "Lê Văn Cường", "email": "cuong@example.vn", "share_percent": 40}],
}


class CoAuthorIn(BaseModel):
    full_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    organisation_name: str | None = Field(default=None, max_length=300)
    share_percent: float = Field(ge=0, le=100)
    can_edit: bool = True

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str | None) -> str | None:
        value = (value or "").strip().lower() or None
        if value and not _EMAIL.match(value):
            raise ValueError(_("Enter a valid email address."))
        return value


class DraftIn(BaseModel):
    """Any subset of the sections; fields left out keep their saved value."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_DRAFT]})

    title: str | None = Field(default=None, max_length=300)
    summary: str | None = Field(default=None, max_length=LONG_TEXT)
    problem: str | None = Field(default=None, max_length=LONG_TEXT)
    solution: str | None = Field(default=None, max_length=LONG_TEXT)
    novelty: str | None = Field(default=None, max_length=LONG_TEXT)
    feasibility: str | None = Field(default=None, max_length=LONG_TEXT)
    impact: str | None = Field(default=None, max_length=LONG_TEXT)
    field_id: int | None = None
    subfield_id: int | None = None
    keywords: list[str] | None = Field(default=None, max_length=20)
    trl: int | None = Field(default=None, ge=1, le=9)
    province: str | None = Field(default=None, max_length=100)
    ip_status: IpStatus | None = None
    ip_number: str | None = Field(default=None, max_length=100)
    resources_wanted: list[ResourceKind] | None = None
    resources_note: str | None = Field(default=None, max_length=LONG_TEXT)
    organisation_id: int | None = None
    submitter_share: float | None = Field(default=None, ge=0, le=100)
    coauthors: list[CoAuthorIn] | None = Field(default=None, max_length=20)

    @field_validator("keywords")
    @classmethod
    def _clean_keywords(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        seen: list[str] = []
        for word in (w.strip() for w in value):
            if word and word.lower() not in (s.lower() for s in seen):
                seen.append(word[:60])
        return seen


class SubmitIn(BaseModel):
    confirm_similar: bool = Field(
        default=False,
        description="Submit even though similar published "
        "initiatives exist (after the submitter has seen them).",
    )


class TransitionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"to": "screening"}, {"to": "rejected", "reason": "Trùng lặp đề tài."}]
        }
    )

    to: str = Field(
        description="Target status; see GET /initiatives/{id}/transitions for the allowed ones."
    )
    reason: str | None = Field(default=None, max_length=5000)


class BulkIn(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=200)


class AccessGrantIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)


class FieldIn(BaseModel):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9_]+$")
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    parent_id: int | None = None


class FieldUpdate(BaseModel):
    name_vi: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, min_length=1, max_length=200)
    is_active: bool | None = None


class FieldRow(FieldUpdate):
    """A field's row on the admin page: it always sends both names, so an empty one is refused
    (for the API's partial update, an absent name means unchanged)."""

    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)


# -- responses -----------------------------------------------------------------
class FieldOut(BaseModel):
    id: int
    parent_id: int | None
    code: str
    name_vi: str
    name_en: str
    is_active: bool


class InitiativeSummary(BaseModel):
    id: int
    title: str
    status: str
    receipt_code: str | None = None
    submitted_at: datetime | None = None
    stage_entered_at: datetime | None = None
    province: str | None = None
    field_id: int | None = None
    days_in_stage: int | None = None


class InitiativeOut(BaseModel):
    """An initiative as the caller may see it: sections they may not read are absent, not empty."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "status": "published",
                    "title": EXAMPLE_DRAFT["title"],
                    "summary": EXAMPLE_DRAFT["summary"],
                    "problem": EXAMPLE_DRAFT["problem"],
                    "impact": EXAMPLE_DRAFT["impact"],
                    "trl": 6,
                    "province": "Lào Cai",
                    "keywords": ["sạt lở", "IoT"],
                    "authors": [{"full_name": "Trần Thị Bình", "organisation_name": None}],
                }
            ]
        },
    )

    id: int
    status: str


class EventOut(BaseModel):
    seq: int
    actor_id: int | None
    from_status: str | None
    to_status: str
    reason: str | None
    created_at: datetime
    fingerprint: str | None
    prev_hash: str
    hash: str


class VerifyOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"ok": False, "first_broken_seq": 3, "entries": 5}]}
    )

    ok: bool
    first_broken_seq: int | None
    entries: int


class VersionOut(BaseModel):
    number: int
    fingerprint: str
    created_at: datetime
    content: dict[str, Any] | None = None


class DiffOut(BaseModel):
    field: str
    old: Any = None
    new: Any = None


class StageClockOut(BaseModel):
    """The current stage's clock against its public target (reports domain)."""

    elapsed_working_days: int
    target_working_days: int
    deadline: date
    unit_vi: str
    unit_en: str
    overdue: bool


class ForwardedFromOut(BaseModel):
    """Provenance of an initiative forwarded by another government system (app/partners)."""

    partner: str
    agency_code: str
    source_system: str
    external_id: str
    source_received_at: datetime


class ReceiptOut(BaseModel):
    """What the public receipt lookup reveals: the stage and its dates, never content."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "receipt_code": "SK-2026-000123",
                    "status": "screening",
                    "submitted_at": "2026-03-02T08:15:00Z",
                    "stage_entered_at": "2026-03-04T09:00:00Z",
                    "fingerprint_matches": True,
                    "matched_version": 1,
                }
            ]
        }
    )

    receipt_code: str
    status: str
    status_label: str
    submitted_at: datetime | None
    stage_entered_at: datetime
    fingerprint_matches: bool | None = None
    matched_version: int | None = None
    clock: StageClockOut | None = None
    forwarded_from: ForwardedFromOut | None = None


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    confidential: bool
    created_at: datetime


class ViewLogOut(BaseModel):
    user_id: int
    full_name: str
    what: str
    created_at: datetime


class AccessGrantOut(BaseModel):
    user_id: int
    email: str
    full_name: str
    granted_at: datetime
