"""Webhook endpoints of organisations, their deliveries and every attempt made."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

# Webhook event types: the public contract with receivers. Not outbox topics
# (app/outbox/topics.py), though two share their names with the topics they follow.
EVENT_PUBLISHED = "initiative.published"
EVENT_UNPUBLISHED = "initiative.unpublished"
EVENT_MATCHED = "subscription.matched"
EVENT_PROBLEM_OPENED = "problem.opened"
EVENT_PROBLEM_AWARDED = "problem.awarded"
EVENT_DEAL_STAGE_CHANGED = "deal.stage_changed"
EVENT_TYPES = (
    EVENT_PUBLISHED,
    EVENT_UNPUBLISHED,
    EVENT_MATCHED,
    EVENT_PROBLEM_OPENED,
    EVENT_PROBLEM_AWARDED,
    EVENT_DEAL_STAGE_CHANGED,
)
TEST_EVENT = "webhook.test"
# Sent only to the callback endpoint of the partner system that forwarded the initiative
# (app/partners), never offered to organisations' own endpoints.
EVENT_FORWARDED_STAGE_CHANGED = "forwarded.stage_changed"


class WebhookEndpoint(SQLModel, table=True):
    """An HTTP(S) URL an organisation wants events at.

    The secret is kept (it signs every delivery) but shown to people only once,
    when it is created or rotated.
    """

    __tablename__ = "webhook_endpoint"

    id: int = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    created_by_id: int = Field(foreign_key="user.id")
    url: str = Field(max_length=500)
    description: str = Field(default="", max_length=200)
    event_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret: str = Field(max_length=100)
    is_active: bool = True
    consecutive_failures: int = 0
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_reason: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint; `uid` is sent as X-Portal-Delivery so receivers can dedupe."""

    __tablename__ = "webhook_delivery"

    id: int = Field(default=None, primary_key=True)
    uid: str = Field(max_length=40, unique=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    event_type: str = Field(max_length=60)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(
        default="pending", sa_type=String(20)
    )  # pending | succeeded | failed | cancelled
    attempts: int = 0
    replay_of_id: int | None = Field(default=None, foreign_key="webhook_delivery.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookAttempt(SQLModel, table=True):
    """One HTTP attempt: what came back and how long it took (shown on the endpoint page)."""

    __tablename__ = "webhook_attempt"

    id: int = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_delivery.id", index=True)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status_code: int | None = None
    response_ms: int = 0
    error: str | None = Field(default=None, max_length=500)
    succeeded: bool = False
