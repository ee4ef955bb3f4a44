"""Problem statement and proposal bodies (API and forms) and what the API returns.

Single fields are checked here; checks across fields or against the clock (a deadline in the
past, a minimum budget above the maximum) are in `service.validate_problem`, so forms and the
API give the same messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.i18n import _

ScopeName = Literal["national", "provinces", "sector"]
FundingName = Literal["state_order", "enterprise_led", "state_led", "prize"]
IpName = Literal["owner", "solver", "shared", "negotiable"]
DeclineName = Literal[
    "too_early",
    "benefit_unclear",
    "commercial_route_unclear",
    "description_unclear",
    "out_of_scope",
    "other",
]
TEXT_MAX = 10000
BUDGET_MAX = 10**15  # VND


def _strip_required(value: str) -> str:
    if not value.strip():
        raise ValueError(_("This field is required."))
    return value.strip()


class Outcome(BaseModel):
    indicator: str = Field(min_length=1, max_length=300)
    unit: str = Field(min_length=1, max_length=50)
    target: float


class ProblemIn(BaseModel):
    """A problem statement as its owner writes it (a draft until submitted)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Giảm thất thoát sau thu hoạch thanh long",
                    "abstract": "Tìm giải pháp bảo quản thanh long xuất khẩu kéo dài thời gian tươi lên 30 ngày.",
                    "pain": "Thất thoát 25 % sản lượng do thối hỏng trong vận chuyển.",
                    "affected": "Hợp tác xã và doanh nghiệp xuất khẩu ở Lâm Đồng.",
                    "workaround": "Kho lạnh thuê ngoài, chi phí cao.",
                    "outcomes": [{"indicator": "Tỷ lệ thất thoát", "unit": "%", "target": 10}],
                    "details": "Số liệu thất thoát theo từng lô của năm 2025 (bảo mật).",
                    "field_code": "agriculture_environment",
                    "subfield_code": "agri_crops_livestock",
                    "scope": "provinces",
                    "provinces": ["Lâm Đồng"],
                    "target_trl": 7,
                    "budget_min": 500000000,
                    "budget_max": 2000000000,
                    "funding_mode": "enterprise_led",
                    "deadline": "2027-03-31",
                    "delivery_months": 12,
                    "ip_terms": "shared",
                }
            ]
        }
    )

    title: str = Field(min_length=1, max_length=300)
    abstract: str = Field(min_length=1, max_length=TEXT_MAX)
    pain: str = Field(default="", max_length=TEXT_MAX)
    affected: str = Field(default="", max_length=TEXT_MAX)
    workaround: str = Field(default="", max_length=TEXT_MAX)
    outcomes: list[Outcome] = Field(default_factory=list, max_length=20)
    details: str = Field(default="", max_length=TEXT_MAX)
    field_code: str | None = Field(default=None, max_length=40)
    subfield_code: str | None = Field(default=None, max_length=40)
    scope: ScopeName = "national"
    provinces: list[str] = Field(default_factory=list, max_length=63)
    sector: str | None = Field(default=None, max_length=200)
    target_trl: int | None = Field(default=None, ge=1, le=9)
    budget_min: int | None = Field(default=None, ge=0, le=BUDGET_MAX)
    budget_max: int | None = Field(default=None, ge=0, le=BUDGET_MAX)
    funding_mode: FundingName = "state_order"
    deadline: date
    delivery_months: int | None = Field(default=None, ge=1, le=120)
    ip_terms: IpName = "negotiable"

    _title = field_validator("title", "abstract")(classmethod(lambda cls, v: _strip_required(v)))


class ReasonIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Thiếu chỉ tiêu đo được."}]}
    )
    reason: str = Field(default="", max_length=2000)


class ProblemTransitionIn(ReasonIn):
    model_config = ConfigDict(json_schema_extra={"examples": [{"to": "open", "reason": ""}]})
    to: str = Field(max_length=30)


class ProblemProposalIn(BaseModel):
    """An answer: `initiative_id` (one of the caller's initiatives) or a solution sketch."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "sketch",
                    "summary": "Màng bao ăn được từ chitosan kết hợp xử lý nhiệt nhẹ.",
                    "approach": "Thử nghiệm trên 3 lô hàng xuất khẩu.",
                    "team": "Nhóm 4 người, Viện Cơ điện Nông nghiệp.",
                    "cost": 1200000000,
                    "timeline": "9 tháng",
                    "current_trl": 5,
                    "confidential": "Công thức màng bao và nhà cung cấp chitosan.",
                },
                {
                    "kind": "initiative",
                    "initiative_id": 12,
                    "summary": "…",
                    "grant_confidential": True,
                },
            ]
        }
    )

    kind: Literal["initiative", "sketch"]
    initiative_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    grant_confidential: bool = False
    summary: str = Field(min_length=1, max_length=TEXT_MAX)
    approach: str = Field(default="", max_length=TEXT_MAX)
    team: str = Field(default="", max_length=TEXT_MAX)
    cost: int | None = Field(default=None, ge=0, le=BUDGET_MAX)
    timeline: str = Field(default="", max_length=2000)
    current_trl: int | None = Field(default=None, ge=1, le=9)
    confidential: str = Field(default="", max_length=TEXT_MAX)

    _summary = field_validator("summary")(classmethod(lambda cls, v: _strip_required(v)))


class ProposalDeclineIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reason": "too_early", "text": ""},
                {"reason": "other", "text": "Ngân sách vượt."},
            ]
        }
    )
    reason: DeclineName
    text: str = Field(default="", max_length=2000)


class AwardIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"proposal_ids": [3, 5]}]})
    proposal_ids: list[int] = Field(min_length=1, max_length=50)


class MessageIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"body": "Giải pháp đã thử ở nhiệt độ trên 35 °C chưa?"}]}
    )
    body: str = Field(min_length=1, max_length=TEXT_MAX)
    _body = field_validator("body")(classmethod(lambda cls, v: _strip_required(v)))


class QuestionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"question": "Có thể đề xuất giải pháp cho một phần bài toán không?"}]
        }
    )
    question: str = Field(min_length=1, max_length=2000)
    _question = field_validator("question")(classmethod(lambda cls, v: _strip_required(v)))


class AnswerIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"answer": "Có, nếu nêu rõ phạm vi."}]}
    )
    answer: str = Field(min_length=1, max_length=TEXT_MAX)
    _answer = field_validator("answer")(classmethod(lambda cls, v: _strip_required(v)))


class ProblemOut(BaseModel):
    """A problem as the caller may see it: keys they may not see are absent (visibility.py)."""

    model_config = ConfigDict(extra="allow")
    id: int
    status: str
    title: str
    abstract: str


class ProblemsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 3,
                            "status": "open",
                            "title": "Cảm biến độ ẩm đất giá rẻ",
                            "abstract": "…",
                        }
                    ],
                    "facets": {"funding_mode": {"enterprise_led": 1}, "province": {"Lâm Đồng": 1}},
                    "ignored": [],
                }
            ]
        }
    )
    items: list[ProblemOut]
    facets: dict[str, dict[str, int]]
    ignored: list[str] = Field(
        default_factory=list,
        description="Typed words left out because no problem matched every word "
        "(words that match nothing, then words from the end, down to the first).",
    )


class ProblemProposalOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    problem_id: int
    kind: str
    status: str
    created_at: datetime


class MessageOut(BaseModel):
    id: int
    author: str
    mine: bool
    body: str
    created_at: datetime


class QuestionOut(BaseModel):
    id: int
    question: str
    answer: str
    answered_at: datetime | None
    created_at: datetime


class AccessOut(BaseModel):
    seq: int
    user: str
    organisation_name: str | None
    what: str
    nda_version: int
    created_at: datetime
    hash: str


def as_dict(model: BaseModel) -> dict[str, Any]:
    return model.model_dump()
