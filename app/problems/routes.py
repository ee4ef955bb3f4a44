"""Problem statement pages: the public listing and problem page (with the non-disclosure gate,
public questions and the proposal form), "my problems" with figures, and the award.
The posting form and files page are in `posting_routes.py`, a proposal's page (thread,
shortlist, decline, withdrawal) in `proposal_routes.py`; both are mounted here.

Handlers are plain functions: parse, load through deps, call one service verb, render or redirect.
Every form runs through `submit_form`: bad input or a refused verb rolls back and shows the same
page again with the message (`_again_on_page`, `_again_on_proposal`); not-found and permission
refusals are the shared error pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.accounts import permissions as accounts
from app.accounts.deps import CurrentUser, Form, OptionalUser
from app.catalogue import problem_index
from app.catalogue import service as catalogue_service
from app.db import SessionDep
from app.i18n import _
from app.initiatives import permissions as initiative_perms
from app.initiatives.downloads import file_response
from app.initiatives.models import CoAuthor, Initiative
from app.problems import (
    finder,
    labels,
    posting_routes,
    proposal_routes,
    service,
    visibility,
    workflow,
)
from app.problems import permissions as perms
from app.problems import proposals as proposal_service
from app.problems import questions as question_service
from app.problems.deps import (
    VisibleProblem,
    VisibleQuestion,
    Visitor,
)
from app.problems.models import Problem
from app.problems.schemas import (
    AnswerIn,
    AwardIn,
    ProblemProposalIn,
    QuestionIn,
    ReasonIn,
)
from app.web.flash import flash
from app.web.forms import Refusal, submit_form
from app.web.templating import nav_item, render

router = APIRouter(prefix="/problems")
# The posting form's "/new" before "/{problem_id}".
router.include_router(posting_routes.router)
nav_item("Problems", "/problems", order=35)
nav_item("My problems", "/problems/mine", visible=perms.can_post, order=36)


def _link(problem_id: int | None) -> str:
    return f"/problems/{problem_id}"


def _labels() -> dict[str, Any]:
    return labels.all_labels()


# -- listing and my problems ---------------------------------------------------
@router.get("")
def listing(request: Request, session: SessionDep, user: OptionalUser):
    query, filters = finder.read_query(request.query_params)
    found = problem_index.find(session, query, filters)
    views = [visibility.full_view(session, p) for p in found.problems]
    return render(
        request,
        "problems/list.html",
        {
            "problems": views,
            "q": query,
            "notice": catalogue_service.relaxed_notice(query, found.ignored),
            "filters": filters,
            "facets": found.facets,
            "facet_names": labels.facet_titles(),
            "facet_value": labels.facet_labeller(session),
            "can_post": perms.can_post(user),
            "facet_url": lambda name, value: (
                "?" + finder.query_string(query, {**filters, name: value})
            ),
            "subscribe_url": "/subscriptions/new?subject=problems&"
            + urlencode({"query": finder.query_string(query, filters)}),
            **_labels(),
        },
    )


@router.get("/mine")
def mine(request: Request, session: SessionDep, user: CurrentUser):
    rows = [
        {"problem": p, "figures": service.figures(session, p)} for p in service.mine(session, user)
    ]
    proposals = [
        {"proposal": p, "problem": proposal_service.problem_of(session, p)}
        for p in proposal_service.my_proposals(session, user)
    ]
    to_moderate = service.to_moderate(session) if accounts.is_coordinator(user) else []
    return render(
        request,
        "problems/mine.html",
        {
            "rows": rows,
            "proposals": proposals,
            "to_moderate": to_moderate,
            "can_post": perms.can_post(user),
            **_labels(),
        },
    )


# -- the problem page ------------------------------------------------------------
def _my_initiatives(session: Session, user: Any) -> list[tuple[int, str]]:
    if user is None:
        return []
    coauthored = select(CoAuthor.initiative_id).where(CoAuthor.user_id == user.id)
    found = session.exec(
        select(Initiative)
        .where((Initiative.submitter_id == user.id) | col(Initiative.id).in_(coauthored))
        .order_by(col(Initiative.id))
    )
    return [
        (i.id, i.title) for i in found if i.id is not None and initiative_perms.is_author(user, i)
    ]


def _page(
    request: Request,
    session: Session,
    user: Any,
    problem: Problem,
    errors=None,
    values=None,
    status_code=200,
):
    view = visibility.visible_view(session, user, problem)
    manager = visibility.is_manager(user, problem)
    proposals = [
        visibility.proposal_view(session, user, problem, p)
        for p in proposal_service.proposals_of(session, user, problem)
    ]
    return render(
        request,
        "problems/page.html",
        {
            "problem": problem,
            "view": view,
            "manager": manager,
            "owner": perms.is_owner(user, problem),
            "editable": perms.can_edit(user, problem),
            "nda_required": visibility.must_accept_nda(session, user, problem),
            "nda_text": service.nda_text(problem),
            "transitions": workflow.available(user, problem),
            "questions": question_service.questions(session, user, problem),
            "proposals": proposals,
            "can_propose": problem.status in proposal_service.ANSWERABLE_STATES
            and perms.can_propose(user, problem)
            and not any(
                p.proposer_id == user.id
                for p in proposal_service.proposals_of(session, user, problem)
            ),
            "initiatives": _my_initiatives(session, user),
            "figures": service.figures(session, problem) if manager else None,
            "decline_reasons": list(labels.decline_labels().items()),
            "errors": errors or {},
            "values": values or {},
            "signed_in": accounts.is_signed_in(user),
            **_labels(),
        },
        status_code=status_code,
    )


def _again_on_page(
    request: Request, session: Session, user: Any, problem: Problem, form: Any = None
) -> Callable[[Refusal], Response]:
    """The problem page again with a refusal's messages (and what was typed, if `form`)."""
    return lambda refusal: _page(
        request,
        session,
        user,
        problem,
        errors=refusal.errors,
        values=dict(form) if form is not None else None,
        status_code=refusal.status,
    )


def _stage_changed(request: Request, problem: Problem) -> Response:
    flash(
        request,
        _("Stage changed: %(stage)s.", stage=workflow.status_label(problem.status)),
        "success",
    )
    return RedirectResponse(_link(problem.id), status_code=303)


@router.get("/{problem_id}")
def page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    problem: VisibleProblem,
    visitor: Visitor,
):
    service.count_view(session, user, problem, visitor)
    return _page(request, session, user, problem)


@router.post("/{problem_id}/submit")
def submit(
    request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem, form: Form
):
    return submit_form(
        session,
        form,
        None,
        lambda _form: service.submit(session, user, problem),
        done=lambda _submitted: _stage_changed(request, problem),
        again=_again_on_page(request, session, user, problem),
    )


@router.post("/{problem_id}/transition")
def transition(
    request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem, form: Form
):
    return submit_form(
        session,
        form,
        ReasonIn,
        lambda data: workflow.transition(
            session, problem, str(form.get("to") or ""), actor=user, reason=data.reason
        ),
        done=lambda _event: _stage_changed(request, problem),
        again=_again_on_page(request, session, user, problem),
    )


@router.post("/{problem_id}/nda")
def accept_nda(
    request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem, form: Form
):
    return submit_form(
        session,
        form,
        None,
        lambda _form: service.accept_nda(session, user, problem),
        done=lambda _access: RedirectResponse(_link(problem.id) + "#details", status_code=303),
        again=_again_on_page(request, session, user, problem),
    )


@router.get("/{problem_id}/attachments/{attachment_id}")
def download(session: SessionDep, user: OptionalUser, problem: VisibleProblem, attachment_id: int):
    attachment: Any = service.attachment_for_download(session, user, problem, attachment_id)
    return file_response(attachment)


@router.post("/{problem_id}/questions")
def ask(
    request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem, form: Form
):
    def sent(_question: Any):
        flash(
            request,
            _("Your question was sent. It appears here once the owners answer it."),
            "success",
        )
        return RedirectResponse(_link(problem.id) + "#questions", status_code=303)

    return submit_form(
        session,
        form,
        QuestionIn,
        lambda data: question_service.ask(session, user, problem, data),
        done=sent,
        again=_again_on_page(request, session, user, problem, form),
    )


@router.post("/questions/{question_id}/answer")
def answer(
    request: Request, session: SessionDep, user: CurrentUser, question: VisibleQuestion, form: Form
):
    problem = service.get_visible(session, user, question.problem_id)
    return submit_form(
        session,
        form,
        AnswerIn,
        lambda data: question_service.answer(session, user, question, data),
        done=lambda _answered: RedirectResponse(_link(problem.id) + "#questions", status_code=303),
        again=_again_on_page(request, session, user, problem),
    )


@router.post("/{problem_id}/proposals")
def propose(
    request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem, form: Form
):
    def sent(proposal: Any):
        flash(request, _("Your proposal was sent to the problem's owners."), "success")
        return RedirectResponse(proposal_routes.proposal_link(proposal), status_code=303)

    return submit_form(
        session,
        form,
        ProblemProposalIn,
        lambda data: proposal_service.propose(session, user, problem, data),
        done=sent,
        again=_again_on_page(request, session, user, problem, form),
    )


@router.post("/{problem_id}/award")
def award(
    request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem, form: Form
):
    return submit_form(
        session,
        form,
        _parse_award,
        lambda data: proposal_service.award(session, user, problem, data),
        done=lambda _awarded: _stage_changed(request, problem),
        again=_again_on_page(request, session, user, problem),
    )


def _parse_award(form: Any) -> tuple[AwardIn | None, dict[str, str]]:
    ids = [
        int(str(v)) for v in form.getlist("proposal_ids") if str(v).isdigit() and len(str(v)) < 10
    ]
    try:
        return AwardIn(proposal_ids=ids), {}
    except ValidationError:
        return None, {"proposal_ids": _("Choose proposals of this problem that are not declined.")}


router.include_router(proposal_routes.router)
