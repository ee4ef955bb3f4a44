"""Contact request forms and API bodies, and what the API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.i18n import _

PurposeName = Literal["adopt", "invest", "partner", "license", "other"]
MESSAGE_MAX = 2000


class ContactRequestIn(BaseModel):
    """Why the requester wants contact, in their own words (the authors read it before answering)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "purpose": "invest",
                    "message": "Quỹ chúng tôi quan tâm đầu tư giai đoạn thí điểm tại ba tỉnh miền núi phía Bắc.",
                }
            ]
        }
    )

    purpose: PurposeName
    message: str = Field(min_length=1, max_length=MESSAGE_MAX)

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("This field is required."))
        return value.strip()


class AcceptIn(BaseModel):
    """Accept, optionally with a message and (submitter only) access to the confidential sections."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message": "Rất vui được trao đổi; tôi đã mở phần giải pháp kỹ thuật để anh chị xem trước.",
                    "grant_confidential": True,
                }
            ]
        }
    )

    message: str = Field(default="", max_length=MESSAGE_MAX)
    grant_confidential: bool = False


class RefuseIn(BaseModel):
    """Refuse, optionally saying why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message": "Sáng kiến đang trong quá trình chuyển giao cho một đối tác khác.",
                }
            ]
        }
    )

    message: str = Field(default="", max_length=MESSAGE_MAX)


class InitiativeRef(BaseModel):
    id: int
    title: str


class PersonOut(BaseModel):
    full_name: str
    organisation: str | None = None


class ContactOut(BaseModel):
    """The other side's name and email: present only once the request is accepted."""

    full_name: str
    email: str


class ContactRequestOut(BaseModel):
    id: int
    initiative: InitiativeRef
    requester: PersonOut
    purpose: PurposeName
    message: str
    status: Literal["pending", "accepted", "refused", "withdrawn"]
    created_at: datetime
    responded_at: datetime | None = None
    response_message: str = ""
    grant_confidential: bool = False
    withdrawn_at: datetime | None = None
    contact: ContactOut | None = Field(
        default=None,
        description="For the requester: the submitter's name and email; for the authors: the "
        "requester's. Null until the request is accepted.",
    )


class ContactRequestsOut(BaseModel):
    sent: list[ContactRequestOut]
    received: list[ContactRequestOut]
