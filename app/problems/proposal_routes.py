"""A proposal's page: its private thread, the owners' selection (shortlist, decline with a
reason) and the proposer's withdrawal.

Every form runs through `submit_form`: bad input or a refused verb rolls back and shows the
proposal again with the message (`_again_on_proposal`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import CurrentUser, Form
from app.db import SessionDep
from app.i18n import _
from app.problems import labels, visibility
from app.problems import permissions as perms
from app.problems import proposals as proposal_service
from app.problems.deps import (
    VisibleProposal,
)
from app.problems.models import Proposal
from app.problems.schemas import (
    MessageIn,
    ProposalDeclineIn,
    ProposalWithdrawIn,
)
from app.web import confirm
from app.web.flash import flash
from app.web.forms import Refusal, parse_form, submit_form
from app.web.templating import render

router = APIRouter()  # mounted under /problems by routes.py


# -- a proposal and its thread -------------------------------------------------
def proposal_link(proposal: Proposal, anchor: str = "") -> str:
    return f"/problems/proposals/{proposal.id}{anchor}"


def _proposal_page(
    request: Request,
    session: Session,
    user: Any,
    proposal: Proposal,
    errors=None,
    status_code=200,
):
    problem = proposal_service.problem_of(session, proposal)
    return render(
        request,
        "problems/proposal.html",
        {
            "problem": problem,
            "proposal": visibility.proposal_view(session, user, problem, proposal),
            "owner": perms.is_owner(user, problem),
            "selecting": perms.is_owner(user, problem)
            and problem.status in proposal_service.SELECTION_STATES,
            "can_withdraw": perms.is_proposer(user, proposal)
            and problem.status in proposal_service.SELECTION_STATES
            and proposal.status in proposal_service.WITHDRAWABLE,
            "history": proposal_service.history_view(session, proposal),
            "thread": proposal_service.thread(session, user, proposal),
            "decline_reasons": list(labels.decline_labels().items()),
            "errors": errors or {},
            **labels.all_labels(),
        },
        status_code=status_code,
    )


def _again_on_proposal(
    request: Request, session: Session, user: Any, proposal: Proposal
) -> Callable[[Refusal], Response]:
    return lambda refusal: _proposal_page(
        request, session, user, proposal, errors=refusal.errors, status_code=refusal.status
    )


@router.get("/proposals/{proposal_id}")
def proposal_page(
    request: Request, session: SessionDep, user: CurrentUser, proposal: VisibleProposal
):
    return _proposal_page(request, session, user, proposal)


@router.post("/proposals/{proposal_id}/messages")
def post_message(
    request: Request, session: SessionDep, user: CurrentUser, proposal: VisibleProposal, form: Form
):
    return submit_form(
        session,
        form,
        MessageIn,
        lambda data: proposal_service.post_message(session, user, proposal, data),
        done=lambda _message: RedirectResponse(proposal_link(proposal, "#thread"), status_code=303),
        again=_again_on_proposal(request, session, user, proposal),
    )


@router.post("/proposals/{proposal_id}/shortlist")
def shortlist(
    request: Request, session: SessionDep, user: CurrentUser, proposal: VisibleProposal, form: Form
):
    return submit_form(
        session,
        form,
        None,
        lambda _form: proposal_service.shortlist(session, user, proposal),
        done=lambda _shortlisted: RedirectResponse(proposal_link(proposal), status_code=303),
        again=_again_on_proposal(request, session, user, proposal),
    )


@router.post("/proposals/{proposal_id}/decline")
def decline(
    request: Request, session: SessionDep, user: CurrentUser, proposal: VisibleProposal, form: Form
):
    return submit_form(
        session,
        form,
        ProposalDeclineIn,
        lambda data: proposal_service.decline(session, user, proposal, data),
        done=lambda _declined: RedirectResponse(proposal_link(proposal), status_code=303),
        again=_again_on_proposal(request, session, user, proposal),
    )


def _parse_withdrawal(form: Any) -> tuple[ProposalWithdrawIn | None, dict[str, str]]:
    if not confirm.confirmed(form):
        return None, confirm.missing()
    return parse_form(ProposalWithdrawIn, form)


@router.post("/proposals/{proposal_id}/withdraw")
def withdraw(
    request: Request, session: SessionDep, user: CurrentUser, proposal: VisibleProposal, form: Form
):
    def withdrawn(_proposal: Proposal):
        flash(request, _("Your proposal is withdrawn; the owners were told."), "success")
        return RedirectResponse(proposal_link(proposal), status_code=303)

    return submit_form(
        session,
        form,
        _parse_withdrawal,
        lambda data: proposal_service.withdraw(session, user, proposal, data),
        done=withdrawn,
        again=_again_on_proposal(request, session, user, proposal),
    )
