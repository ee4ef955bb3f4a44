"""The problems listing's query string, and saved listing queries matched on the database.

The listing and the API search the engines (`app.catalogue.problem_index.find`); this module
holds the listing's query string (`read_query`, `query_string`, `parse_query_string`) and
`matches`, which tests one newly opened problem against a saved listing query on the database
(every word, accents optional via `search.text.fold`, public fields only, and each facet filter),
for problem subscriptions. It is stricter than the engine (no synonyms or typo tolerance); asking
the engine per problem, as `app.subscriptions.matching.SavedSearches` does for initiatives, is
the next step.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlmodel import Session, col, select

from app.accounts.models import Organisation
from app.initiatives.models import Field
from app.problems import workflow
from app.problems.models import Problem
from app.problems.service import budget_band, deadline_band
from search.text import fold

FACETS = (
    "status",
    "funding_mode",
    "field",
    "scope",
    "province",
    "trl",
    "budget",
    "deadline",
    "owner_type",
)
QUERY_CHARS, FILTER_CHARS = 200, 100


def _facet_values(session: Session, problem: Problem) -> dict[str, list[str]]:
    field = session.get(Field, problem.field_id) if problem.field_id else None
    organisation = (
        session.get(Organisation, problem.organisation_id) if problem.organisation_id else None
    )
    band = budget_band(problem)
    return {
        "status": [problem.status],
        "field": [field.code] if field else [],
        "scope": [problem.scope],
        "province": list(problem.provinces),
        "funding_mode": [problem.funding_mode],
        "trl": [str(problem.target_trl)] if problem.target_trl else [],
        "budget": [band] if band else [],
        "deadline": [deadline_band(problem)],
        "owner_type": ["national"]
        if problem.national
        else ([str(organisation.type)] if organisation else []),
    }


def _public_text(session: Session, problem: Problem) -> str:
    """The words a query matches: public fields only (never the confidential details)."""
    organisation = (
        session.get(Organisation, problem.organisation_id) if problem.organisation_id else None
    )
    parts = [
        problem.title,
        problem.abstract,
        problem.pain,
        problem.affected,
        " ".join(problem.provinces),
        problem.sector or "",
        organisation.name if organisation else "",
    ]
    return fold(" ".join(parts))


def public_list(
    session: Session, *, limit: int = 100, states: frozenset[str] = workflow.PUBLIC_STATES
) -> list[Problem]:
    return list(
        session.exec(
            select(Problem)
            .where(col(Problem.status).in_([str(s) for s in states]))
            .order_by(col(Problem.opened_at).desc(), col(Problem.id).desc())
            .limit(limit)
        )
    )


def read_query(params: object) -> tuple[str, dict[str, str]]:
    """The words and facet filters of a listing query (a request's query parameters or a
    parsed query string), bounded in length."""
    get = params.get  # type: ignore[attr-defined]
    query = (get("q") or "")[:QUERY_CHARS]
    return query, {name: (get(name) or "")[:FILTER_CHARS] for name in FACETS}


def query_string(query: str, filters: dict[str, str]) -> str:
    """The canonical query string of a listing search (what a saved search stores)."""
    items = [("q", query.strip())] + [(name, filters.get(name, "")) for name in FACETS]
    return urlencode([(k, v) for k, v in items if v])


def parse_query_string(text: str) -> tuple[str, dict[str, str]]:
    return read_query(dict(parse_qsl(text.lstrip("?"))))


def _passes(values: dict[str, list[str]], filters: dict[str, str], skip: str | None = None) -> bool:
    return all(v in values.get(k, []) for k, v in filters.items() if v and k != skip)


def matches(session: Session, problem: Problem, saved: str) -> bool:
    """Whether `problem` is among the results of the saved listing query `saved`."""
    query, filters = parse_query_string(saved)
    words = fold(query).split()
    return all(w in _public_text(session, problem) for w in words) and _passes(
        _facet_values(session, problem), filters
    )
