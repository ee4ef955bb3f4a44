"""Problem statements (đặt hàng): what an organisation needs solved, the proposals that answer it,
the private threads and public questions around it, and two append-only hash-chained logs
(status history; who accepted the non-disclosure undertaking and read the confidential part).

Status values live in `workflow.Status`, enums are stored as text. Who sees what is decided
in `visibility.py` only.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Scope(StrEnum):
    national = "national"
    provinces = "provinces"
    sector = "sector"


class FundingMode(StrEnum):
    state_order = "state_order"  # đặt hàng: the state pays
    enterprise_led = "enterprise_led"  # the enterprise pays at least 50 %
    state_led = "state_led"  # the state leads, at least 20 % counterpart funding
    prize = "prize"


class IpTerms(StrEnum):
    owner = "owner"
    solver = "solver"
    shared = "shared"
    negotiable = "negotiable"


class ProposalKind(StrEnum):
    initiative = "initiative"
    sketch = "sketch"


class ProposalStatus(StrEnum):
    submitted = "submitted"
    shortlisted = "shortlisted"
    declined = "declined"
    awarded = "awarded"
    withdrawn = "withdrawn"


class DeclineReason(StrEnum):
    too_early = "too_early"
    benefit_unclear = "benefit_unclear"
    commercial_route_unclear = "commercial_route_unclear"
    description_unclear = "description_unclear"
    out_of_scope = "out_of_scope"
    other = "other"


class Problem(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    status: str = Field(default="draft", sa_type=String(30), index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    created_by_id: int = Field(foreign_key="user.id", index=True)
    # Posted by a coordinator on behalf of the state: no moderation, co-managed by coordinators.
    national: bool = False

    title: str = Field(max_length=300)
    abstract: str  # public
    pain: str = ""  # what hurts
    affected: str = ""  # for whom
    workaround: str = ""  # today's workaround
    outcomes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )  # [{"indicator", "unit", "target"}]
    details: str = ""  # confidential, behind the non-disclosure undertaking

    field_id: int | None = Field(default=None, foreign_key="field.id", index=True)
    subfield_id: int | None = Field(default=None, foreign_key="field.id")
    scope: str = Field(default=Scope.national, sa_type=String(20))
    provinces: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sector: str | None = Field(default=None, max_length=200)
    target_trl: int | None = None
    budget_min: int | None = Field(default=None, sa_type=BigInteger)  # VND
    budget_max: int | None = Field(default=None, sa_type=BigInteger)
    funding_mode: str = Field(default=FundingMode.state_order, sa_type=String(20))
    deadline: date  # proposals accepted until the end of this day, Vietnam time
    delivery_months: int | None = None  # expected delivery, months after the award
    ip_terms: str = Field(default=IpTerms.negotiable, sa_type=String(20))
    nda_version: int = 1

    views: int = 0
    closing_warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    stage_entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProblemEvent(SQLModel, table=True):
    """One status change, append-only and hash-chained (`app.statemachine.HashChain`)."""

    __tablename__ = "problem_event"
    __table_args__ = (UniqueConstraint("problem_id", "seq"),)

    id: int = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", index=True)
    seq: int
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    from_status: str | None = Field(default=None, sa_type=String(30))
    to_status: str = Field(sa_type=String(30))
    reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ProblemAccess(SQLModel, table=True):
    """The access log: an accepted undertaking ("nda") or a read of confidential content, hash-chained."""

    __tablename__ = "problem_access"
    __table_args__ = (UniqueConstraint("problem_id", "seq"),)

    id: int = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", index=True)
    seq: int
    user_id: int = Field(foreign_key="user.id", index=True)
    organisation_name: str | None = Field(default=None, max_length=300)
    what: str = Field(max_length=60)  # "nda", "details", "attachment:<id>"
    nda_version: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ProblemAttachment(SQLModel, table=True):
    """A confidential file of a problem: downloaded only past the non-disclosure gate."""

    __tablename__ = "problem_attachment"

    id: int = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", index=True)
    storage_key: str = Field(max_length=300)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=150)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Proposal(SQLModel, table=True):
    """An answer to an open problem: one of the proposer's initiatives, or a solution sketch."""

    __table_args__ = (UniqueConstraint("problem_id", "proposer_id"),)

    id: int = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", index=True)
    proposer_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    kind: str = Field(sa_type=String(20))
    initiative_id: int | None = Field(default=None, foreign_key="initiative.id", index=True)
    # The proposer lets the problem's owners read the initiative's confidential sections.
    grant_confidential: bool = False
    summary: str = ""  # public to the owners: how this answers the problem
    approach: str = ""
    team: str = ""
    cost: int | None = Field(default=None, sa_type=BigInteger)  # VND
    timeline: str = ""
    current_trl: int | None = None
    confidential: str = ""
    status: str = Field(default=ProposalStatus.submitted, sa_type=String(20), index=True)
    decline_reason: str | None = Field(default=None, sa_type=String(30))
    decline_text: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProposalEvent(SQLModel, table=True):
    """One change of a proposal's stage (sent, shortlisted, declined, awarded, withdrawn): who,
    from, to, why and when. Append-only; the owners and the proposer read it on the proposal page."""

    __tablename__ = "proposal_event"

    id: int = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    from_status: str | None = Field(default=None, sa_type=String(20))
    to_status: str = Field(sa_type=String(20))
    reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProblemView(SQLModel, table=True):
    """A visitor saw a problem page on a day (Vietnam time): `Problem.views` counts these rows.

    `visitor` is a keyed hash of the signed-in user's id, or of the client address and browser
    for anonymous readers, so no address is stored."""

    __tablename__ = "problem_view"
    __table_args__ = (UniqueConstraint("problem_id", "day", "visitor"),)

    id: int = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", index=True)
    day: date
    visitor: str = Field(max_length=64)


class ProposalMessage(SQLModel, table=True):
    """The private thread between the problem's owners and one proposer."""

    __tablename__ = "proposal_message"

    id: int = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProblemQuestion(SQLModel, table=True):
    """A public question on a problem page and the owners' answer (shown once answered)."""

    __tablename__ = "problem_question"

    id: int = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", index=True)
    asker_id: int = Field(foreign_key="user.id")
    question: str
    answer: str = ""
    answered_by_id: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
