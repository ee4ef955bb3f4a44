"""Pages of the matching domain: the owner's invitation to propose (use 1); clearing one's
viewing history (use 3, shown on the profile page by `templates/matching/_viewed.html`).

The panels themselves are includes (`templates/matching/_*.html`) fed by the page globals
`matching_*` (`app/web/page_globals.py`), so the problem, initiative, search and home pages
only add one include line each.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.db import SessionDep
from app.i18n import _
from app.matching import history, recommend
from app.problems.deps import VisibleProblem
from app.system import home
from app.web.forms import Form, back_to, submit_form

router = APIRouter()


def _suggestions(session: Session, user: User | None) -> dict[str, Any] | None:
    """Use 3 on the signed-in home; hidden when there is nothing to suggest."""
    matches = recommend.for_user(session, user) if user is not None else []
    return {"matches": matches} if matches else None


home.block("suggestions", _suggestions)


@router.post("/problems/{problem_id}/matches/{initiative_id}/invite")
def invite(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    problem: VisibleProblem,
    initiative_id: int,
    form: Form,
):
    return submit_form(
        session,
        form,
        None,
        lambda _form: recommend.invite(session, user, problem, initiative_id),
        **back_to(
            request,
            f"/problems/{problem.id}#matching-initiatives",
            _("The authors are invited to propose their initiative."),
        ),
    )


@router.post("/account/viewed/clear")
def clear_viewed(request: Request, session: SessionDep, user: CurrentUser, form: Form):
    return submit_form(
        session,
        form,
        None,
        lambda _form: history.clear(session, user, user),
        **back_to(request, "/account/profile#viewed", _("Your viewing history is cleared.")),
    )
