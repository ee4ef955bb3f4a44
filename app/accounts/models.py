import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint, event
from sqlmodel import Field, Relationship, SQLModel

from app.db import UTCDateTime, utcnow

PASSWORD_MIN_LENGTH = 10


class Role(StrEnum):
    submitter = "submitter"
    reviewer = "reviewer"
    coordinator = "coordinator"
    enterprise = "enterprise"
    investor = "investor"
    intermediary = "intermediary"
    agency = "agency"  # ministries, provinces and public bodies that post problems
    admin = "admin"


class OrganisationType(StrEnum):
    university = "university"
    research_institute = "research_institute"
    enterprise = "enterprise"
    state_agency = "state_agency"
    investment_fund = "investment_fund"
    intermediary = "intermediary"
    individual = "individual"


def organisation_key(name: str) -> str:
    """The form of a name that decides "the same organisation": NFC, case-folded, single spaces.

    Computed in Python because SQLite's lower() leaves Vietnamese capitals (Đ, Ư, Ấ …) alone.
    """
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


class Organisation(SQLModel, table=True):
    """Entered once, reused by every member and every submission."""

    __table_args__ = (UniqueConstraint("name_key", "type"), UniqueConstraint("tax_code"))

    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, index=True)
    # Set from `name` on every insert and update (see _set_name_key); searched and deduplicated on.
    name_key: str = Field(default="", max_length=300, index=True)
    type: OrganisationType = Field(sa_type=String(30))  # enums stored as text, no DB enum types
    province: str | None = Field(default=None, max_length=100)
    # The tax code (mã số thuế) identifies an organisation whatever name it is entered under.
    tax_code: str | None = Field(default=None, max_length=20)
    website: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def _set_name_key(mapper: object, connection: object, organisation: Organisation) -> None:
    organisation.name_key = organisation_key(organisation.name)


class MembershipState(StrEnum):
    requested = "requested"
    approved = "approved"
    removed = "removed"


class Membership(SQLModel, table=True):
    """A user's membership of an organisation: requested, approved by a manager (or a
    coordinator when the organisation has none), removed. Powers held in an
    organisation's name need an approved membership (`permissions.acts_for`); the
    user's declared `organisation_id` is only an affiliation.
    """

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    state: MembershipState = Field(default=MembershipState.requested, sa_type=String(10))
    is_manager: bool = False
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")


class User(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    full_name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=200)
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    phone: str | None = Field(default=None, max_length=30)
    province: str | None = Field(default=None, max_length=100)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    expertise_keywords: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    expertise_fields: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    language: str = Field(default="vi", max_length=5)
    is_active: bool = True
    # Bumped when the password changes: every older session stops working.
    auth_version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    organisation: Organisation | None = Relationship(sa_relationship_kwargs={"lazy": "selectin"})
    grants: list["RoleGrant"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "foreign_keys": "RoleGrant.user_id",
            "primaryjoin": "and_(User.id == RoleGrant.user_id, RoleGrant.revoked_at == None)",
            "viewonly": True,
        }
    )

    # Approved memberships only, loaded with the user (one query), so `acts_for` stays a
    # pure predicate without a query per call.
    approved_memberships: list[Membership] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "foreign_keys": "Membership.user_id",
            "primaryjoin": "and_(User.id == Membership.user_id, Membership.state == 'approved')",
            "viewonly": True,
        }
    )

    @property
    def member_of(self) -> frozenset[int]:
        """Ids of the organisations that approved this user as a member."""
        return frozenset(m.organisation_id for m in self.approved_memberships)

    @property
    def manager_of(self) -> frozenset[int]:
        """Ids of the organisations this user manages (approves their members)."""
        return frozenset(m.organisation_id for m in self.approved_memberships if m.is_manager)

    @property
    def roles(self) -> set[Role]:
        return {Role(g.role) for g in self.grants}

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


class RoleGrant(SQLModel, table=True):
    """A role held by a user; revoking keeps the row, so who granted what stays provable."""

    __tablename__ = "role_grant"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: Role = Field(sa_type=String(20))
    granted_by_id: int | None = Field(default=None, foreign_key="user.id")
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token, stored only as its SHA-256: an OAuth2 access token or a personal one."""

    __tablename__ = "api_token"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=10)  # access | personal
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OidcIdentity(SQLModel, table=True):
    """Links an account to a subject at an OpenID Connect issuer (e.g. the national e-ID)."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    issuer: str = Field(max_length=300)
    subject: str = Field(max_length=255)
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # From the last sign-in: the assurance level and the identifier claims (national e-ID).
    acr: str | None = Field(default=None, max_length=100)
    claims: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    signed_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie carries a random id whose SHA-256 is kept here, so
    signing out, a password change or an administrator can end the session for good.
    """

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=300)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins counted per key (an email or an address) within a window."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=340)
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserGroup(StrEnum):
    """Who a person says they are at registration; each group is served by one role."""

    scientist = "scientist"  # scientist or inventor: registers initiatives
    enterprise = "enterprise"
    investor = "investor"  # investor or fund
    intermediary = "intermediary"
    agency = "agency"  # state agency


GROUP_ROLES: dict[UserGroup, Role] = {
    UserGroup.scientist: Role.submitter,
    UserGroup.enterprise: Role.enterprise,
    UserGroup.investor: Role.investor,
    UserGroup.intermediary: Role.intermediary,
    UserGroup.agency: Role.agency,
}
# Granted without anyone's approval once the email address is verified.
SELF_SERVICE_ROLES = frozenset(GROUP_ROLES.values())
# Granted by a coordinator on request; coordinator and admin stay admin-granted.
REQUESTABLE_ROLES = frozenset({Role.reviewer})


class RoleRequestStatus(StrEnum):
    pending = "pending"
    granted = "granted"
    refused = "refused"


class RoleRequest(SQLModel, table=True):
    """A person asks for a role: self-service roles are granted at e-mail verification,
    reviewer status when a coordinator approves (the grant itself is a RoleGrant)."""

    __tablename__ = "role_request"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: Role = Field(sa_type=String(20))
    status: RoleRequestStatus = Field(default=RoleRequestStatus.pending, sa_type=String(20))
    note: str = Field(default="", max_length=2000)  # a reviewer's expertise in their words
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=2000)
