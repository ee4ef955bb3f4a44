"""Loaders that refuse in one place: a problem, proposal or question the user may not see is a 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import CurrentUser, OptionalUser
from app.db import SessionDep
from app.problems import service
from app.problems.models import Problem, ProblemQuestion, Proposal


def visible_problem(problem_id: int, session: SessionDep, user: OptionalUser) -> Problem:
    return service.get_visible(session, user, problem_id)


def visible_proposal(proposal_id: int, session: SessionDep, user: OptionalUser) -> Proposal:
    return service.get_visible_proposal(session, user, proposal_id)


def visible_question(question_id: int, session: SessionDep, user: OptionalUser) -> ProblemQuestion:
    return service.get_question(session, user, question_id)


VisibleProblem = Annotated[Problem, Depends(visible_problem)]


def attachable_problem(session: SessionDep, user: CurrentUser, problem: VisibleProblem) -> Problem:
    """A problem the user may attach files to: checked before an upload is streamed."""
    service.ensure_can_attach(session, user, problem)
    return problem


AttachableProblem = Annotated[Problem, Depends(attachable_problem)]
VisibleProposal = Annotated[Proposal, Depends(visible_proposal)]
VisibleQuestion = Annotated[ProblemQuestion, Depends(visible_question)]
