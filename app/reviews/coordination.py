"""CoordinatorUser pages: rounds, manual and automatic assignment, who is late, ranking, decisions, rubrics.

Mounted under /reviews by routes.py. Every handler parses, loads through
deps (which refuse non-coordinators), calls one service verb and renders.
"""

from __future__ import annotations

from datetime import datetime, time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col

from app.accounts.deps import CoordinatorUser
from app.accounts.models import User
from app.db import SessionDep, refuse
from app.errors import DomainError, ValidationFailed
from app.i18n import TIMEZONE, _, get_language
from app.initiatives.workflow import status_label
from app.reviews import conflicts, decisions, invitations, ranking, reviewing, rubrics, service
from app.reviews.deps import ItemDep, RoundDep, RubricDep
from app.reviews.models import Assignment, Review
from app.reviews.schemas import CriterionIn, DecisionIn, RoundIn
from app.reviews.scoring import SORT_KEYS
from app.web import confirm
from app.web.flash import flash
from app.web.forms import Form, error_message, submit_form
from app.web.templating import env, render

router = APIRouter()
env.globals.update(status_label=status_label, conflict_label=conflicts.reason_label)


def _people(session, ids) -> dict[int, User]:
    return {i: session.get(User, i) for i in set(ids)}


# -- rounds ------------------------------------------------------------------
@router.get("/rounds")
def rounds(request: Request, session: SessionDep, user: CoordinatorUser):
    return render(request, "reviews/rounds.html", {"rounds": service.list_rounds(session)})


def _round_form(request, session, values, errors, status_code=200):
    return render(
        request,
        "reviews/round_new.html",
        {
            "values": values,
            "errors": errors,
            "rubrics": rubrics.list_rubrics(session),
            "candidates": service.screening_initiatives(session),
        },
        status_code=status_code,
    )


@router.get("/rounds/new")
def new_round(
    request: Request, session: SessionDep, user: CoordinatorUser, initiative: int | None = None
):
    """The form; `?initiative=` ticks that initiative (the initiative page's "Send to review")."""
    return _round_form(
        request,
        session,
        {
            "reviews_wanted": 3,
            "max_load": 5,
            "disagreement_threshold": 2,
            "blind": "1",
            "initiative_ids": [str(initiative)] if initiative else [],
        },
        {},
    )


def _round_from(form) -> tuple[RoundIn | None, dict[str, str]]:
    errors: dict[str, str] = {}
    data = None
    try:
        due = datetime.combine(
            datetime.strptime(str(form.get("due_at", "")), "%Y-%m-%d").date(),
            time(23, 59),
            tzinfo=TIMEZONE,
        )
    except ValueError:
        due, errors["due_at"] = None, _("Enter a valid date.")
    try:
        data = RoundIn(
            name=form.get("name", ""),
            rubric_id=form.get("rubric_id") or None,
            due_at=due or datetime.now(),
            reviews_wanted=form.get("reviews_wanted") or 3,
            blind=bool(form.get("blind")),
            max_load=form.get("max_load") or 5,
            disagreement_threshold=str(form.get("disagreement_threshold") or 2).replace(",", "."),
            initiative_ids=form.getlist("initiative_ids"),
        )
    except ValidationError as exc:
        for error in exc.errors():
            errors.setdefault(".".join(str(p) for p in error["loc"]), error_message(error))
    return (None if errors else data), errors


@router.post("/rounds/new")
def create_round(request: Request, session: SessionDep, user: CoordinatorUser, form: Form):
    values: dict[str, object] = {k: form.get(k) for k in form}
    values["initiative_ids"] = form.getlist("initiative_ids")

    def opened(created):
        flash(request, _("The round is open; its initiatives are now in review."), "success")
        return RedirectResponse(f"/reviews/rounds/{created.id}", status_code=303)

    return submit_form(
        session,
        form,
        _round_from,
        lambda data: service.open_round(session, user, data),
        done=opened,
        again=lambda refusal: _round_form(request, session, values, refusal.errors, 400),
        catch=ValidationFailed,
    )


@router.get("/rounds/{round_id}")
def round_page(request: Request, session: SessionDep, user: CoordinatorUser, round: RoundDep):
    items = service.round_initiatives(session, round)
    rows = service.assignments_for(session, round)
    late = {a.id for a in invitations.overdue(session, round)}
    return render(
        request,
        "reviews/round.html",
        {
            "round": round,
            "items": items,
            "assignments": rows,
            "late": late,
            "people": _people(session, [a.reviewer_id for a in rows]),
            "rubric": rubrics.get(session, round.rubric_id),
            "decided": decisions.decisions_for(session, round),
            "screening": service.screening_initiatives(session),
        },
    )


@router.post("/rounds/{round_id}/items")
def add_item(
    request: Request, session: SessionDep, user: CoordinatorUser, round: RoundDep, form: Form
):
    """Add an initiative in screening to this open round: the only way into review."""
    raw = str(form.get("initiative_id") or "")
    if not raw.isdigit():
        flash(request, _("Choose an initiative."), "error")
        return RedirectResponse(f"/reviews/rounds/{round.id}#add", status_code=303)
    service.add_to_round(session, user, round, [int(raw)])
    flash(request, _("The initiative is in review in this round."), "success")
    back = str(form.get("next") or "")
    if not back.startswith("/initiatives/"):
        back = f"/reviews/rounds/{round.id}"
    return RedirectResponse(back, status_code=303)


@router.post("/rounds/{round_id}/auto-assign")
def auto_assign(request: Request, session: SessionDep, user: CoordinatorUser, round: RoundDep):
    result = service.auto_assign(session, user, round)
    return render(
        request,
        "reviews/auto_assign.html",
        {
            "round": round,
            "result": result,
            "people": _people(session, [a.reviewer_id for a in result.created]),
            "titles": {i.id: i.title for i in service.round_initiatives(session, round)},
        },
    )


@router.post("/rounds/{round_id}/close")
def close(
    request: Request, session: SessionDep, user: CoordinatorUser, round: RoundDep, form: Form
):
    if not confirm.confirmed(form):
        flash(request, confirm.missing()[confirm.FIELD], "error")
        return RedirectResponse(f"/reviews/rounds/{round.id}#close", status_code=303)
    service.close_round(session, user, round)
    flash(request, _("The round is closed."), "info")
    return RedirectResponse(f"/reviews/rounds/{round.id}", status_code=303)


@router.get("/rounds/{round_id}/items/{initiative_id}/assign")
def candidates(
    request: Request, session: SessionDep, user: CoordinatorUser, round: RoundDep, item: ItemDep
):
    return render(
        request,
        "reviews/assign.html",
        {"round": round, "item": item, "candidates": service.candidates(session, round, item)},
    )


@router.post("/rounds/{round_id}/items/{initiative_id}/assign")
def assign(
    request: Request,
    session: SessionDep,
    user: CoordinatorUser,
    round: RoundDep,
    item: ItemDep,
    form: Form,
):
    chosen = str(form.get("reviewer_id") or "")
    reviewer = session.get(User, int(chosen)) if chosen.isdigit() else None
    if reviewer is None:
        flash(request, _("Choose a reviewer."), "error")
        return RedirectResponse(request.url.path, status_code=303)
    service.assign(session, user, round, item, reviewer)
    flash(request, _("%(name)s was invited.", name=reviewer.full_name), "success")
    return RedirectResponse(request.url.path, status_code=303)


# -- ranking -----------------------------------------------------------------
@router.get("/rounds/{round_id}/ranking")
def ranking_page(
    request: Request,
    session: SessionDep,
    user: CoordinatorUser,
    round: RoundDep,
    sort: str = "calibrated",
    order: str = "desc",
    format: str = "html",
):
    sort = sort if sort in SORT_KEYS else "calibrated"
    result = ranking.ranking(session, round, sort, order != "asc")
    if format == "csv":
        return Response(
            ranking.to_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="ranking-{round.id}.csv"'},
        )
    if format == "xlsx":
        return Response(
            ranking.to_xlsx(result),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="ranking-{round.id}.xlsx"'},
        )
    return render(
        request,
        "reviews/ranking.html",
        {
            "round": round,
            "result": result,
            "sort": sort,
            "order": order,
            "method": ranking.method_text(),
            "language": get_language(),
            "decided": decisions.decisions_for(session, round),
        },
    )


# -- decisions ---------------------------------------------------------------
def _decision_page(request, session, round, item, values, errors, status_code=200):
    from sqlmodel import select

    rows = session.exec(
        select(Review, Assignment)
        .join(Assignment, col(Assignment.id) == col(Review.assignment_id))
        .where(Assignment.round_id == round.id, Assignment.initiative_id == item.id)
        .order_by(col(Review.id))
    ).all()
    return render(
        request,
        "reviews/decide.html",
        {
            "round": round,
            "item": item,
            "reviews": [(r, a, reviewing.scores_by_code(session, r)) for r, a in rows],
            "people": _people(session, [a.reviewer_id for _r, a in rows]),
            "criteria": rubrics.get(session, round.rubric_id).criteria,
            "language": get_language(),
            "decision": decisions.decisions_for(session, round).get(item.id),
            "submitted_reviews": decisions.submitted_reviews(session, round, item),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/rounds/{round_id}/items/{initiative_id}/decide")
def decision_form(
    request: Request, session: SessionDep, user: CoordinatorUser, round: RoundDep, item: ItemDep
):
    return _decision_page(request, session, round, item, {}, {})


@router.post("/rounds/{round_id}/items/{initiative_id}/decide")
def decide(
    request: Request,
    session: SessionDep,
    user: CoordinatorUser,
    round: RoundDep,
    item: ItemDep,
    form: Form,
):
    values = {k: form.get(k) for k in ("outcome", "rationale", "override_reason")}
    try:
        data = DecisionIn(initiative_id=item.id, **values)
    except ValidationError as exc:
        errors = {str(e["loc"][0]): error_message(e) for e in exc.errors()}
        if not confirm.confirmed(form):
            errors.update(confirm.missing())
        return _decision_page(request, session, round, item, values, errors, status_code=400)
    if not confirm.confirmed(form):
        return _decision_page(
            request, session, round, item, values, confirm.missing(), status_code=400
        )
    try:
        decisions.decide(
            session, user, round, item, data.outcome, data.rationale, data.override_reason
        )
    except DomainError as exc:
        if not exc.errors:
            raise
        refuse(session)
        return _decision_page(request, session, round, item, values, exc.errors, status_code=400)
    flash(request, _("Decision recorded; the submitter is notified."), "success")
    return RedirectResponse(f"/reviews/rounds/{round.id}/ranking", status_code=303)


# -- rubrics -----------------------------------------------------------------
@router.get("/rubrics")
def rubric_list(request: Request, session: SessionDep, user: CoordinatorUser):
    items = rubrics.list_rubrics(session)
    return render(
        request,
        "reviews/rubrics.html",
        {
            "rubrics": items,
            "in_use": {r.id: rubrics.in_use(session, r) for r in items},
            "language": get_language(),
        },
    )


def _criteria_from(form) -> tuple[list[CriterionIn], dict[str, str]]:
    criteria: list[CriterionIn] = []
    errors: dict[str, str] = {}
    for k in range(int(form.get("rows") or 0)):
        code = str(form.get(f"code_{k}", "")).strip()
        if not code:
            continue
        try:
            criteria.append(
                CriterionIn(
                    code=code,
                    name_vi=form.get(f"name_vi_{k}", ""),
                    name_en=form.get(f"name_en_{k}", ""),
                    description_vi=form.get(f"description_vi_{k}", ""),
                    description_en=form.get(f"description_en_{k}", ""),
                    weight=str(form.get(f"weight_{k}") or 1).replace(",", "."),
                    scale_min=form.get(f"scale_min_{k}") or 0,
                    scale_max=form.get(f"scale_max_{k}") or 10,
                )
            )
        except ValidationError as exc:
            for e in exc.errors():
                errors.setdefault(f"{e['loc'][0]}_{k}", error_message(e))
    return criteria, errors


def _rubric_page(request, session, rubric, values, errors, status_code=200):
    rows = list(rubric.criteria) if rubric else []
    return render(
        request,
        "reviews/rubric.html",
        {
            "rubric": rubric,
            "criteria": rows,
            "rows": len(rows) + 2,
            "values": values,
            "errors": errors,
            "in_use": rubrics.in_use(session, rubric) if rubric else False,
        },
        status_code=status_code,
    )


@router.get("/rubrics/new")
def rubric_new(request: Request, session: SessionDep, user: CoordinatorUser):
    return _rubric_page(request, session, None, {}, {})


@router.get("/rubrics/{rubric_id}")
def rubric_page(request: Request, session: SessionDep, user: CoordinatorUser, rubric: RubricDep):
    return _rubric_page(request, session, rubric, {}, {})


def _save_rubric(request, session, user, rubric, form):
    criteria, errors = _criteria_from(form)
    name = str(form.get("name", "")).strip()
    if not name:
        errors["name"] = _("This field is required.")
    description = str(form.get("description", ""))

    def save(_form):
        if rubric is None:
            return rubrics.create_rubric(
                session, user, name=name, criteria=criteria, description=description
            )
        rubrics.update_rubric(
            session, user, rubric, name=name, criteria=criteria, description=description
        )
        return rubric

    def saved(saved_rubric):
        flash(request, _("Rubric saved."), "success")
        return RedirectResponse(f"/reviews/rubrics/{saved_rubric.id}", status_code=303)

    return submit_form(
        session,
        form,
        lambda form: (None if errors else form, errors),
        save,
        done=saved,
        again=lambda refusal: _rubric_page(
            request, session, rubric, dict(form), refusal.on("criteria"), status_code=400
        ),
        catch=ValidationFailed,
    )


@router.post("/rubrics/new")
def rubric_create(request: Request, session: SessionDep, user: CoordinatorUser, form: Form):
    return _save_rubric(request, session, user, None, form)


@router.post("/rubrics/{rubric_id}")
def rubric_update(
    request: Request, session: SessionDep, user: CoordinatorUser, rubric: RubricDep, form: Form
):
    return _save_rubric(request, session, user, rubric, form)


@router.post("/rubrics/{rubric_id}/versions")
def rubric_version(request: Request, session: SessionDep, user: CoordinatorUser, rubric: RubricDep):
    copy = rubrics.new_version(session, user, rubric)
    flash(request, _("Version %(n)s created; you can change it.", n=copy.version), "success")
    return RedirectResponse(f"/reviews/rubrics/{copy.id}", status_code=303)
