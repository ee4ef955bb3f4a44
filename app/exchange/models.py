"""Contact requests: an enterprise, investor or intermediary asks the authors of a published initiative
to get in touch.

A request keeps the requester's organisation as it was when they asked (the
profile may change later), and the answer: who answered, when, with what
message, and whether the submitter opened the confidential sections to the
requester (the access itself is an `AccessGrant` of the initiatives domain).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Purpose(StrEnum):
    adopt = "adopt"
    invest = "invest"
    partner = "partner"
    license = "license"
    other = "other"


class RequestStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    refused = "refused"
    withdrawn = "withdrawn"


class ContactRequest(SQLModel, table=True):
    __tablename__ = "contact_request"

    id: int = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    requester_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    purpose: str = Field(sa_type=String(20))
    message: str
    status: str = Field(default=RequestStatus.pending, sa_type=String(20), index=True)
    # "<initiative id>:<requester id>" while pending, NULL otherwise: the unique constraint lets
    # the database itself refuse a second pending request, even from two concurrent requests.
    pending_key: str | None = Field(default=None, max_length=40, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    responded_by_id: int | None = Field(default=None, foreign_key="user.id")
    response_message: str = ""
    grant_confidential: bool = False
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# -- deals: from first contact to a signed and reported transfer ----------------------------------
class DealStage(StrEnum):
    contact = "contact"
    nda_signed = "nda_signed"
    due_diligence = "due_diligence"
    offer = "offer"
    negotiation = "negotiation"
    agreement_signed = "agreement_signed"
    deployed = "deployed"
    abandoned = "abandoned"


class DealKind(StrEnum):
    transfer = "transfer"  # a technology transfer (licence, assignment, joint development, ...)
    funding = "funding"  # an investor's funding interest


class AbandonReason(StrEnum):
    price = "price"
    terms = "terms"
    technology_not_ready = "technology_not_ready"
    changed_priorities = "changed_priorities"
    other = "other"


class OfferKind(StrEnum):
    licence = "licence"
    assignment = "assignment"
    joint_development = "joint_development"
    investment = "investment"
    service_contract = "service_contract"
    pilot = "pilot"


class OfferStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    countered = "countered"
    declined = "declined"


class Side(StrEnum):
    """The two parties of a deal: the initiative's authors and the counterparty organisation."""

    initiative = "initiative"
    counterparty = "counterparty"


class Deal(SQLModel, table=True):
    """An initiative and a counterparty organisation on the way to a signed, reported transfer.

    The stage changes only through `app.exchange.deal_workflow.transition`, which appends the
    hash-chained `DealEvent` history.
    """

    __tablename__ = "deal"

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    contact_request_id: int | None = Field(default=None, foreign_key="contact_request.id")
    # The problem's awarded proposal this deal carries out (the problem's owner is the counterparty).
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    created_by_id: int = Field(foreign_key="user.id")
    kind: str = Field(default=DealKind.transfer, sa_type=String(20))
    # Funding interest (kind "funding"): a band and an instrument, never an exact amount.
    amount_band: str | None = Field(default=None, sa_type=String(20))
    instrument: str | None = Field(default=None, sa_type=String(20))
    stage: str = Field(default=DealStage.contact, sa_type=String(20), index=True)
    stage_entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    abandon_reason: str | None = Field(default=None, sa_type=String(30))
    abandon_note: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DealEvent(SQLModel, table=True):
    """One entry of a deal's append-only, hash-chained history (stage changes and recorded acts)."""

    __tablename__ = "deal_event"
    __table_args__ = (UniqueConstraint("deal_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    seq: int
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(sa_type=String(40))
    from_stage: str | None = Field(default=None, sa_type=String(20))
    to_stage: str = Field(sa_type=String(20))
    detail: str = "{}"  # canonical JSON, part of the hashed text
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class FacilitatorStatus(StrEnum):
    requested = "requested"  # waiting for the consent of one side or both
    active = "active"  # both sides consented: the intermediary sees the deal
    removed = "removed"  # a party removed it (or declined the request)


class DealFacilitator(SQLModel, table=True):
    """An intermediary organisation facilitating a deal, with the consent of both parties.

    Each side's consent is recorded (who, when); it becomes `active` when both have consented,
    and either side may remove it at any time. What an active facilitator sees is decided in
    `app.exchange.deal_visibility`.
    """

    __tablename__ = "deal_facilitator"

    id: int = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    profile_id: int = Field(foreign_key="intermediary_profile.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    status: str = Field(default=FacilitatorStatus.requested, sa_type=String(20))
    requested_by_id: int = Field(foreign_key="user.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    initiative_consent_by_id: int | None = Field(default=None, foreign_key="user.id")
    initiative_consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    counterparty_consent_by_id: int | None = Field(default=None, foreign_key="user.id")
    counterparty_consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_by_id: int | None = Field(default=None, foreign_key="user.id")
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DealOffer(SQLModel, table=True):
    """One version of the terms; a counter-offer is the next version from the other side."""

    __tablename__ = "deal_offer"
    __table_args__ = (UniqueConstraint("deal_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    version: int
    side: str = Field(sa_type=String(20))
    author_id: int = Field(foreign_key="user.id")
    kind: str = Field(sa_type=String(30))
    scope: str
    territory: str = ""
    duration_months: int | None = None
    value_vnd: int | None = Field(default=None, sa_type=BigInteger)  # confidential
    milestones: str = ""
    status: str = Field(default=OfferStatus.open, sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    responded_by_id: int | None = Field(default=None, foreign_key="user.id")
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NdaTemplate(SQLModel, table=True):
    """A version of the standard mutual NDA in one language; a new text is a new version."""

    __tablename__ = "nda_template"
    __table_args__ = (UniqueConstraint("language", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    language: str = Field(sa_type=String(5))
    version: int
    title: str = Field(max_length=200)
    body: str
    sha256: str = Field(max_length=64)  # of the body's exact UTF-8 bytes
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NdaAcceptance(SQLModel, table=True):
    """A recorded electronic act: who accepted which exact NDA text, for which side, when, from where."""

    __tablename__ = "nda_acceptance"
    __table_args__ = (UniqueConstraint("deal_id", "side"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    template_id: int = Field(foreign_key="nda_template.id")
    template_version: int
    language: str = Field(sa_type=String(5))
    text_sha256: str = Field(max_length=64)
    side: str = Field(sa_type=String(20))
    user_id: int = Field(foreign_key="user.id")
    full_name: str = Field(max_length=200)
    organisation_name: str = Field(max_length=300)
    address: str = Field(max_length=64)
    accepted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExchangeSetting(SQLModel, table=True):
    """The submitter's per-initiative choice: open the confidential sections once an NDA is signed."""

    __tablename__ = "exchange_setting"

    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)
    open_confidential_after_nda: bool = False
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DealAgreement(SQLModel, table=True):
    """The signed agreement of a deal: its terms and the signed document (a confidential file)."""

    __tablename__ = "deal_agreement"

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", unique=True)
    offer_id: int = Field(foreign_key="deal_offer.id")
    signed_on: date
    kind: str = Field(sa_type=String(30))
    value_vnd: int | None = Field(default=None, sa_type=BigInteger)  # confidential
    value_band: str | None = Field(default=None, sa_type=String(20))  # public if given
    storage_key: str = Field(max_length=200)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DealResult(SQLModel, table=True):
    """What the deployment achieved, reported by the authors and confirmed by the counterparty."""

    __tablename__ = "deal_result"

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", unique=True)
    place: str = Field(max_length=300)
    indicator: str = Field(max_length=300)
    before: str = Field(max_length=100)
    after: str = Field(max_length=100)
    reported_by_id: int = Field(foreign_key="user.id")
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# -- intermediaries ---------------------------------------------------------------------------
class ServiceType(StrEnum):
    """Intermediary organisations after Circular 16/2014/TT-BKHCN."""

    technology_exchange = "technology_exchange"
    transfer_centre = "transfer_centre"
    promotion_centre = "promotion_centre"
    ip_valuation = "ip_valuation"
    ip_agent = "ip_agent"
    innovation_support = "innovation_support"
    incubator = "incubator"


class ServiceRequestStatus(StrEnum):
    requested = "requested"
    accepted = "accepted"
    declined = "declined"
    delivered = "delivered"


class IntermediaryProfile(SQLModel, table=True):
    """An intermediary organisation's public profile: services, fields, provinces, price band."""

    __tablename__ = "intermediary_profile"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", unique=True)
    description: str = ""
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    provinces: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    price_band: str = Field(default="", max_length=20)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceRequest(SQLModel, table=True):
    """A request for an intermediary's service on an initiative or a deal; the clock runs from
    `created_at` to `responded_at`; the requester rates it once, after delivery."""

    __tablename__ = "service_request"

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="intermediary_profile.id", index=True)
    requester_id: int = Field(foreign_key="user.id", index=True)
    initiative_id: int | None = Field(default=None, foreign_key="initiative.id")
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    service: str = Field(sa_type=String(30))
    message: str
    status: str = Field(default=ServiceRequestStatus.requested, sa_type=String(20), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    responded_by_id: int | None = Field(default=None, foreign_key="user.id")
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rating: int | None = None
    rating_comment: str = ""
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
