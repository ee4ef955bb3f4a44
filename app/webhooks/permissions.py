"""Who may manage an organisation's webhook endpoints."""

from __future__ import annotations

from app.accounts import permissions as accounts
from app.accounts.models import Organisation, Role, User

MANAGER_ROLES = frozenset({Role.enterprise, Role.investor, Role.intermediary, Role.admin})


def can_manage_webhooks(user: User | None, organisation: Organisation | None) -> bool:
    """A member of the organisation acting for it (enterprise, investor, intermediary or admin role)."""
    return (
        user is not None
        and user.is_active
        and organisation is not None
        and accounts.acts_for(user, organisation.id)
        and bool(user.roles & MANAGER_ROLES)
    )


def can_use_webhooks(user: User | None) -> bool:
    """Show the menu link to people who can manage their own organisation's endpoints."""
    return user is not None and can_manage_webhooks(user, user.organisation)
