"""Notifications sent to a user, and how each user wants each type of notification."""

from datetime import datetime

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    """One event told to one user, whatever the channel.

    The row exists for every notification (also mail-only ones) so that
    `dedupe_key` makes each event reach each user once, even when the job
    that produced it runs again. The inbox shows the rows with an in-app channel.

    `title` and `body` are the texts in the recipient's language when it was sent;
    `texts` holds them in every language of the portal (`{"vi": {"title", "body"}, "en":
    …}`), so the inbox speaks the reader's current language (`title_in`, `body_in`).
    Rows from before `texts` existed have it empty and show `title`/`body`.
    """

    __table_args__ = (UniqueConstraint("user_id", "dedupe_key"),)

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    type: str = Field(sa_type=String(40))
    channel: str = Field(sa_type=String(10))  # email | in_app | both
    title: str = Field(max_length=300)
    body: str = ""
    link: str | None = Field(default=None, max_length=500)
    dedupe_key: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    texts: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))

    def _text(self, language: str, part: str) -> str:
        fallback = self.title if part == "title" else self.body
        return ((self.texts or {}).get(language) or {}).get(part, fallback)

    def title_in(self, language: str) -> str:
        return self._text(language, "title")

    def body_in(self, language: str) -> str:
        return self._text(language, "body")


class NotificationPreference(SQLModel, table=True):
    """A user's channel for one notification type; absent means the type's default."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "type"),)

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    type: str = Field(sa_type=String(40))
    channel: str = Field(sa_type=String(10))  # email | in_app | both | off
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
