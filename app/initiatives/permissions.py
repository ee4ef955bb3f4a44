"""Named predicates on (user, initiative): who may do what. The state is checked by workflow.py.

These never touch the database: an initiative's co-authors are loaded with it.
"""

from __future__ import annotations

from app.accounts import permissions as accounts
from app.accounts.models import User
from app.initiatives.models import Initiative

EDITABLE_STATES = frozenset({"draft", "returned_for_revision"})


def is_submitter(user: User | None, initiative: Initiative) -> bool:
    return accounts.is_signed_in(user) and initiative.submitter_id == user.id


def is_coauthor(user: User | None, initiative: Initiative) -> bool:
    """A co-author linked to a user account (not the submitter's own row)."""
    return accounts.is_signed_in(user) and any(
        c.user_id == user.id and not c.is_submitter for c in initiative.coauthors
    )


def is_author(user: User | None, initiative: Initiative) -> bool:
    return is_submitter(user, initiative) or is_coauthor(user, initiative)


def is_editing_author(user: User | None, initiative: Initiative) -> bool:
    """The submitter, or a linked co-author given the right to edit and submit."""
    return is_submitter(user, initiative) or (
        accounts.is_signed_in(user)
        and any(c.user_id == user.id and c.can_edit for c in initiative.coauthors)
    )


def can_edit(user: User | None, initiative: Initiative) -> bool:
    """Change the content: editing authors, while a draft or returned for revision."""
    return initiative.status in EDITABLE_STATES and is_editing_author(user, initiative)


def can_submit(user: User | None, initiative: Initiative) -> bool:
    return is_editing_author(user, initiative)


def can_screen(user: User | None, initiative: Initiative) -> bool:
    """Coordinators (and admins) take initiatives through screening, review and publication."""
    return accounts.is_coordinator(user)


def can_withdraw(user: User | None, initiative: Initiative) -> bool:
    return is_submitter(user, initiative)


def can_mark_commercialising(user: User | None, initiative: Initiative) -> bool:
    return is_submitter(user, initiative) or accounts.is_coordinator(user)


def can_manage_access(user: User | None, initiative: Initiative) -> bool:
    """Grant or revoke others' access to the confidential sections: the submitter only."""
    return is_submitter(user, initiative)


def can_compare_versions(user: User | None, initiative: Initiative) -> bool:
    """See and compare the submitted versions: the authors and coordinators."""
    return is_author(user, initiative) or accounts.is_coordinator(user)


def can_manage_taxonomy(user: User | None) -> bool:
    return accounts.is_admin(user)


def can_use_inbox(user: User | None) -> bool:
    return accounts.is_coordinator(user)
