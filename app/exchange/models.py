"""Contact requests: an enterprise, investor or intermediary asks the authors of a published initiative
to get in touch.

A request keeps the requester's organisation as it was when they asked (the
profile may change later), and the answer: who answered, when, with what
message, and whether the submitter opened the confidential sections to the
requester (the access itself is an `AccessGrant` of the initiatives domain).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
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
