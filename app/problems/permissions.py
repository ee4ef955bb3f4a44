"""Named predicates on (user, problem): who may do what. The state is checked by workflow.py."""

from __future__ import annotations

from app.accounts import permissions as accounts
from app.accounts.models import Role, User
from app.problems.models import Problem, Proposal

EDITABLE_STATES = frozenset({"draft", "returned_for_revision"})


def can_post(user: User | None) -> bool:
    """Enterprises and agencies post for their organisation; coordinators post national problems."""
    if accounts.is_coordinator(user):
        return True
    return (
        user is not None
        and (accounts.has_role(user, Role.enterprise) or accounts.has_role(user, Role.agency))
        and accounts.acts_for(user, user.organisation_id)
    )


def is_owner(user: User | None, problem: Problem) -> bool:
    """May manage the problem: whoever acts for its organisation; coordinators for national ones."""
    if problem.national and accounts.is_coordinator(user):
        return True
    return accounts.acts_for(user, problem.organisation_id) and (
        accounts.has_role(user, Role.enterprise)
        or accounts.has_role(user, Role.agency)
        or accounts.is_coordinator(user)
        or (user is not None and user.id == problem.created_by_id)
    )


def can_edit(user: User | None, problem: Problem) -> bool:
    return problem.status in EDITABLE_STATES and is_owner(user, problem)


def can_moderate(user: User | None, problem: Problem) -> bool:
    return accounts.is_coordinator(user)


def can_open_directly(user: User | None, problem: Problem) -> bool:
    """A coordinator's own national problem skips moderation."""
    return problem.national and accounts.is_coordinator(user)


def is_clock(user: User | None, problem: Problem) -> bool:
    """Only the deadline job (no signed-in actor) closes a problem to proposals."""
    return user is None


def is_proposer(user: User | None, proposal: Proposal) -> bool:
    return accounts.is_signed_in(user) and user is not None and proposal.proposer_id == user.id


def can_propose(user: User | None, problem: Problem) -> bool:
    """Any signed-in user but the problem's own owners."""
    return accounts.is_signed_in(user) and not is_owner(user, problem)
