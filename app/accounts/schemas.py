"""Forms and API bodies of the accounts domain.

Web forms and the JSON API share these models, so a rule (password length,
a known province) is written once. Validators raise ValueError with a message
in the user's language; `parse_form` shows it next to the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.accounts.models import PASSWORD_MIN_LENGTH, OrganisationType, Role, UserGroup
from app.i18n import _
from app.system.provinces import PROVINCES

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 .()-]{8,20}$")
# A Vietnamese tax code (mã số thuế): 10 digits, a branch adds -NNN.
_TAX_CODE = re.compile(r"^[0-9]{10}(-[0-9]{3})?$")

Language = Literal["vi", "en"]


def check_email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise ValueError(_("Enter a valid email address."))
    return value


def check_province(value: str | None) -> str | None:
    if value and value not in PROVINCES:
        raise ValueError(_("Choose a province from the list."))
    return value or None


def check_phone(value: str | None) -> str | None:
    if value and not _PHONE.match(value):
        raise ValueError(_("Enter a phone number of digits, for example 0912 345 678."))
    return value or None


def check_tax_code(value: str | None) -> str | None:
    cleaned = "".join((value or "").replace(".", "").split())
    if cleaned and not _TAX_CODE.match(cleaned):
        raise ValueError(_("Enter a tax code of 10 digits, or 13 for a branch (0101234567-001)."))
    return cleaned or None


def split_keywords(value: object) -> list[str]:
    """'a, b,,c' or ['a', 'b'] -> ['a', 'b', 'c'], without blanks and duplicates."""
    items = (
        [value] if isinstance(value, str) else list(value) if isinstance(value, Iterable) else []
    )
    seen: dict[str, str] = {}
    for item in items:
        for part in str(item).split(","):
            text = part.strip()[:80]
            if text:
                seen.setdefault(text.lower(), text)
    return list(seen.values())[:50]


# -- web forms ----------------------------------------------------------------
class LoginForm(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=200)


class OrganisationChoice(BaseModel):
    """An existing organisation, a new one entered once, or none (an individual)."""

    organisation_mode: Literal["none", "existing", "new"] = "none"
    organisation_id: int | None = Field(default=None, validate_default=True)
    org_name: str | None = Field(default=None, max_length=300, validate_default=True)
    org_type: OrganisationType | None = Field(default=None, validate_default=True)
    org_province: str | None = Field(default=None, max_length=100)
    org_tax_code: str | None = Field(default=None, max_length=20)

    _org_province = field_validator("org_province")(check_province)
    _org_tax_code = field_validator("org_tax_code")(check_tax_code)

    @field_validator("organisation_id")
    @classmethod
    def _existing(cls, value: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("organisation_mode") == "existing" and not value:
            raise ValueError(_("Choose your organisation from the list."))
        return value

    @field_validator("org_name", "org_type")
    @classmethod
    def _new(cls, value: object, info: ValidationInfo) -> object:
        if info.data.get("organisation_mode") == "new" and not value:
            raise ValueError(_("This field is required."))
        return value

    def organisation_args(self, province: str | None) -> dict:
        """The service's `organisation_id` / `new_organisation` arguments for this choice."""
        if self.organisation_mode == "new":
            return {
                "organisation_id": None,
                "new_organisation": {
                    "name": self.org_name,
                    "type": self.org_type,
                    "province": self.org_province or province,
                    "tax_code": self.org_tax_code,
                },
            }
        return {
            "organisation_id": self.organisation_id
            if self.organisation_mode == "existing"
            else None,
            "new_organisation": None,
        }


class _Registrant(BaseModel):
    full_name: str = Field(min_length=2, max_length=200)
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    province: str = Field(min_length=1, max_length=100)
    language: Language = "vi"

    _email = field_validator("email")(check_email)
    _province = field_validator("province")(check_province)
    _phone = field_validator("phone")(check_phone)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        if value.strip().lower() == (info.data.get("email") or "").lower():
            raise ValueError(_("The password must not be your email address."))
        return value


class _WhoYouAre(BaseModel):
    """Registration asks who the person is; a reviewer request carries their expertise."""

    user_group: UserGroup = UserGroup.scientist
    wants_review: bool = False
    review_note: str = Field(default="", max_length=2000)

    @field_validator("review_note")
    @classmethod
    def _note(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("wants_review") and not value.strip():
            raise ValueError(_("Describe your expertise."))
        return value


class RegisterForm(_WhoYouAre, OrganisationChoice, _Registrant):
    """Registration; the organisation is chosen from existing ones or created once.

    (Bases in this order so that errors are listed in the order of the form.)
    """


class EmailForm(BaseModel):
    email: str = Field(min_length=1, max_length=320)

    _email = field_validator("email")(check_email)


class ResetForm(BaseModel):
    token: str = Field(min_length=1, max_length=500)
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=200)


class ChangePasswordForm(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=200)


class _ProfileDetails(BaseModel):
    full_name: str = Field(min_length=2, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    province: str | None = Field(default=None, max_length=100)
    expertise_keywords: list[str] = Field(default_factory=list)
    expertise_fields: list[str] = Field(default_factory=list)
    language: Language = "vi"

    _province = field_validator("province")(check_province)
    _phone = field_validator("phone")(check_phone)
    _lists = field_validator("expertise_keywords", "expertise_fields", mode="before")(
        split_keywords
    )


class ProfileForm(OrganisationChoice, _ProfileDetails):
    """The profile page; keywords and fields arrive comma-separated."""


class TokenForm(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class RoleForm(BaseModel):
    role: Role


# -- API ----------------------------------------------------------------------
class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    language: str
    roles: list[str]
    organisation_id: int | None
    email_verified_at: datetime | None


class Profile(UserPublic):
    """The signed-in user's own record, with what only they see."""

    phone: str | None
    province: str | None
    expertise_keywords: list[str]
    expertise_fields: list[str]
    organisation_membership: Literal["requested", "approved", "removed"] | None = Field(
        default=None,
        description="State of the membership of `organisation_id`: only an approved member "
        "acts in the organisation's name",
    )


class ProfileUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "phone": "0912 345 678",
                    "province": "Hà Nội",
                    "expertise_keywords": ["trí tuệ nhân tạo", "y tế số"],
                    "language": "vi",
                }
            ]
        }
    )

    full_name: str | None = Field(default=None, min_length=2, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    province: str | None = Field(default=None, max_length=100)
    organisation_id: int | None = None
    expertise_keywords: list[str] | None = None
    expertise_fields: list[str] | None = None
    language: Language | None = None

    _province = field_validator("province")(check_province)
    _phone = field_validator("phone")(check_phone)

    @field_validator("expertise_keywords", "expertise_fields", mode="before")
    @classmethod
    def _lists(cls, value: object) -> list[str] | None:
        return None if value is None else split_keywords(value)


class PersonalTokenIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Báo cáo tuần"}]})

    name: str = Field(
        min_length=1, max_length=100, description="What the token is for, to recognise it later"
    )


class PersonalTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class PersonalTokenCreated(PersonalTokenOut):
    token: str = Field(description="The token itself: shown this once, never again")


class OrganisationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Viện Công nghệ thông tin",
                    "type": "research_institute",
                    "province": "Hà Nội",
                }
            ]
        }
    )

    name: str = Field(min_length=2, max_length=300)
    type: OrganisationType
    province: str | None = Field(default=None, max_length=100)
    tax_code: str | None = Field(
        default=None, max_length=20, description="Tax code (mã số thuế): 10 digits, or 10-3"
    )
    website: str | None = Field(default=None, max_length=300)

    _province = field_validator("province")(check_province)
    _tax_code = field_validator("tax_code")(check_tax_code)


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    type: OrganisationType
    province: str | None
    tax_code: str | None = None


class MembershipOut(BaseModel):
    """A membership of an organisation and its state (requested, approved, removed)."""

    id: int
    organisation_id: int
    organisation_name: str
    user_id: int
    user_name: str
    user_email: str
    state: str
    is_manager: bool
    requested_at: datetime
    decided_at: datetime | None


class MembershipDecision(BaseModel):
    manager: bool = Field(default=False, description="Also make the member a manager")


class RoleIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "reviewer"}]})

    role: Role


class RoleGrantOut(BaseModel):
    id: int
    role: Role
    granted_by_id: int | None
    granted_by_name: str | None
    granted_at: datetime
    revoked_by_id: int | None
    revoked_by_name: str | None
    revoked_at: datetime | None


class UserAdminOut(UserPublic):
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None
