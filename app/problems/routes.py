"""Problem statement pages: the public listing and problem page (with the non-disclosure gate,
public questions and the proposal form), "my problems" with figures, the posting and draft
editing form, the confidential files page, the owners' selection (shortlist, decline with a
reason, award), the proposer's withdrawal and each proposal's private thread.

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
from app.errors import PermissionDenied
from app.i18n import _
from app.initiatives import permissions as initiative_perms
from app.initiatives.downloads import file_response
from app.initiatives.models import CoAuthor, Field, Initiative
from app.problems import finder, labels, service, visibility, workflow
from app.problems import permissions as perms
from app.problems import proposals as proposal_service
from app.problems import questions as question_service
from app.problems.deps import (
    AttachableProblem,
    EditableProblem,
    VisibleProblem,
    VisibleProposal,
    VisibleQuestion,
    Visitor,
)
from app.problems.models import Problem, Proposal
from app.problems.schemas import (
    AnswerIn,
    AwardIn,
    MessageIn,
    ProblemIn,
    ProblemProposalIn,
    ProposalDeclineIn,
    ProposalWithdrawIn,
    QuestionIn,
    ReasonIn,
)
from app.storage import FormUpload
from app.system.provinces import PROVINCES
from app.web import confirm
from app.web.flash import flash
from app.web.forms import Refusal, error_message, parse_form, submit_form
from app.web.templating import nav_item, render

router = APIRouter(prefix="/problems")
nav_item("Problems", "/problems", order=35)
nav_item("My problems", "/problems/mine", visible=perms.can_post, order=36)


def _link(problem_id: int | None) -> str:
    return f"/problems/{problem_id}"


def _labels() -> dict[str, Any]:
    return labels.all_labels()


def _errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "__all__"
        errors.setdefault(name, error_message(error))
    return errors


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
        "scopes": list(labels.scope_labels().items()),
        "fundings": list(labels.funding_labels().items()),
        "ip_options": list(labels.ip_labels().items()),
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


def _problem_form(
    request: Request,
    session: Session,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    problem: Problem | None = None,
):
    """The posting form, or the same form editing `problem` (a draft or one returned)."""
    return render(
        request,
        "problems/form.html",
        {"values": values, "errors": errors, "problem": problem, **_form_options(session)},
        status_code=status_code,
    )


def _values_of(session: Session, problem: Problem) -> dict[str, Any]:
    """The form's values for an existing problem (one outcome on the form, as when posting)."""
    codes = {
        f.id: f.code
        for f in session.exec(
            select(Field).where(col(Field.id).in_([problem.field_id, problem.subfield_id]))
        )
    }
    outcome = problem.outcomes[0] if problem.outcomes else {}
    values: dict[str, Any] = {
        name: "" if getattr(problem, name) is None else str(getattr(problem, name))
        for name in (
            "title",
            "abstract",
            "pain",
            "affected",
            "workaround",
            "details",
            "scope",
            "sector",
            "target_trl",
            "budget_min",
            "budget_max",
            "funding_mode",
            "delivery_months",
            "ip_terms",
        )
    }
    values.update(
        field_code=codes.get(problem.field_id or 0, ""),
        subfield_code=codes.get(problem.subfield_id or 0, ""),
        deadline=problem.deadline.isoformat(),
        provinces=list(problem.provinces),
        outcome_indicator=outcome.get("indicator", ""),
        outcome_unit=outcome.get("unit", ""),
        outcome_target=outcome.get("target", ""),
    )
    return values


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
    )


@router.get("/{problem_id}/edit")
def edit_form(request: Request, session: SessionDep, user: CurrentUser, problem: EditableProblem):
    return _problem_form(request, session, _values_of(session, problem), {}, problem=problem)


@router.post("/{problem_id}/edit")
def update(
    request: Request, session: SessionDep, user: CurrentUser, problem: EditableProblem, form: Form
):
    def saved(_problem: Problem):
        flash(request, _("The changes are saved."), "success")
        return RedirectResponse(_link(problem.id), status_code=303)

    return submit_form(
        session,
        form,
        _parse_problem,
        lambda data: service.update(session, user, problem, data),
        done=saved,
        again=lambda refusal: _problem_form(
            request,
            session,
            _problem_values(form),
            refusal.errors,
            status_code=refusal.status,
            problem=problem,
        ),
    )


# -- confidential files ---------------------------------------------------------
UPLOAD_ERROR = "problem_upload_error"  # session key: why the last upload was refused


def _files_url(problem: Problem) -> str:
    return f"/problems/{problem.id}/files"


@router.get("/{problem_id}/files")
def files(request: Request, session: SessionDep, user: CurrentUser, problem: EditableProblem):
    """The owners' page of the problem's confidential files: upload and remove (while editable)."""
    refused = request.session.pop(UPLOAD_ERROR, None)
    return render(
        request,
        "problems/files.html",
        {
            "problem": problem,
            "attachments": service.attachments_of(session, problem),
            "errors": {"file": refused} if refused else {},
            "max_files": service.MAX_ATTACHMENTS,
        },
    )


@router.post("/{problem_id}/files")
def upload(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    problem: AttachableProblem,
    received: FormUpload,
):
    """Multipart, streamed; the CSRF token is the form's first field (`app.web.csrf`)."""
    if received.refused or not received.files:
        request.session[UPLOAD_ERROR] = received.refused or _("Choose a file to attach.")
        return RedirectResponse(_files_url(problem) + "#f-file", status_code=303)
    service.add_attachments(session, user, problem, received.files)
    flash(request, _("File attached."), "success")
    return RedirectResponse(_files_url(problem), status_code=303)


@router.post("/{problem_id}/files/{attachment_id}/delete")
def delete_file(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    problem: EditableProblem,
    attachment_id: int,
):
    service.delete_attachment(session, user, problem, attachment_id)
    flash(request, _("File removed."), "success")
    return RedirectResponse(_files_url(problem), status_code=303)


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
        return RedirectResponse(_proposal_link(proposal), status_code=303)

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


# -- a proposal and its thread -------------------------------------------------
def _proposal_link(proposal: Proposal, anchor: str = "") -> str:
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
            **_labels(),
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
        done=lambda _message: RedirectResponse(
            _proposal_link(proposal, "#thread"), status_code=303
        ),
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
        done=lambda _shortlisted: RedirectResponse(_proposal_link(proposal), status_code=303),
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
        done=lambda _declined: RedirectResponse(_proposal_link(proposal), status_code=303),
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
        return RedirectResponse(_proposal_link(proposal), status_code=303)

    return submit_form(
        session,
        form,
        _parse_withdrawal,
        lambda data: proposal_service.withdraw(session, user, proposal, data),
        done=withdrawn,
        again=_again_on_proposal(request, session, user, proposal),
    )
