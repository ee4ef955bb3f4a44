"""Request and response models of publication (web forms and API)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ProposalIn(BaseModel):
    summary: str = Field(min_length=1, max_length=5000)
    note: str = Field(default="", max_length=2000)


class ProposalAnswerIn(BaseModel):
    accept: bool
    note: str = Field(default="", max_length=2000)


class UnpublishIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class ProposalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    initiative_id: int
    summary: str
    note: str
    status: str
    proposed_at: datetime
    responded_at: datetime | None
    response_note: str


class AuthorOut(BaseModel):
    name: str
    share_percent: float
    organisation: str | None = None


class CertificateOut(BaseModel):
    """A revoked certificate says only that it was revoked, and when: the initiative may no
    longer be public, so its title, authors and organisation are null."""

    number: str = Field(examples=["CN-2026-000045"])
    initiative_id: int | None
    issued_at: datetime
    title: str | None
    authors: list[AuthorOut]
    organisation_name: str | None
    content_fingerprint: str | None = Field(description="SHA-256 of the content as submitted")
    seal: str | None = Field(description="SHA-256 of the certificate's canonical data")
    valid: bool = Field(description="The seal matches and the certificate is not revoked")
    revoked_at: datetime | None
    revoked_reason: str | None
