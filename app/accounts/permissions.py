"""Named permission predicates on people. Later domains combine these."""

from __future__ import annotations

from typing import TypeGuard

from app.accounts.models import Role, User


def has_role(user: User | None, role: Role) -> bool:
    return user is not None and user.is_active and role in user.roles


def is_admin(user: User | None) -> bool:
    return has_role(user, Role.admin)


def is_coordinator(user: User | None) -> bool:
    return has_role(user, Role.coordinator) or is_admin(user)


def is_reviewer(user: User | None) -> bool:
    return has_role(user, Role.reviewer)


def can_submit(user: User | None) -> bool:
    return has_role(user, Role.submitter)


def can_manage_roles(user: User | None) -> bool:
    return is_admin(user)


def acts_for(user: User | None, organisation_id: int | None) -> bool:
    """The one test of "may act in this organisation's name" (webhooks, problems, deals).

    Every power held in an organisation's name goes through this predicate, so that how
    membership is earned is decided in one place: an approved membership (see
    `memberships.py`), never the organisation a user declares in their profile. The
    approved memberships are loaded with the user, so this is a pure predicate.
    """
    return (
        user is not None
        and user.is_active
        and organisation_id is not None
        and organisation_id in user.member_of
    )


def manages(user: User | None, organisation_id: int | None) -> bool:
    """A manager of the organisation: approves and removes its members."""
    return acts_for(user, organisation_id) and organisation_id in user.manager_of  # type: ignore[union-attr]


def can_decide_membership(user: User | None, organisation_id: int, *, has_manager: bool) -> bool:
    """Its managers decide who belongs to an organisation; coordinators when it has none."""
    return manages(user, organisation_id) or (not has_manager and is_coordinator(user))


def is_signed_in(user: User | None) -> TypeGuard[User]:
    return user is not None and user.is_active
