from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class DevMail(SQLModel, table=True):
    """A mail kept locally when no SMTP server is configured (development)."""

    __tablename__ = "dev_mail"

    id: int = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=200, unique=True)
    to: str = Field(max_length=320, index=True)
    subject: str = Field(max_length=300)
    text: str
    html: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
