"""Finding published problems: the listing's words and facets, evaluated on the database.

Problems are not (yet) a document kind of the search engines; until they are, this finder
serves the listing, its facets and the API with the same accent folding (`search.text.fold`),
reading public fields only. `matches` tests one problem against a saved listing query, so a
subscription to a problem search means exactly what the listing shows.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlmodel import Session, col, select

from app.accounts.models import Organisation
from app.initiatives.models import Field
from app.problems import workflow
from app.problems.models import Problem
from search.text import fold

FACETS = ("status", "funding_mode", "field", "scope", "province", "trl", "budget", "owner_type")
QUERY_CHARS, FILTER_CHARS = 200, 100

BUDGET_BANDS: dict[str, tuple[int, int | None]] = {
    "under_1b": (0, 1_000_000_000),
    "1b_5b": (1_000_000_000, 5_000_000_000),
    "over_5b": (5_000_000_000, None),
}


def budget_band(problem: Problem) -> str | None:
    """The band of the problem's maximum (or minimum) budget."""
    amount = problem.budget_max if problem.budget_max is not None else problem.budget_min
    if amount is None:
        return None
    for name, (low, high) in BUDGET_BANDS.items():
        if amount >= low and (high is None or amount < high):
            return name
    return None


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


def find_public(
    session: Session, query: str = "", filters: dict[str, str] | None = None
) -> tuple[list[Problem], dict[str, dict[str, int]]]:
    """Open and awarded problems matching every word of `query` (accents optional) and each filter,
    with facet counts over the query's matches (each facet ignoring its own filter)."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    words = fold(query).split()
    matching = [
        (p, _facet_values(session, p))
        for p in public_list(session, limit=1000, states=workflow.SEARCHABLE_STATES)
        if all(w in _public_text(session, p) for w in words)
    ]
    facets: dict[str, dict[str, int]] = {}
    for name in FACETS:
        counts: dict[str, int] = {}
        for _p, values in matching:
            if _passes(values, filters, skip=name):
                for v in values.get(name, []):
                    counts[v] = counts.get(v, 0) + 1
        facets[name] = dict(sorted(counts.items()))
    return [p for p, values in matching if _passes(values, filters)], facets
