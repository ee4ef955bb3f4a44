"""Partner systems: registered clients, their tokens, every call they make, forwarded
initiatives and the changes feed they mirror the portal's public data from.

Secrets and tokens are stored only as SHA-256 digests; a secret is shown once, when it
is created or rotated. The call log records who called what and how it ended, never a
secret, a token or a request body.
"""

from datetime import datetime

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

# The scopes a partner may be allowed, and so ask for in a token.
SCOPE_FORWARD = "initiatives:forward"
SCOPE_READ = "initiatives:read"
SCOPE_STATISTICS = "statistics:read"
SCOPE_CHANGES = "changes:read"
SCOPES = (SCOPE_FORWARD, SCOPE_READ, SCOPE_STATISTICS, SCOPE_CHANGES)


class PartnerClient(SQLModel, table=True):
    """Another government system allowed to call the partner API.

    During a rotation the previous secret stays valid until `previous_secret_expires_at`,
    so the partner can switch without downtime. A revoked client gets no token and its
    tokens stop working at once.
    """

    __tablename__ = "partner_client"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    agency_code: str = Field(max_length=40, unique=True)  # mã định danh cơ quan (QĐ 20/2020)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    client_id: str = Field(max_length=40, unique=True)
    secret_hash: str = Field(max_length=64)
    secret_prefix: str = Field(max_length=16)
    previous_secret_hash: str | None = Field(default=None, max_length=64)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Stage changes of the initiatives it forwarded go to this webhook endpoint (signed, retried).
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    webhook_endpoint_id: int | None = Field(default=None, foreign_key="webhook_endpoint.id")
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PartnerToken(SQLModel, table=True):
    """A short-lived bearer token issued by the client-credentials grant."""

    __tablename__ = "partner_token"

    id: int = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner_client.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    # Which secret it was issued with: a token of a rotated-out secret stops with the secret.
    secret_hash: str = Field(max_length=64)


class PartnerCall(SQLModel, table=True):
    """One call to the partner API: who, which endpoint, which object, when, and the outcome."""

    __tablename__ = "partner_call"

    id: int = Field(default=None, primary_key=True)
    partner_id: int | None = Field(default=None, foreign_key="partner_client.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    method: str = Field(max_length=10)
    endpoint: str = Field(max_length=200)  # the route's path template, never a query string
    object_ref: str = Field(default="", max_length=100)  # e.g. "initiative:12"
    status_code: int
    outcome: str = Field(default="", max_length=60)  # "ok" or the problem's code
    duration_ms: int = 0


class ForwardedInitiative(SQLModel, table=True):
    """An initiative that reached a partner system first and was forwarded here.

    Unique per (partner, external id): the same forward again returns the same initiative.
    """

    __tablename__ = "forwarded_initiative"
    __table_args__ = (UniqueConstraint("partner_id", "external_id"),)

    id: int = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner_client.id")
    external_id: str = Field(max_length=100)
    source_system: str = Field(default="", max_length=200)
    idempotency_key: str | None = Field(default=None, max_length=100)
    initiative_id: int = Field(foreign_key="initiative.id", unique=True)
    source_received_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PartnerChange(SQLModel, table=True):
    """One change among public objects, numbered in commit order (`seq` has no gaps).

    Only the kind, the id and what happened are stored; the public fields are read
    through the objects' visibility modules when the feed is served.
    """

    __tablename__ = "partner_change"

    id: int = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    kind: str = Field(sa_type=String(20))  # initiative | problem | certificate
    object_id: int
    action: str = Field(sa_type=String(20))  # published | unpublished | updated | opened | awarded
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PartnerChangeCounter(SQLModel, table=True):
    """The one row whose lock orders the feed: the last `seq` handed out."""

    __tablename__ = "partner_change_counter"

    id: int = Field(default=None, primary_key=True)
    last_seq: int = 0
