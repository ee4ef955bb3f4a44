"""Vectors per (initiative or problem, model), computed off the request path; what the
vectors found (near-duplicates) and what an owner did with a match (invitations)."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class InitiativeVector(SQLModel, table=True):
    """The embedding of an initiative's PUBLIC text (title, keywords, summary, field).

    `text_hash` is the SHA-256 of the embedded text, so an unchanged text is not
    re-embedded and a change of model (another `model`) embeds again.
    """

    __tablename__ = "initiative_vector"

    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)
    model: str = Field(max_length=100, primary_key=True)
    text_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProblemVector(SQLModel, table=True):
    """The embedding of a problem statement's PUBLIC text (title, abstract, pain, affected,
    workaround, field), embedded as a query ("what is needed") so that it meets the
    initiatives' passage vectors. Never the confidential details or attachments."""

    __tablename__ = "problem_vector"

    problem_id: int = Field(foreign_key="problem.id", primary_key=True)
    model: str = Field(max_length=100, primary_key=True)
    text_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VectorStamp(SQLModel, table=True):
    """One row per kind ("initiative", "problem") and model, bumped in the transaction that
    writes or deletes any of that kind's vectors (app/matching/vectors.py `bump`). A web
    worker knows whether its matrix is current from one primary-key read; the count and
    newest update it read before took 28 ms per page on PostgreSQL at 100,000 vectors."""

    __tablename__ = "vector_stamp"

    kind: str = Field(max_length=20, primary_key=True)
    model: str = Field(max_length=100, primary_key=True)
    version: int = 0


class NearDuplicate(SQLModel, table=True):
    """A published initiative whose meaning is very close to a submitted one: found by the
    worker from the vectors when the initiative is submitted, shown to coordinators."""

    __tablename__ = "near_duplicate"

    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)
    other_id: int = Field(foreign_key="initiative.id", primary_key=True)
    model: str = Field(max_length=100)
    closeness: float
    found_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MatchInvitation(SQLModel, table=True):
    """A problem's owner invited the authors of a matching initiative to propose (once each)."""

    __tablename__ = "match_invitation"
    __table_args__ = (UniqueConstraint("problem_id", "initiative_id"),)

    id: int = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", index=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InitiativeView(SQLModel, table=True):
    """A signed-in person opened a published initiative's public page or API record (use 3:
    "Gợi ý cho bạn" from what they viewed). One row per pair, the newest `viewed_at`; at most
    `history.KEEP` rows per person. Private: only its owner sees it (`permissions`)."""

    __tablename__ = "initiative_view"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True, ondelete="CASCADE")
    viewed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
