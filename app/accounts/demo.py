"""Demo memberships: the demo users are approved members of their organisations (the
enterprise, investor and intermediary users manage theirs), and one newcomer waits for
the enterprise's manager to approve them (see /account/memberships as doanhnghiep@…)."""

from __future__ import annotations

from sqlmodel import Session

from app.accounts import memberships
from app.accounts import service as accounts
from app.accounts.models import MembershipState, Role, User

NEWCOMER = "thanhvienmoi@sangkien.local"
MANAGING_ROLES = {Role.enterprise, Role.investor, Role.intermediary}


def load(session: Session, users: dict[str, User], password: str) -> None:
    for user in users.values():
        if user.organisation_id is None or user.id is None:
            continue
        row = memberships.get(session, user.organisation_id, user.id) or memberships.request(
            session, user, user.organisation_id
        )
        row.state, row.is_manager = MembershipState.approved, bool(user.roles & MANAGING_ROLES)
        session.add(row)
    enterprise = users.get("doanhnghiep@sangkien.local")
    if (
        enterprise is not None
        and enterprise.organisation_id
        and not accounts.get_by_email(session, NEWCOMER)
    ):
        newcomer = accounts.create_user(
            session,
            email=NEWCOMER,
            full_name="Phan Thị Mới",
            password=password,
            roles=(Role.enterprise,),
            verified=True,
            organisation_id=enterprise.organisation_id,
        )
        memberships.request(session, newcomer, enterprise.organisation_id)
    session.flush()
    for user in users.values():
        session.refresh(user, ["approved_memberships"])  # acts_for() reads them
