"""Factories for test data: real rows through the services, committed."""

from __future__ import annotations

import itertools

from sqlmodel import Session

from app.accounts import memberships
from app.accounts import service as accounts
from app.accounts.models import MembershipState, Organisation, OrganisationType, Role, User
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
    member: str | None = "approved",
    **profile,
) -> User:
    """A user; with an `organisation_id`, an approved member of it unless `member` says
    "requested", "manager" or None (only a declared affiliation)."""
    created = accounts.create_user(
        session,
        email=email or f"user{next(_seq)}@example.vn",
        full_name=profile.pop("full_name", "Nguyễn Văn An"),
        password=password,
        roles=roles or (Role.submitter,),
        verified=verified,
        **profile,
    )
    if created.organisation_id and member:
        row = memberships.request(session, created, created.organisation_id)
        if member in ("approved", "manager"):
            row.state, row.is_manager = MembershipState.approved, member == "manager"
            session.flush()
            session.refresh(created, ["approved_memberships"])
    session.commit()
    return created
