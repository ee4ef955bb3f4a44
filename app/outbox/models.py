from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class OutboxEvent(SQLModel, table=True):
    """One delivery of a side effect to one handler, after the writing transaction commits.

    An event with several handlers (search indexing and subscriptions both
    consume `initiative.published`) becomes one row per handler, so each
    retries on its own. `key` orders delivery: a row waits while an earlier row
    with the same key is still pending (index updates of one initiative stay in
    order); keys are prefixed by the handler so consumers never block each other.
    """

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_due", "status", "available_at"),)

    id: int = Field(default=None, primary_key=True)
    topic: str = Field(max_length=80)
    handler: str = Field(max_length=120)
    key: str | None = Field(default=None, max_length=120, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=10)  # pending | done | failed
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    available_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    locked_by: str | None = Field(default=None, max_length=80)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
