"""Publication: certificates and agreed edits to the public summary."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Certificate(SQLModel, table=True):
    """The publication certificate: what was published, by whom, when; verifiable by its number.

    `seal` is the SHA-256 of the canonical certificate data (see
    service.seal_of), so a verifier can recompute it from what the page shows.
    """

    id: int = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    issued_by_id: int | None = Field(default=None, foreign_key="user.id")
    title: str = Field(max_length=300)
    authors: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    organisation_name: str | None = Field(default=None, max_length=300)
    content_fingerprint: str | None = Field(default=None, max_length=64)
    seal: str = Field(max_length=64)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = None


class CertificateCounter(SQLModel, table=True):
    """The last certificate number issued per year; incremented under a row lock."""

    __tablename__ = "certificate_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class ProposalStatus(StrEnum):
    proposed = "proposed"
    accepted = "accepted"
    refused = "refused"
    applied = "applied"


class SummaryProposal(SQLModel, table=True):
    """A coordinator's edit of the public summary, published only once the submitter agrees."""

    __tablename__ = "summary_proposal"

    id: int = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    summary: str
    note: str = ""
    status: ProposalStatus = Field(default=ProposalStatus.proposed, sa_type=String(20))
    proposed_by_id: int = Field(foreign_key="user.id")
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response_note: str = ""
