"""Problem statement pages: the public listing and problem page (with the non-disclosure gate,
public questions and the proposal form), "my problems" with figures, the posting form, the
owners' selection (shortlist, decline with a reason, award) and each proposal's private thread.

Handlers are plain functions: parse, load through deps, call one service verb, render or redirect.
Forms run through `submit_form`: bad input or a refused verb (`ValidationFailed`) rolls back and
re-renders the form with the messages (400); other refusals are the shared error pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.accounts import permissions as accounts
from app.accounts.deps import CurrentUser, Form, OptionalUser
from app.catalogue import problem_index
from app.catalogue import service as catalogue_service
from app.db import SessionDep
from app.errors import PermissionDenied, ValidationFailed
from app.i18n import _
from app.initiatives import permissions as initiative_perms
from app.initiatives.downloads import file_response
from app.initiatives.models import CoAuthor, Field, Initiative
from app.problems import permissions as perms
from app.problems import service, visibility, workflow
from app.problems.deps import VisibleProblem, VisibleProposal, VisibleQuestion
from app.problems.models import DeclineReason, FundingMode, IpTerms, Problem, Scope
from app.problems.schemas import (
    AnswerIn,
    AwardIn,
    MessageIn,
    ProblemIn,
    ProblemProposalIn,
    ProposalDeclineIn,
    QuestionIn,
)
from app.system.provinces import PROVINCES
from app.web.flash import flash
from app.web.forms import error_message, submit_form
from app.web.templating import nav_item, render

router = APIRouter(prefix="/problems")
nav_item("Problems", "/problems", order=35)
nav_item("My problems", "/problems/mine", visible=perms.can_post, order=36)


def _link(problem_id: int | None) -> str:
    return f"/problems/{problem_id}"


def _labels() -> dict[str, Any]:
    return {
        "status_label": workflow.status_label,
        "funding_label": service.funding_label,
        "ip_label": service.ip_label,
        "scope_label": service.scope_label,
        "decline_label": service.decline_label,
        "proposal_status_label": service.proposal_status_label,
    }


def _errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "__all__"
        errors.setdefault(name, error_message(error))
    return errors


# -- listing and my problems ---------------------------------------------------
@router.get("")
def listing(request: Request, session: SessionDep, user: OptionalUser):
    params = request.query_params
    query = (params.get("q") or "")[:200]
    filters = {name: (params.get(name) or "")[:100] for name in FACETS}
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
            "facet_names": _facet_titles(),
            "facet_value": _facet_label,
            "facet_url": lambda name, value: (
                "?"
                + urlencode({k: v for k, v in {"q": query, **filters, name: value}.items() if v})
            ),
            **_labels(),
        },
    )


FACETS = ("status", "funding_mode", "field", "scope", "province", "trl", "budget", "owner_type")


def _facet_titles() -> dict[str, str]:
    return {
        "status": _("Stage"),
        "funding_mode": _("Funding mode"),
        "field": _("Field"),
        "scope": _("Scope"),
        "province": _("Provinces"),
        "trl": _("Target technology readiness level (TRL)"),
        "budget": _("Budget (VND)"),
        "owner_type": _("Posted by"),
    }


def _facet_label(name: str, value: str) -> str:
    if name == "status":
        return workflow.status_label(value)
    if name == "funding_mode":
        return service.funding_label(value)
    if name == "scope":
        return service.scope_label(value)
    if name == "budget":
        return {
            "under_1b": _("Under 1 billion"),
            "1b_5b": _("1 to 5 billion"),
            "over_5b": _("Over 5 billion"),
        }.get(value, value)
    if name == "owner_type":
        return {"national": _("National")}.get(value) or value
    return value


@router.get("/mine")
def mine(request: Request, session: SessionDep, user: CurrentUser):
    rows = [
        {"problem": p, "figures": service.figures(session, p)} for p in service.mine(session, user)
    ]
    proposals = [
        {"proposal": p, "problem": service.problem_of(session, p)}
        for p in service.my_proposals(session, user)
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


# -- posting -------------------------------------------------------------------
def _form_options(session: Session) -> dict[str, Any]:
    fields = session.exec(select(Field).where(Field.is_active).order_by(col(Field.position)))
    tops: list[tuple[str, str]] = []
    subs: list[tuple[str, str]] = []
    for f in fields:
        (tops if f.parent_id is None else subs).append((f.code, f.name_vi))
    return {
        "fields": tops,
        "subfields": subs,
        "provinces": [(p, p) for p in PROVINCES],
        "scopes": [(s.value, service.scope_label(s)) for s in Scope],
        "fundings": [(m.value, service.funding_label(m)) for m in FundingMode],
        "ip_options": [(t.value, service.ip_label(t)) for t in IpTerms],
        "trls": [(str(i), str(i)) for i in range(1, 10)],
    }


def _problem_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: (form.get(k) or "").strip()
        for k in (
            "title",
            "abstract",
            "pain",
            "affected",
            "workaround",
            "details",
            "field_code",
            "subfield_code",
            "scope",
            "sector",
            "target_trl",
            "budget_min",
            "budget_max",
            "funding_mode",
            "deadline",
            "delivery_months",
            "ip_terms",
            "outcome_indicator",
            "outcome_unit",
            "outcome_target",
        )
    }
    values["provinces"] = [p for p in form.getlist("provinces") if p]
    return values


def _problem_in(values: dict[str, Any]) -> ProblemIn:
    data = {k: v for k, v in values.items() if not k.startswith("outcome_") and v not in ("", None)}
    if values.get("outcome_indicator"):
        data["outcomes"] = [
            {
                "indicator": values["outcome_indicator"],
                "unit": values.get("outcome_unit") or "",
                "target": values.get("outcome_target") or "",
            }
        ]
    data.setdefault("deadline", "")
    return ProblemIn.model_validate(data)


def _parse_problem(form: Any) -> tuple[ProblemIn | None, dict[str, str]]:
    try:
        return _problem_in(_problem_values(form)), {}
    except ValidationError as exc:
        return None, _errors(exc)


def _problem_form(request: Request, session: Session, values, errors, status_code=200):
    return render(
        request,
        "problems/form.html",
        {"values": values, "errors": errors, **_form_options(session)},
        status_code=status_code,
    )


@router.get("/new")
def new_form(request: Request, session: SessionDep, user: CurrentUser):
    if not perms.can_post(user):
        raise PermissionDenied(
            _("Only enterprises, state agencies and coordinators can post problems.")
        )
    return _problem_form(request, session, {"scope": "national", "funding_mode": "state_order"}, {})


@router.post("/new")
def create(request: Request, session: SessionDep, user: CurrentUser, form: Form):
    def saved(problem: Problem):
        flash(request, _("The draft is saved. Submit it when it is ready."), "success")
        return RedirectResponse(_link(problem.id), status_code=303)

    return submit_form(
        session,
        form,
        _parse_problem,
        lambda data: service.create(session, user, data),
        done=saved,
        again=lambda refusal: _problem_form(
            request, session, _problem_values(form), refusal.errors, status_code=refusal.status
        ),
        catch=ValidationFailed,
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
        for p in service.proposals_of(session, user, problem)
    ]
    return render(
        request,
        "problems/page.html",
        {
            "problem": problem,
            "view": view,
            "manager": manager,
            "owner": perms.is_owner(user, problem),
            "nda_required": visibility.must_accept_nda(session, user, problem),
            "nda_text": service.nda_text(problem),
            "transitions": workflow.available(user, problem),
            "questions": service.questions(session, user, problem),
            "proposals": proposals,
            "can_propose": problem.status in service.ANSWERABLE_STATES
            and perms.can_propose(user, problem)
            and not any(
                p.proposer_id == user.id for p in service.proposals_of(session, user, problem)
            ),
            "initiatives": _my_initiatives(session, user),
            "figures": service.figures(session, problem) if manager else None,
            "decline_reasons": [(r.value, service.decline_label(r)) for r in DeclineReason],
            "errors": errors or {},
            "values": values or {},
            "signed_in": accounts.is_signed_in(user),
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/{problem_id}")
def page(request: Request, session: SessionDep, user: OptionalUser, problem: VisibleProblem):
    service.view_page(session, user, problem)
    return _page(request, session, user, problem)


@router.post("/{problem_id}/submit")
def submit(request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem):
    service.submit(session, user, problem)
    flash(
        request,
        _("Stage changed: %(stage)s.", stage=workflow.status_label(problem.status)),
        "success",
    )
    return RedirectResponse(_link(problem.id), status_code=303)


@router.post("/{problem_id}/transition")
def transition(
    request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem, form: Form
):
    target = str(form.get("to") or "")
    reason = str(form.get("reason") or "")
    return submit_form(
        session,
        form,
        None,
        lambda _form: workflow.transition(session, problem, target, actor=user, reason=reason),
        done=lambda _event: _stage_changed(request, problem),
        again=lambda refusal: _page(
            request, session, user, problem, errors=refusal.errors, status_code=refusal.status
        ),
        catch=ValidationFailed,
    )


def _stage_changed(request: Request, problem: Problem):
    flash(
        request,
        _("Stage changed: %(stage)s.", stage=workflow.status_label(problem.status)),
        "success",
    )
    return RedirectResponse(_link(problem.id), status_code=303)


@router.post("/{problem_id}/nda")
def accept_nda(request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem):
    service.accept_nda(session, user, problem)
    return RedirectResponse(_link(problem.id) + "#details", status_code=303)


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
        lambda data: service.ask(session, user, problem, data),
        done=sent,
        again=lambda refusal: _page(
            request,
            session,
            user,
            problem,
            errors=refusal.errors,
            values=dict(form),
            status_code=refusal.status,
        ),
        catch=ValidationFailed,
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
        lambda data: service.answer(session, user, question, data),
        done=lambda _answered: RedirectResponse(_link(problem.id) + "#questions", status_code=303),
        again=lambda refusal: _page(
            request, session, user, problem, errors=refusal.errors, status_code=refusal.status
        ),
        catch=ValidationFailed,
    )


@router.post("/{problem_id}/proposals")
def propose(
    request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem, form: Form
):
    def sent(proposal: Any):
        flash(request, _("Your proposal was sent to the problem's owners."), "success")
        return RedirectResponse(f"/problems/proposals/{proposal.id}", status_code=303)

    return submit_form(
        session,
        form,
        ProblemProposalIn,
        lambda data: service.propose(session, user, problem, data),
        done=sent,
        again=lambda refusal: _page(
            request,
            session,
            user,
            problem,
            errors=refusal.errors,
            values=dict(form),
            status_code=refusal.status,
        ),
        catch=ValidationFailed,
    )


@router.post("/{problem_id}/award")
def award(
    request: Request, session: SessionDep, user: CurrentUser, problem: VisibleProblem, form: Form
):
    return submit_form(
        session,
        form,
        _parse_award,
        lambda data: service.award(session, user, problem, data),
        done=lambda _awarded: _stage_changed(request, problem),
        again=lambda refusal: _page(
            request, session, user, problem, errors=refusal.errors, status_code=refusal.status
        ),
        catch=ValidationFailed,
    )


def _parse_award(form: Any) -> tuple[AwardIn | None, dict[str, str]]:
    ids = [
        int(str(v)) for v in form.getlist("proposal_ids") if str(v).isdigit() and len(str(v)) < 10
    ]
    try:
        return AwardIn(proposal_ids=ids), {}
    except ValidationError:
        return None, {"proposal_ids": _("Choose proposals of this problem that are not declined.")}


# -- a proposal and its thread -------------------------------------------------
def _proposal_page(
    request: Request, session: Session, user: Any, proposal: Any, errors=None, status_code=200
):
    problem = service.problem_of(session, proposal)
    return render(
        request,
        "problems/proposal.html",
        {
            "problem": problem,
            "proposal": visibility.proposal_view(session, user, problem, proposal),
            "owner": perms.is_owner(user, problem),
            "selecting": perms.is_owner(user, problem)
            and problem.status in service.SELECTION_STATES,
            "thread": service.thread(session, user, proposal),
            "decline_reasons": [(r.value, service.decline_label(r)) for r in DeclineReason],
            "errors": errors or {},
            **_labels(),
        },
        status_code=status_code,
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
        lambda data: service.post_message(session, user, proposal, data),
        done=lambda _message: RedirectResponse(
            f"/problems/proposals/{proposal.id}#thread", status_code=303
        ),
        again=lambda refusal: _proposal_page(
            request, session, user, proposal, errors=refusal.errors, status_code=refusal.status
        ),
        catch=ValidationFailed,
    )


@router.post("/proposals/{proposal_id}/shortlist")
def shortlist(request: Request, session: SessionDep, user: CurrentUser, proposal: VisibleProposal):
    service.shortlist(session, user, proposal)
    return RedirectResponse(f"/problems/proposals/{proposal.id}", status_code=303)


@router.post("/proposals/{proposal_id}/decline")
def decline(
    request: Request, session: SessionDep, user: CurrentUser, proposal: VisibleProposal, form: Form
):
    return submit_form(
        session,
        form,
        ProposalDeclineIn,
        lambda data: service.decline(session, user, proposal, data),
        done=lambda _declined: RedirectResponse(
            f"/problems/proposals/{proposal.id}", status_code=303
        ),
        again=lambda refusal: _proposal_page(
            request, session, user, proposal, errors=refusal.errors, status_code=refusal.status
        ),
        catch=ValidationFailed,
    )
