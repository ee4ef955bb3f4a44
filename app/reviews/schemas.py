"""Request and response models of the review domain (web forms and API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field, field_validator

from app.reviews.scoring import DEFAULT_DISAGREEMENT_THRESHOLD


class CriterionIn(BaseModel):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_\-]+$", examples=["novelty"])
    name_vi: str = Field(min_length=1, max_length=200, examples=["Tính mới và sáng tạo"])
    name_en: str = Field(default="", max_length=200, examples=["Novelty and creativity"])
    # "description" is the name this field had before criteria were described in both languages.
    description_vi: str = Field(
        default="",
        max_length=2000,
        validation_alias=AliasChoices("description_vi", "description"),
        examples=["Ý tưởng, giải pháp mới so với những gì đã có; mức độ sáng tạo."],
    )
    description_en: str = Field(
        default="",
        max_length=2000,
        examples=["How new the idea or solution is compared with what already exists."],
    )
    weight: float = Field(default=1.0, ge=0, le=100)
    scale_min: float = Field(default=0, ge=0, le=100)
    scale_max: float = Field(default=10, ge=1, le=100)


class RubricIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Sáng kiến chuyển đổi số"])
    description: str = Field(default="", max_length=2000)
    field_id: int | None = None
    criteria: list[CriterionIn] = Field(min_length=1)


class CriterionOut(CriterionIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int

    @computed_field(  # type: ignore[prop-decorator]
        description="The same as description_vi; kept for clients written before description_en."
    )
    @property
    def description(self) -> str:
        """The Vietnamese description under its name from before both languages: clients that
        read it keep working."""
        return self.description_vi


class RubricOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    version: int
    previous_id: int | None
    field_id: int | None
    description: str
    is_default: bool
    in_use: bool = False
    criteria: list[CriterionOut]


class RoundIn(BaseModel):
    """Open a review round for one initiative or a batch (each must be in screening)."""

    name: str = Field(min_length=1, max_length=200, examples=["Đợt đánh giá tháng 11"])
    rubric_id: int | None = Field(
        default=None, description="Default: the breakthrough-initiative rubric"
    )
    due_at: datetime
    reviews_wanted: int = Field(default=3, ge=1, le=15)
    blind: bool = True
    max_load: int = Field(default=5, ge=1, le=100)
    disagreement_threshold: float = Field(default=DEFAULT_DISAGREEMENT_THRESHOLD, ge=0, le=10)
    initiative_ids: list[int] = Field(min_length=1, examples=[[12, 15]])

    @field_validator("due_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        from app.i18n import TIMEZONE

        return value.replace(tzinfo=TIMEZONE) if value.tzinfo is None else value


class RoundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    rubric_id: int
    due_at: datetime
    reviews_wanted: int
    blind: bool
    max_load: int
    disagreement_threshold: float
    status: str
    created_at: datetime
    closed_at: datetime | None
    initiative_ids: list[int] = []


class ManualAssignIn(BaseModel):
    initiative_id: int
    reviewer_id: int


class AutoAssignIn(BaseModel):
    initiative_ids: list[int] | None = Field(
        default=None, description="Default: every initiative of the round"
    )


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    round_id: int
    initiative_id: int
    reviewer_id: int
    status: str
    method: str
    match_score: float
    explanation: dict[str, Any]
    invited_at: datetime
    responded_at: datetime | None
    decline_reason: str | None
    conflict_declared_none_at: datetime | None
    confidentiality_accepted_at: datetime | None


class AutoAssignOut(BaseModel):
    created: list[AssignmentOut]
    under_covered: dict[int, int] = Field(description="initiative id → reviewer slots still open")


class AcceptIn(BaseModel):
    """Accepting requires the reviewer's declaration that they have no conflict of interest."""

    declare_no_conflict: bool = Field(
        description="I declare I have no conflict of interest with this initiative"
    )

    @field_validator("declare_no_conflict")
    @classmethod
    def _declared(cls, value: bool) -> bool:
        if not value:
            from app.i18n import _

            raise ValueError(
                _("Declare that you have no conflict of interest, or decline the invitation.")
            )
        return value


class DeclineIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    conflict: bool = Field(default=False, description="The reason is a conflict of interest")


class ConfidentialityIn(BaseModel):
    accept: bool

    @field_validator("accept")
    @classmethod
    def _accepted(cls, value: bool) -> bool:
        if not value:
            from app.i18n import _

            raise ValueError(_("You must accept the undertaking to read the initiative."))
        return value


class ScoreIn(BaseModel):
    criterion: str = Field(description="criterion code", examples=["novelty"])
    score: float | None = Field(default=None, ge=0, le=100)
    justification: str = Field(default="", max_length=5000)


class ReviewIn(BaseModel):
    scores: list[ScoreIn] = []
    recommendation: Literal["select", "revise", "reject"] | None = None
    comments_for_submitter: str = Field(default="", max_length=10000)
    confidential_comments: str = Field(default="", max_length=10000)


class ScoreOut(BaseModel):
    criterion: str
    score: float | None
    justification: str


class ReviewOut(BaseModel):
    id: int
    assignment_id: int
    status: str
    recommendation: str | None
    comments_for_submitter: str
    confidential_comments: str
    total: float | None
    scores: list[ScoreOut]
    updated_at: datetime
    submitted_at: datetime | None


class RoundItemsIn(BaseModel):
    initiative_ids: list[int] = Field(min_length=1, max_length=500, examples=[[16]])


class DecisionIn(BaseModel):
    initiative_id: int
    outcome: Literal["select", "reject", "return"]
    rationale: str = Field(min_length=1, max_length=10000)
    override_reason: str | None = Field(
        default=None,
        max_length=10000,
        description="Needed to select or reject with fewer submitted reviews than the round wants",
    )


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    initiative_id: int
    round_id: int
    outcome: str
    rationale: str
    override_reason: str | None
    decided_by_id: int
    decided_at: datetime


class RankingRowOut(BaseModel):
    rank: int
    initiative_id: int
    title: str
    status: str
    reviews: int
    raw: float | None
    calibrated: float | None
    criterion_means: dict[str, float]
    spread: float | None
    sd: float | None
    disagreement: bool


class RankingOut(BaseModel):
    round_id: int
    method: str = Field(description="How the calibrated score is computed")
    global_mean: float
    global_sd: float
    rows: list[RankingRowOut]
