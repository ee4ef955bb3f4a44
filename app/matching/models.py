"""One float32 vector per (initiative, model), computed off the request path."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class InitiativeVector(SQLModel, table=True):
    """The embedding of an initiative's PUBLIC text (title, keywords, summary, field).

    `text_hash` is the SHA-256 of the embedded text, so an unchanged text is not
    re-embedded and a change of model (another `model`) embeds again.
    """

    __tablename__ = "initiative_vector"

    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)
    model: str = Field(max_length=100, primary_key=True)
    text_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
