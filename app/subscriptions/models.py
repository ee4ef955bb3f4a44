"""Subscriptions to fields, provinces and saved searches, of newly published initiatives or newly
opened problem statements (`subject`); what was matched and what was sent."""

from datetime import datetime

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Subscription(SQLModel, table=True):
    """What a user wants to hear about, and how.

    `kind` is category (a field or sub-field code and/or a province, all of
    which must match) or search (a catalogue query string, evaluated by the
    search engine). `last_digest_at`
    ends the window the previous digest covered: the next digest covers
    exactly what matched after it.
    """

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    # What is followed: newly published initiatives, or newly opened problem statements (whose
    # saved search is a query string of the /problems listing).
    subject: str = Field(default="initiatives", sa_type=String(20))  # initiatives | problems
    kind: str = Field(sa_type=String(20))  # category | search
    field_code: str | None = Field(default=None, max_length=40)
    province: str | None = Field(default=None, max_length=100)
    query: str | None = Field(default=None, max_length=1000)
    # The name its owner typed; empty for an automatic name, which is never stored but made from
    # what is followed, in the reader's language, whenever it is shown (`service.label`).
    name: str = Field(max_length=200)
    channel: str = Field(sa_type=String(20))  # instant | daily | weekly | in_app
    is_paused: bool = False
    feed_token: str = Field(max_length=64, unique=True)
    last_digest_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SubscriptionNotice(SQLModel, table=True):
    """A user was told about an initiative or a problem (one of the two ids): once, whatever
    number of subscriptions matched."""

    __tablename__ = "subscription_notice"
    __table_args__ = (
        UniqueConstraint("user_id", "initiative_id"),
        UniqueConstraint("user_id", "problem_id"),
    )

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    initiative_id: int | None = Field(default=None, foreign_key="initiative.id", index=True)
    problem_id: int | None = Field(default=None, foreign_key="problem.id", index=True)
    subscription_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    channel: str = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Digest(SQLModel, table=True):
    """One digest mail: whose, which frequency and the window it covered."""

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    frequency: str = Field(sa_type=String(10))  # daily | weekly
    window_end: datetime = Field(sa_type=UTCDateTime)
    item_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DigestItem(SQLModel, table=True):
    """A match (an initiative or a problem) waiting for the next digest of its subscription (then
    sent, or dropped if no longer public)."""

    __tablename__ = "digest_item"
    __table_args__ = (
        UniqueConstraint("subscription_id", "initiative_id"),
        UniqueConstraint("subscription_id", "problem_id"),
    )

    id: int = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    initiative_id: int | None = Field(default=None, foreign_key="initiative.id", index=True)
    problem_id: int | None = Field(default=None, foreign_key="problem.id", index=True)
    # Names of the other matching subscriptions, written by older versions only: the digest now
    # names them from the match's SubscriptionNotice, in the recipient's language.
    also_matched: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    matched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default="pending", sa_type=String(10))  # pending | sent | dropped
    digest_id: int | None = Field(default=None, foreign_key="digest.id", index=True)
