"""Reviewer pages: invitations, conflict declaration, confidentiality, the scoring form.

Coordinator pages (rounds, assignment, ranking, decisions, rubrics) are in
coordination.py and mounted through this router.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import col, select

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _, get_language
from app.initiatives import visibility
from app.initiatives.models import Field, Initiative
from app.reviews import coordination, invitations, reviewing, rubrics, service
from app.reviews import permissions as perms
from app.reviews.deps import AssignmentDep
from app.reviews.models import AssignmentStatus
from app.reviews.schemas import (
    AcceptIn,
    ConfidentialityIn,
    DeclineIn,
    ReviewIn,
    ScoreIn,
)
from app.web.flash import flash
from app.web.forms import Form, parse_form, submit_form
from app.web.templating import nav_item, render

router = APIRouter(prefix="/reviews")
router.include_router(coordination.router)

nav_item("My reviews", "/reviews", visible=perms.is_reviewer, order=40)
nav_item("Review rounds", "/reviews/rounds", visible=perms.can_manage_reviews, order=41)


def _back(assignment_id: int, page: str = "") -> RedirectResponse:
    return RedirectResponse(f"/reviews/assignments/{assignment_id}{page}", status_code=303)


@router.get("")
def my_reviews(request: Request, session: SessionDep, user: CurrentUser):
    rows = invitations.my_assignments(session, user)
    rounds = {r.id: r for r in service.list_rounds(session)}
    titles = {
        i.id: i.title
        for i in session.exec(
            select(Initiative).where(col(Initiative.id).in_({a.initiative_id for a in rows}))
        )
    }
    return render(
        request,
        "reviews/my_reviews.html",
        {"assignments": rows, "rounds": rounds, "titles": titles},
    )


def _invitation_context(session, assignment, values=None, errors=None) -> dict:
    round = service.get_round(session, assignment.round_id)
    initiative = session.get(Initiative, assignment.initiative_id)
    field = session.get(Field, initiative.field_id) if initiative.field_id else None
    return {
        "assignment": assignment,
        "round": round,
        "field": field.name(get_language()) if field else None,
        "brief": visibility.review_brief(session, initiative, blind=round.blind),
        "values": values or {},
        "errors": errors or {},
    }


@router.get("/assignments/{assignment_id}")
def invitation(request: Request, session: SessionDep, user: CurrentUser, assignment: AssignmentDep):
    return render(request, "reviews/invitation.html", _invitation_context(session, assignment))


@router.post("/assignments/{assignment_id}/accept")
def accept(
    request: Request, session: SessionDep, user: CurrentUser, assignment: AssignmentDep, form: Form
):
    _data, errors = parse_form(AcceptIn, form)
    if errors:
        return render(
            request,
            "reviews/invitation.html",
            _invitation_context(session, assignment, dict(form), errors),
            status_code=400,
        )
    invitations.accept(session, user, assignment)
    flash(
        request, _("Thank you. Please read and accept the confidentiality undertaking."), "success"
    )
    return _back(assignment.id, "/confidentiality")


@router.post("/assignments/{assignment_id}/decline")
def decline(
    request: Request, session: SessionDep, user: CurrentUser, assignment: AssignmentDep, form: Form
):
    data, errors = parse_form(DeclineIn, form)
    if data is None:
        return render(
            request,
            "reviews/invitation.html",
            _invitation_context(session, assignment, dict(form), errors),
            status_code=400,
        )
    invitations.decline(session, user, assignment, data.reason, conflict=data.conflict)
    flash(request, _("You declined the invitation."), "info")
    return RedirectResponse("/reviews", status_code=303)


@router.get("/assignments/{assignment_id}/confidentiality")
def confidentiality_page(
    request: Request, session: SessionDep, user: CurrentUser, assignment: AssignmentDep
):
    return render(request, "reviews/confidentiality.html", _invitation_context(session, assignment))


@router.post("/assignments/{assignment_id}/confidentiality")
def confidentiality(
    request: Request, session: SessionDep, user: CurrentUser, assignment: AssignmentDep, form: Form
):
    _data, errors = parse_form(ConfidentialityIn, form)
    if errors:
        return render(
            request,
            "reviews/confidentiality.html",
            _invitation_context(session, assignment, dict(form), errors),
            status_code=400,
        )
    invitations.accept_confidentiality(session, user, assignment)
    return _back(assignment.id, "/review")


def _form_values(session, assignment) -> dict:
    review = reviewing.get_review(session, assignment)
    values: dict = {}
    for code, row in reviewing.scores_by_code(session, review).items():
        shown = "" if row.score is None else f"{row.score:g}"
        values[f"score_{code}"] = shown.replace(".", ",") if get_language() == "vi" else shown
        values[f"justification_{code}"] = row.justification
    if review is not None:
        values.update(
            recommendation=review.recommendation or "",
            comments_for_submitter=review.comments_for_submitter,
            confidential_comments=review.confidential_comments,
        )
    return values


def _review_page(request, session, user, assignment, values, errors, status_code=200):
    round = service.get_round(session, assignment.round_id)
    rubric = rubrics.get(session, round.rubric_id)
    content = reviewing.content_for_reviewer(session, user, assignment)
    review = reviewing.get_review(session, assignment)
    return render(
        request,
        "reviews/review_form.html",
        {
            "assignment": assignment,
            "round": round,
            "rubric": rubric,
            "content": content,
            "review": review,
            "values": values,
            "errors": errors,
            "editable": perms.can_edit_review(user, assignment, round),
            "language": get_language(),
        },
        status_code=status_code,
    )


@router.get("/assignments/{assignment_id}/review")
def review_form(
    request: Request, session: SessionDep, user: CurrentUser, assignment: AssignmentDep
):
    if assignment.status == AssignmentStatus.invited:
        return _back(assignment.id)
    if (
        assignment.status == AssignmentStatus.accepted
        and assignment.confidentiality_accepted_at is None
    ):
        return _back(assignment.id, "/confidentiality")
    return _review_page(request, session, user, assignment, _form_values(session, assignment), {})


def parse_review_form(form, criteria) -> tuple[ReviewIn | None, dict[str, str]]:
    """The scoring form as a ReviewIn; numbers typed with a comma (7,5) are accepted."""
    errors: dict[str, str] = {}
    scores = []
    for criterion in criteria:
        raw = str(form.get(f"score_{criterion.code}", "")).strip().replace(",", ".")
        value = None
        if raw:
            try:
                value = float(raw)
            except ValueError:
                errors[f"score_{criterion.code}"] = _("Enter a number.")
        scores.append(
            ScoreIn(
                criterion=criterion.code,
                score=value,
                justification=str(form.get(f"justification_{criterion.code}", "")),
            )
        )
    recommendation = str(form.get("recommendation", "")) or None
    if recommendation not in (None, "select", "revise", "reject"):
        errors["recommendation"] = _("Choose one of the options.")
        recommendation = None
    data = ReviewIn(
        scores=scores,
        recommendation=recommendation,
        comments_for_submitter=str(form.get("comments_for_submitter", ""))[:10000],
        confidential_comments=str(form.get("confidential_comments", ""))[:10000],
    )
    return (None if errors else data), errors


@router.post("/assignments/{assignment_id}/review")
def save_review(
    request: Request, session: SessionDep, user: CurrentUser, assignment: AssignmentDep, form: Form
):
    round = service.get_round(session, assignment.round_id)
    criteria = rubrics.get(session, round.rubric_id).criteria
    submit = form.get("action") == "submit"

    def saved(_review: object):
        flash(
            request,
            _("Your review was submitted. You can still edit it until the round closes.")
            if submit
            else _("Draft saved."),
            "success",
        )
        return _back(assignment.id, "/review")

    return submit_form(
        session,
        form,
        lambda form: parse_review_form(form, criteria),
        lambda data: reviewing.save(session, user, assignment, data, submit=submit),
        done=saved,
        again=lambda refusal: _review_page(
            request, session, user, assignment, dict(form), refusal.errors, status_code=400
        ),
        catch=ValidationFailed,
    )
