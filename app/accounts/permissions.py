"""Named permission predicates on people. Later domains combine these."""

from __future__ import annotations

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


def is_signed_in(user: User | None) -> bool:
    return user is not None and user.is_active
