"""Factories for test data: real rows through the services, committed."""

from __future__ import annotations

import itertools

from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import Organisation, OrganisationType, Role, User
from tests.conftest import PASSWORD

_seq = itertools.count(1)


def organisation(
    session: Session,
    name: str | None = None,
    type: OrganisationType = OrganisationType.university,
    **fields,
) -> Organisation:
    org = Organisation(name=name or f"Trường Đại học số {next(_seq)}", type=type, **fields)
    session.add(org)
    session.commit()
    return org


def user(
    session: Session,
    *roles: Role,
    email: str | None = None,
    password: str = PASSWORD,
    verified: bool = True,
    **profile,
) -> User:
    created = accounts.create_user(
        session,
        email=email or f"user{next(_seq)}@example.vn",
        full_name=profile.pop("full_name", "Nguyễn Văn An"),
        password=password,
        roles=roles or (Role.submitter,),
        verified=verified,
        **profile,
    )
    session.commit()
    return created
