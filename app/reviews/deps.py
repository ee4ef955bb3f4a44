"""Loaders that refuse in one place: 404 for what does not exist, 403 for what is not yours."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import CoordinatorUser, CurrentUser
from app.db import SessionDep
from app.errors import NotFound, PermissionDenied
from app.i18n import _
from app.initiatives import visibility
from app.initiatives.models import Initiative
from app.reviews import invitations, rubrics, service
from app.reviews import permissions as perms
from app.reviews.models import Assignment, ReviewRound, Rubric


def valid_round(round_id: int, session: SessionDep, user: CoordinatorUser) -> ReviewRound:
    return service.get_round(session, round_id)


def valid_rubric(rubric_id: int, session: SessionDep, user: CoordinatorUser) -> Rubric:
    return rubrics.get(session, rubric_id)


def valid_item(
    round_id: int, initiative_id: int, session: SessionDep, user: CoordinatorUser
) -> Initiative:
    found = service.get_round(session, round_id)
    initiative = visibility.load(session, user, initiative_id)
    if not service.in_round(session, found, initiative_id):
        raise NotFound(_("This initiative is not in the round."))
    return initiative


def own_assignment(assignment_id: int, session: SessionDep, user: CurrentUser) -> Assignment:
    """The signed-in reviewer's own assignment; anyone else gets 403."""
    found = invitations.get_assignment(session, assignment_id)
    if not perms.is_assignee(user, found):
        raise PermissionDenied(_("This invitation is addressed to another reviewer."))
    return found


RoundDep = Annotated[ReviewRound, Depends(valid_round)]
RubricDep = Annotated[Rubric, Depends(valid_rubric)]
ItemDep = Annotated[Initiative, Depends(valid_item)]
AssignmentDep = Annotated[Assignment, Depends(own_assignment)]
