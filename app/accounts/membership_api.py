"""Membership API: my memberships; managers and coordinators approve and remove members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.accounts import deps, memberships
from app.accounts.schemas import MembershipDecision, MembershipOut
from app.db import SessionDep

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
NEEDS_SIGN_IN: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, invalid, expired or revoked token", **PROBLEM}
}
DECIDING: dict[int | str, dict[str, Any]] = {
    **NEEDS_SIGN_IN,
    403: {"description": "Not a manager of the organisation (nor a coordinator)", **PROBLEM},
    404: {"description": "No such membership", **PROBLEM},
    409: {"description": "Not in a state that allows this", **PROBLEM},
}

router = APIRouter(tags=["accounts"])


def out(entry: memberships.Entry) -> MembershipOut:
    m = entry.membership
    assert m.id is not None and entry.user.id is not None
    return MembershipOut(
        id=m.id,
        organisation_id=m.organisation_id,
        organisation_name=entry.organisation.name,
        user_id=entry.user.id,
        user_name=entry.user.full_name,
        user_email=entry.user.email,
        state=m.state,
        is_manager=m.is_manager,
        requested_at=m.requested_at,
        decided_at=m.decided_at,
    )


def _entry(session: SessionDep, membership_id: int) -> MembershipOut:
    from app.accounts.models import Membership, Organisation, User

    m = session.get(Membership, membership_id)
    assert m is not None
    user, org = session.get(User, m.user_id), session.get(Organisation, m.organisation_id)
    assert user is not None and org is not None
    return out(memberships.Entry(m, user, org))


@router.get(
    "/me/memberships",
    response_model=list[MembershipOut],
    summary="My memberships",
    responses=NEEDS_SIGN_IN,
)
def my_memberships(session: SessionDep, user: deps.CurrentUser):
    """Requested and approved memberships; only approved ones let you act for an organisation."""
    return [out(e) for e in memberships.of_user(session, user)]


@router.get(
    "/memberships",
    response_model=list[MembershipOut],
    summary="Members and requests I decide on",
    responses=NEEDS_SIGN_IN,
)
def decidable(session: SessionDep, user: deps.CurrentUser):
    """Pending requests and members of the organisations you manage (for a coordinator, also
    of every organisation without a manager). Empty for everybody else."""
    return [out(e) for e in memberships.decidable(session, user)]


@router.post(
    "/memberships/{membership_id}/approve",
    response_model=MembershipOut,
    summary="Approve a membership request",
    responses=DECIDING,
)
def approve(
    session: SessionDep,
    user: deps.CurrentUser,
    membership_id: int,
    body: MembershipDecision | None = None,
):
    """A manager of the organisation (or a coordinator, if it has none) approves a request;
    `manager: true` also makes the member a manager."""
    memberships.approve(session, user, membership_id, manager=bool(body and body.manager))
    return _entry(session, membership_id)


@router.post(
    "/memberships/{membership_id}/remove",
    response_model=MembershipOut,
    summary="Remove a member or refuse a request",
    responses=DECIDING,
)
def remove(session: SessionDep, user: deps.CurrentUser, membership_id: int):
    """Ends the membership (a member may also leave on their own); the row stays as removed."""
    memberships.remove(session, user, membership_id)
    return _entry(session, membership_id)
