"""Organisation membership: requested, approved, removed.

Declaring an organisation in the profile is only an affiliation (it counts for
conflicts of interest). Acting in the organisation's name needs an approved
membership (`permissions.acts_for`): a manager of the organisation approves it,
or a coordinator when the organisation has no manager. The first person to
register an organisation becomes its manager.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts import permissions
from app.accounts.models import Membership, MembershipState, Organisation, User
from app.db import utcnow
from app.errors import Conflict, NotFound, PermissionDenied
from app.i18n import _


def _reload(session: Session, user: User) -> None:
    session.flush()
    session.refresh(user, ["approved_memberships"])


def get(session: Session, organisation_id: int, user_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(
            Membership.organisation_id == organisation_id, Membership.user_id == user_id
        )
    ).first()


def found(session: Session, user: User, organisation: Organisation) -> Membership:
    """The person who registered the organisation: an approved member and its manager."""
    assert organisation.id is not None and user.id is not None
    row = get(session, organisation.id, user.id) or Membership(
        organisation_id=organisation.id, user_id=user.id
    )
    row.state, row.is_manager = MembershipState.approved, True
    row.decided_at, row.decided_by_id = utcnow(), user.id
    session.add(row)
    _reload(session, user)
    return row


def request(session: Session, user: User, organisation_id: int) -> Membership:
    """Ask to join; an approved membership stays as it is. Grants nothing by itself."""
    assert user.id is not None
    row = get(session, organisation_id, user.id)
    if row is not None and row.state == MembershipState.approved:
        return row
    if row is None:
        row = Membership(organisation_id=organisation_id, user_id=user.id)
    row.state, row.is_manager = MembershipState.requested, False
    row.requested_at, row.decided_at, row.decided_by_id = utcnow(), None, None
    session.add(row)
    _reload(session, user)
    return row


def leave_others(session: Session, user: User, keep: int | None) -> None:
    """Changing one's organisation ends the memberships (and requests) elsewhere."""
    for row in session.exec(
        select(Membership).where(
            Membership.user_id == user.id,
            col(Membership.state).in_([MembershipState.requested, MembershipState.approved]),
        )
    ):
        if row.organisation_id != keep:
            row.state, row.is_manager = MembershipState.removed, False
            row.decided_at, row.decided_by_id = utcnow(), user.id
    _reload(session, user)


def change_declared(session: Session, user: User, organisation_id: int | None) -> None:
    """The profile names another organisation: request membership there, leave the others."""
    leave_others(session, user, organisation_id)
    if organisation_id is not None:
        request(session, user, organisation_id)


def has_manager(session: Session, organisation_id: int) -> bool:
    return (
        session.exec(
            select(Membership.id).where(
                Membership.organisation_id == organisation_id,
                Membership.state == MembershipState.approved,
                col(Membership.is_manager).is_(True),
            )
        ).first()
        is not None
    )


def may_decide(session: Session, actor: User, organisation_id: int) -> bool:
    return permissions.can_decide_membership(
        actor, organisation_id, has_manager=has_manager(session, organisation_id)
    )


def _load(session: Session, actor: User, membership_id: int) -> Membership:
    row = session.get(Membership, membership_id)
    if row is None:
        raise NotFound(_("No such membership."))
    if not may_decide(session, actor, row.organisation_id):
        raise PermissionDenied(
            _("Only a manager of the organisation, or a coordinator, can decide this.")
        )
    return row


def approve(
    session: Session, actor: User, membership_id: int, *, manager: bool = False
) -> Membership:
    row = _load(session, actor, membership_id)
    if row.state != MembershipState.requested and not (manager and row.state == "approved"):
        raise Conflict(_("Only a pending request can be approved."), code="membership-not-pending")
    row.state, row.is_manager = MembershipState.approved, row.is_manager or manager
    row.decided_at, row.decided_by_id = utcnow(), actor.id
    session.add(row)
    session.flush()
    return row


def remove(session: Session, actor: User, membership_id: int) -> Membership:
    """End a membership or refuse a request (a member may also leave on their own)."""
    row = session.get(Membership, membership_id)
    if row is None or (
        row.user_id != actor.id and not may_decide(session, actor, row.organisation_id)
    ):
        return _load(session, actor, membership_id)  # raises the right error
    if row.state == MembershipState.removed:
        raise Conflict(_("This membership has already ended."), code="membership-removed")
    row.state, row.is_manager = MembershipState.removed, False
    row.decided_at, row.decided_by_id = utcnow(), actor.id
    session.add(row)
    session.flush()
    return row


@dataclass
class Entry:
    membership: Membership
    user: User
    organisation: Organisation


def _entries(session: Session, query) -> list[Entry]:
    return [
        Entry(m, u, o)
        for m, u, o in session.exec(
            query.join(User, col(User.id) == Membership.user_id)
            .join(Organisation, col(Organisation.id) == Membership.organisation_id)
            .order_by(col(Membership.requested_at), col(Membership.id))
        )
    ]


def decidable(session: Session, actor: User) -> list[Entry]:
    """Pending requests and current members of the organisations the actor decides for."""
    base = select(Membership, User, Organisation).where(
        col(Membership.state).in_([MembershipState.requested, MembershipState.approved])
    )
    if permissions.is_coordinator(actor):
        managed = (
            select(Membership.organisation_id)
            .where(Membership.state == MembershipState.approved)
            .where(col(Membership.is_manager).is_(True))
        )
        scope = col(Membership.organisation_id).not_in(managed) | col(
            Membership.organisation_id
        ).in_(actor.manager_of)
        return _entries(session, base.where(scope))
    if not actor.manager_of:
        return []
    return _entries(session, base.where(col(Membership.organisation_id).in_(actor.manager_of)))


def of_user(session: Session, user: User) -> list[Entry]:
    return _entries(
        session,
        select(Membership, User, Organisation).where(
            Membership.user_id == user.id, Membership.state != MembershipState.removed
        ),
    )
