"""Problem statement pages for their owners: the posting and draft editing form, and the
confidential files page (while a draft or returned for revision).

Handlers are plain functions: parse, load through deps, call one service verb, render or redirect.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.accounts.deps import CurrentUser, Form
from app.db import SessionDep
from app.errors import PermissionDenied
from app.i18n import _
from app.initiatives.models import Field
from app.problems import labels, service
from app.problems import permissions as perms
from app.problems.deps import (
    AttachableProblem,
    EditableProblem,
)
from app.problems.models import Problem
from app.problems.schemas import (
    ProblemIn,
)
from app.problems.tasks import link
from app.storage import FormUpload
from app.system.provinces import PROVINCES
from app.web.flash import flash
from app.web.forms import error_message, submit_form
from app.web.templating import render

router = APIRouter()  # mounted under /problems by routes.py


def _errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "__all__"
        errors.setdefault(name, error_message(error))
    return errors


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
        return RedirectResponse(link(problem.id), status_code=303)

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
        return RedirectResponse(link(problem.id), status_code=303)

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
