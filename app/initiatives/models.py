"""Initiatives: the taxonomy of fields, the initiative and everything recorded about it.

Status values live in `workflow.Status`; they are stored as text. History
(`InitiativeEvent`) and versions (`InitiativeVersion`) are append-only: the
service never updates or deletes them, and the event rows are hash-chained so
tampering is detected by `history.verify_chain`.
"""

from datetime import datetime
from typing import Any

import sqlmodel
from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Relationship, SQLModel

from app.db import UTCDateTime, utcnow

# `Field` is the taxonomy table's name (a field of science); sqlmodel's Field is used as `Col`.
Col = sqlmodel.Field


class Field(SQLModel, table=True):
    """A field or sub-field (two levels: `parent_id` is None for the six top-level fields)."""

    __tablename__ = "field"

    id: int = Col(default=None, primary_key=True)
    parent_id: int | None = Col(default=None, foreign_key="field.id", index=True)
    code: str = Col(max_length=40, unique=True)
    name_vi: str = Col(max_length=200)
    name_en: str = Col(max_length=200)
    position: int = 0
    is_active: bool = True

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


class Initiative(SQLModel, table=True):
    """One registered initiative. Which sections are public is decided in visibility.py only."""

    id: int = Col(default=None, primary_key=True)
    receipt_code: str | None = Col(default=None, max_length=20, unique=True)
    status: str = Col(default="draft", sa_type=String(30), index=True)
    submitter_id: int = Col(foreign_key="user.id", index=True)
    organisation_id: int | None = Col(default=None, foreign_key="organisation.id", index=True)
    field_id: int | None = Col(default=None, foreign_key="field.id", index=True)
    subfield_id: int | None = Col(default=None, foreign_key="field.id")

    title: str = Col(default="", max_length=300)
    summary: str = ""
    problem: str = ""
    solution: str = ""
    novelty: str = ""
    feasibility: str = ""
    impact: str = ""
    resources_wanted: list[str] = Col(default_factory=list, sa_column=Column(JSON, nullable=False))
    resources_note: str = ""
    keywords: list[str] = Col(default_factory=list, sa_column=Column(JSON, nullable=False))
    trl: int | None = None
    province: str | None = Col(default=None, max_length=100)
    ip_status: str = Col(default="none", sa_type=String(20))
    ip_number: str | None = Col(default=None, max_length=100)

    submitted_at: datetime | None = Col(default=None, sa_type=UTCDateTime)
    fingerprint: str | None = Col(default=None, max_length=64, index=True)
    published_at: datetime | None = Col(default=None, sa_type=UTCDateTime)
    created_at: datetime = Col(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Col(default_factory=utcnow, sa_type=UTCDateTime)
    stage_entered_at: datetime = Col(default_factory=utcnow, sa_type=UTCDateTime)

    coauthors: list["CoAuthor"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "order_by": "CoAuthor.position",
            "cascade": "all, delete-orphan",
        }
    )
    attachments: list["Attachment"] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "order_by": "Attachment.id"}
    )


class CoAuthor(SQLModel, table=True):
    """An author and their contribution share; the submitter has a row too, so shares sum to 100."""

    __tablename__ = "co_author"

    id: int = Col(default=None, primary_key=True)
    initiative_id: int = Col(foreign_key="initiative.id", index=True)
    user_id: int | None = Col(default=None, foreign_key="user.id", index=True)
    full_name: str = Col(max_length=200)
    email: str | None = Col(default=None, max_length=320)
    organisation_name: str | None = Col(default=None, max_length=300)
    share_percent: float = 0
    is_submitter: bool = False
    # A co-author with an account may edit and submit the draft when this is set.
    can_edit: bool = True
    position: int = 0


class Attachment(SQLModel, table=True):
    """A file kept in storage; downloads go through visibility.can_view(_confidential)."""

    id: int = Col(default=None, primary_key=True)
    initiative_id: int = Col(foreign_key="initiative.id", index=True)
    storage_key: str = Col(max_length=300)
    filename: str = Col(max_length=255)
    content_type: str = Col(max_length=150)
    size: int
    sha256: str = Col(max_length=64)
    uploaded_by_id: int | None = Col(default=None, foreign_key="user.id")
    created_at: datetime = Col(default_factory=utcnow, sa_type=UTCDateTime)
    confidential: bool = True


class InitiativeEvent(SQLModel, table=True):
    """One status change, append-only; `hash` = sha256(prev_hash + canonical JSON of the entry)."""

    __tablename__ = "initiative_event"
    __table_args__ = (UniqueConstraint("initiative_id", "seq"),)

    id: int = Col(default=None, primary_key=True)
    initiative_id: int = Col(foreign_key="initiative.id", index=True)
    seq: int
    actor_id: int | None = Col(default=None, foreign_key="user.id")
    from_status: str | None = Col(default=None, sa_type=String(30))
    to_status: str = Col(sa_type=String(30))
    reason: str | None = None
    # Indexed: the figures' period counts and the weekly decisions read a week or two.
    created_at: datetime = Col(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    fingerprint: str | None = Col(default=None, max_length=64)
    prev_hash: str = Col(max_length=64)
    hash: str = Col(max_length=64)


class InitiativeVersion(SQLModel, table=True):
    """The exact canonical content of one submission, kept for proof of priority and comparison."""

    __tablename__ = "initiative_version"
    __table_args__ = (UniqueConstraint("initiative_id", "number"),)

    id: int = Col(default=None, primary_key=True)
    initiative_id: int = Col(foreign_key="initiative.id", index=True)
    number: int
    content: dict[str, Any] = Col(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fingerprint: str = Col(max_length=64, index=True)  # the exact-duplicate lookup
    created_by_id: int | None = Col(default=None, foreign_key="user.id")
    created_at: datetime = Col(default_factory=utcnow, sa_type=UTCDateTime)


class AccessGrant(SQLModel, table=True):
    """The submitter lets a user read the confidential sections of a published initiative.

    Revoking keeps the row (who had access when stays provable).
    """

    __tablename__ = "access_grant"

    id: int = Col(default=None, primary_key=True)
    initiative_id: int = Col(foreign_key="initiative.id", index=True)
    user_id: int = Col(foreign_key="user.id", index=True)
    granted_by_id: int = Col(foreign_key="user.id")
    granted_at: datetime = Col(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_by_id: int | None = Col(default=None, foreign_key="user.id")
    revoked_at: datetime | None = Col(default=None, sa_type=UTCDateTime)


class ConfidentialView(SQLModel, table=True):
    """Who read confidential content of an initiative, what and when (shown to the submitter)."""

    __tablename__ = "confidential_view"

    id: int = Col(default=None, primary_key=True)
    initiative_id: int = Col(foreign_key="initiative.id", index=True)
    user_id: int = Col(foreign_key="user.id", index=True)
    what: str = Col(
        max_length=60
    )  # "sections", "attachment:<id>", "version:<n>", or another domain's label
    created_at: datetime = Col(default_factory=utcnow, sa_type=UTCDateTime)


class ReceiptCounter(SQLModel, table=True):
    """The last receipt number issued per year; incremented by an UPDATE that locks the row."""

    __tablename__ = "receipt_counter"

    year: int = Col(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0
