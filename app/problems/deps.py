"""Loaders that refuse in one place: a problem, proposal or question the user may not see is a 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.accounts.deps import CurrentUser, OptionalUser
from app.db import SessionDep
from app.problems import proposals as proposal_service
from app.problems import questions as question_service
from app.problems import service
from app.problems.models import Problem, ProblemQuestion, Proposal


def visible_problem(problem_id: int, session: SessionDep, user: OptionalUser) -> Problem:
    return service.get_visible(session, user, problem_id)


def visible_proposal(proposal_id: int, session: SessionDep, user: OptionalUser) -> Proposal:
    return proposal_service.get_visible(session, user, proposal_id)


def visible_question(question_id: int, session: SessionDep, user: OptionalUser) -> ProblemQuestion:
    return question_service.get_question(session, user, question_id)


VisibleProblem = Annotated[Problem, Depends(visible_problem)]


def visitor(request: Request, user: OptionalUser) -> str | None:
    """Who reads the page, for counting views (`service.count_view`): None for a HEAD request
    and for robots."""
    if request.method != "GET":
        return None
    client = request.client.host if request.client else None
    return service.visitor_key(user, client, request.headers.get("user-agent"))


Visitor = Annotated[str | None, Depends(visitor)]


def attachable_problem(session: SessionDep, user: CurrentUser, problem: VisibleProblem) -> Problem:
    """A problem the user may attach files to: checked before an upload is streamed."""
    service.ensure_can_attach(session, user, problem)
    return problem


AttachableProblem = Annotated[Problem, Depends(attachable_problem)]


def editable_problem(user: CurrentUser, problem: VisibleProblem) -> Problem:
    """A problem the user may change now: an owner's draft or one returned for revision."""
    service.ensure_can_edit(user, problem)
    return problem


EditableProblem = Annotated[Problem, Depends(editable_problem)]
VisibleProposal = Annotated[Proposal, Depends(visible_proposal)]
VisibleQuestion = Annotated[ProblemQuestion, Depends(visible_question)]
