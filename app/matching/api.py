"""The JSON side of matching: every use with its reasons.

- `GET /problems/{id}/matches` (owners), `POST /problems/{id}/matches/{initiative_id}/invite`;
- `GET /initiatives/{id}/problem-matches` (authors);
- `GET /me/suggestions` ("Gợi ý cho bạn"); `GET /me/viewed`, `DELETE /me/viewed` (the
  caller's own viewing history, which feeds them);
- `GET /initiatives/{id}/near-duplicates` (coordinators, and the initiative's authors);
- `GET /matching/search?q=` (public: "có thể bạn quan tâm", cross-lingual, with the catalogue's
  facet filters).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from app.accounts.deps import CurrentUser
from app.catalogue.schemas import SearchParams
from app.db import SessionDep
from app.errors import PermissionDenied
from app.i18n import _
from app.initiatives.deps import VisibleInitiative
from app.matching import history, recommend
from app.matching import permissions as perms
from app.problems.deps import VisibleProblem
from app.web.api import PROBLEMS, public

router = APIRouter(tags=["matching"])


def _out(matches: list[recommend.Match]) -> list[dict[str, Any]]:
    return [m.as_json() for m in matches]


@router.get("/problems/{problem_id}/matches", responses=PROBLEMS)
def problem_matches(
    session: SessionDep, user: CurrentUser, problem: VisibleProblem, same_field: bool = False
) -> dict:
    """Published initiatives that could answer the problem, with reasons (owners only, 403);
    `same_field=true` keeps only the problem's field (a local problem always keeps to its
    provinces)."""
    matches = recommend.initiatives_for_problem(session, user, problem, same_field=same_field)
    return {"matches": _out(matches), "invited": sorted(recommend.invited(session, problem))}


@router.post(
    "/problems/{problem_id}/matches/{initiative_id}/invite", status_code=201, responses=PROBLEMS
)
def invite(
    session: SessionDep, user: CurrentUser, problem: VisibleProblem, initiative_id: int
) -> dict:
    """Invite the authors of a published initiative to propose (409 when already invited or
    the problem no longer takes proposals)."""
    row = recommend.invite(session, user, problem, initiative_id)
    return {"id": row.id, "problem_id": row.problem_id, "initiative_id": row.initiative_id}


@router.get("/initiatives/{initiative_id}/problem-matches", responses=PROBLEMS)
def initiative_matches(
    session: SessionDep, user: CurrentUser, initiative: VisibleInitiative, same_field: bool = False
) -> dict:
    """Open problems the initiative could answer, with reasons (its authors only, 403)."""
    found = recommend.problems_for_initiative(session, user, initiative, same_field=same_field)
    return {"matches": _out(found)}


@router.get("/me/suggestions", responses=PROBLEMS)
def suggestions(session: SessionDep, user: CurrentUser) -> dict:
    """ "Gợi ý cho bạn": initiatives close to what you contacted or search for."""
    return {"matches": _out(recommend.for_user(session, user))}


@router.get("/me/viewed", responses=PROBLEMS)
def viewed(session: SessionDep, user: CurrentUser) -> dict:
    """The published initiatives you opened while signed in, newest first: used only for
    your own suggestions, seen by nobody else."""
    return {
        "viewed": [
            {"id": v.id, "title": v.title, "url": v.url, "viewed_at": v.viewed_at.isoformat()}
            for v in history.history(session, user, user)
        ]
    }


@router.delete("/me/viewed", responses=PROBLEMS)
def clear_viewed(session: SessionDep, user: CurrentUser) -> dict:
    """Forget what you viewed (your suggestions no longer follow it)."""
    return {"cleared": history.clear(session, user, user)}


@router.get("/initiatives/{initiative_id}/near-duplicates", responses=PROBLEMS)
def near_duplicates(session: SessionDep, user: CurrentUser, initiative: VisibleInitiative) -> dict:
    """Published initiatives of others very close in meaning, found when this one was
    submitted (public sections only), for coordinators and the initiative's authors (403
    for anyone else)."""
    if not (perms.can_see_duplicates(user) or perms.can_see_close_published(user, initiative)):
        raise PermissionDenied(_("Only the initiative's authors and coordinators see this."))
    return {"matches": _out(recommend.near_duplicates(session, user, initiative.id))}


@router.get("/matching/search", responses={422: PROBLEMS[422]})
@public
def semantic_search(
    request: Request, session: SessionDep, q: str = Query("", max_length=500)
) -> dict:
    """Published initiatives close in meaning to `q` (any language the model knows), with the
    catalogue's facet parameters as hard filters; empty without a model."""
    params = SearchParams.from_query(request.query_params)
    filters = recommend.search_filters(params.filters)
    return {"matches": _out(recommend.semantic_search(session, q, filters))}
