"""Expert review: rubrics, rounds, assignments, conflicts, reviews and decisions.

Every row records who did what and when, so a selection can be traced from a
ranking figure back to each reviewer's scores and justifications, and a
decision to the coordinator who made it and their rationale.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from app.db import UTCDateTime, utcnow


class RoundStatus(StrEnum):
    open = "open"
    closed = "closed"


class AssignmentStatus(StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"
    submitted = "submitted"


OPEN_ASSIGNMENT_STATES = frozenset({AssignmentStatus.invited, AssignmentStatus.accepted})
ACTIVE_ASSIGNMENT_STATES = frozenset(
    {AssignmentStatus.invited, AssignmentStatus.accepted, AssignmentStatus.submitted}
)


class AssignmentMethod(StrEnum):
    manual = "manual"
    auto = "auto"


class ReviewStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"


class Recommendation(StrEnum):
    select = "select"
    revise = "revise"
    reject = "reject"


class Outcome(StrEnum):
    select = "select"
    reject = "reject"
    return_ = "return"  # returned to the submitter for revision


class Rubric(SQLModel, table=True):
    """A set of weighted criteria. Once a submitted score uses it, only a new version may change it."""

    __tablename__ = "review_rubric"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    version: int = 1
    previous_id: int | None = Field(default=None, foreign_key="review_rubric.id")
    field_id: int | None = Field(default=None, foreign_key="field.id", index=True)
    description: str = ""
    is_default: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    criteria: list["Criterion"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "order_by": "Criterion.position",
            "cascade": "all, delete-orphan",
        }
    )


class Criterion(SQLModel, table=True):
    __tablename__ = "review_criterion"
    __table_args__ = (UniqueConstraint("rubric_id", "code"),)

    id: int = Field(default=None, primary_key=True)
    # set through the relationship (rubric.criteria) when the rows are flushed together
    rubric_id: int | None = Field(
        default=None, foreign_key="review_rubric.id", index=True, nullable=False
    )
    code: str = Field(max_length=40)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    description_vi: str = ""
    description_en: str = ""
    weight: float = 1.0
    scale_min: float = 0.0
    scale_max: float = 10.0
    position: int = 0

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi

    def description(self, language: str) -> str:
        return self.description_en if language == "en" else self.description_vi


class ReviewRound(SQLModel, table=True):
    __tablename__ = "review_round"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    rubric_id: int = Field(foreign_key="review_rubric.id", index=True)
    due_at: datetime = Field(sa_type=UTCDateTime)
    reviews_wanted: int = 3
    blind: bool = True
    max_load: int = 5
    disagreement_threshold: float = 2.0
    status: RoundStatus = Field(default=RoundStatus.open, sa_type=String(20))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RoundItem(SQLModel, table=True):
    __tablename__ = "review_round_item"
    __table_args__ = (UniqueConstraint("round_id", "initiative_id"),)

    id: int = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="review_round.id", index=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assignment(SQLModel, table=True):
    """A reviewer invited to review one initiative in one round, and every step they took."""

    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("round_id", "initiative_id", "reviewer_id"),)

    id: int = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="review_round.id", index=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    reviewer_id: int = Field(foreign_key="user.id", index=True)
    status: AssignmentStatus = Field(
        default=AssignmentStatus.invited, sa_type=String(20), index=True
    )
    method: AssignmentMethod = Field(default=AssignmentMethod.manual, sa_type=String(10))
    match_score: float = 0.0
    explanation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    assigned_by_id: int | None = Field(default=None, foreign_key="user.id")
    invited_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decline_reason: str | None = None
    conflict_declared_none_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confidentiality_accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ConflictDeclaration(SQLModel, table=True):
    """A conflict of interest declared by a reviewer (or recorded by a coordinator): never assigned again."""

    __tablename__ = "review_conflict"
    __table_args__ = (UniqueConstraint("reviewer_id", "initiative_id"),)

    id: int = Field(default=None, primary_key=True)
    reviewer_id: int = Field(foreign_key="user.id", index=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    description: str = ""
    declared_by_id: int | None = Field(default=None, foreign_key="user.id")
    declared_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Review(SQLModel, table=True):
    __tablename__ = "review"

    id: int = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="review_assignment.id", unique=True)
    status: ReviewStatus = Field(default=ReviewStatus.draft, sa_type=String(20))
    recommendation: Recommendation | None = Field(default=None, sa_type=String(20))
    comments_for_submitter: str = ""
    confidential_comments: str = ""
    total: float | None = None  # weighted total, recomputed by the server on every save
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    scores: list["ReviewScore"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "order_by": "ReviewScore.criterion_id",
            "cascade": "all, delete-orphan",
        }
    )


class ReviewScore(SQLModel, table=True):
    __tablename__ = "review_score"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: int = Field(default=None, primary_key=True)
    # set through the relationship (review.scores) when the rows are flushed together
    review_id: int | None = Field(default=None, foreign_key="review.id", index=True, nullable=False)
    criterion_id: int = Field(foreign_key="review_criterion.id", index=True)
    score: float | None = None
    justification: str = ""


class Decision(SQLModel, table=True):
    """Select, reject or return: who decided, when and why (also in the initiative's history)."""

    __tablename__ = "review_decision"

    id: int = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    round_id: int = Field(foreign_key="review_round.id", index=True)
    outcome: Outcome = Field(sa_type=String(20))
    rationale: str
    # Set when the coordinator decided with fewer submitted reviews than the round wants.
    override_reason: str | None = None
    decided_by_id: int = Field(foreign_key="user.id")
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
