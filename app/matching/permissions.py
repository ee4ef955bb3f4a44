"""Who sees which matches (pure predicates; the loaders decide what exists)."""

from __future__ import annotations

from app.accounts import permissions as accounts
from app.accounts.models import User
from app.initiatives import permissions as initiative_perms
from app.initiatives.models import Initiative
from app.problems import permissions as problem_perms
from app.problems.models import Problem
from app.problems.workflow import Status as ProblemStatus


def can_see_problem_matches(user: User | None, problem: Problem) -> bool:
    """Use 1: the matching initiatives of a problem, for its owners."""
    return problem_perms.is_owner(user, problem)


def can_invite(user: User | None, problem: Problem) -> bool:
    """An owner may invite authors to propose while the problem takes proposals."""
    return problem_perms.is_owner(user, problem) and problem.status == ProblemStatus.open


def can_see_initiative_matches(user: User | None, initiative: Initiative) -> bool:
    """Use 2: the open problems an initiative could answer, for its authors."""
    return initiative_perms.is_author(user, initiative)


def can_see_duplicates(user: User | None) -> bool:
    """Use 5: near-duplicates found by the vectors, for coordinators."""
    return accounts.is_coordinator(user)


def can_see_viewing_history(user: User | None, owner: User) -> bool:
    """Use 3: what a person viewed is theirs alone (not even coordinators see it)."""
    return accounts.is_signed_in(user) and user.id == owner.id


def can_see_close_published(user: User | None, initiative: Initiative) -> bool:
    """Use 5 for the authors: the PUBLISHED initiatives of others the worker found very close
    in meaning to their own (public sections only; a coordinator sees them too)."""
    return initiative_perms.is_author(user, initiative)
