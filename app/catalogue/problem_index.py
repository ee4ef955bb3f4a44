"""Problem statements in the search engine: the second document kind.

Only open and awarded problems (`problems.workflow.SEARCHABLE_STATES`) are
indexed, and only from the attributes named in `DOCUMENT_SOURCES`, checked at
import against the problem's public fields (`problems.visibility.PUBLIC_FIELDS`):
the confidential details can never reach the index. The engine's own schema
(`search.documents.PROBLEM_SCHEMA`) refuses any other field as well.

`PROBLEMS` describes the kind to `catalogue.indexing`, which keeps its index equal
to the database as it does the initiatives' (`indexing.sync` on every transition,
app/catalogue/tasks.py; `indexing.reindex`, `check` and `repair` behind `portal
reindex` and `portal search-check`). `find` is the public problem search of the
listing page and the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

import search
from app.accounts.models import Organisation
from app.catalogue import indexing
from app.catalogue import service as catalogue_service
from app.i18n import TIMEZONE, _
from app.initiatives.models import Field
from app.problems import service as problems_service
from app.problems import visibility
from app.problems.models import Problem
from app.problems.workflow import SEARCHABLE_STATES, today_in_vietnam

# Problem attributes a search document is built from; each must be public.
DOCUMENT_SOURCES = frozenset(
    {
        "id",
        "status",
        "title",
        "abstract",
        "pain",
        "affected",
        "sector",
        "field",
        "subfield",
        "scope",
        "provinces",
        "target_trl",
        "budget_min",
        "budget_max",
        "funding_mode",
        "deadline",
        "ip_terms",
        "organisation",
        "national",
        "opened_at",
    }
)
if not DOCUMENT_SOURCES <= visibility.PUBLIC_FIELDS:  # pragma: no cover - a guard
    raise RuntimeError(
        "problem search documents would expose non-public fields: "
        f"{sorted(DOCUMENT_SOURCES - visibility.PUBLIC_FIELDS)}"
    )

KIND = "problems"
# The listing's facet names (URL parameters) → the index's fields.
FACETS: dict[str, str] = {
    "status": "status",
    "field": "field_code",
    "scope": "scope",
    "province": "provinces",
    "funding_mode": "funding_mode",
    "trl": "target_trl",
    "budget": "budget_band",
    "owner_type": "owner_type",
}
# The deadline facet is a band of days left (`problems.service.DEADLINE_BANDS`), asked as a range.
DEADLINE = "deadline"
LIMIT = 200


def _micros(moment) -> int:
    return int(moment.timestamp() * 1_000_000)


def document_version(problem: Problem) -> int:
    """Grows with every change: each transition and edit stamps `updated_at`."""
    return max(_micros(problem.updated_at), _micros(problem.stage_entered_at))


def _timestamp(day: date) -> int:
    return int(datetime.combine(day, time(23, 59, 59), TIMEZONE).timestamp())


def deadline_range(band: str, today: date) -> tuple[int | None, int | None] | None:
    """The indexed deadlines (end of the day, Vietnam time) of a band; None for no such band."""
    if band not in problems_service.DEADLINE_BANDS:
        return None
    first, last = problems_service.DEADLINE_BANDS[band]
    return (
        None if first is None else _timestamp(today + timedelta(days=first)),
        None if last is None else _timestamp(today + timedelta(days=last)),
    )


def document_for(session: Session, problem: Problem | None) -> dict[str, Any] | None:
    """The search document of a searchable problem, or None if it must not be indexed."""
    if problem is None or problem.status not in SEARCHABLE_STATES or problem.id is None:
        return None
    fld = session.get(Field, problem.field_id) if problem.field_id else None
    sub = session.get(Field, problem.subfield_id) if problem.subfield_id else None
    org = session.get(Organisation, problem.organisation_id) if problem.organisation_id else None
    doc = {
        "id": str(problem.id),
        "status": str(problem.status),
        "title": problem.title,
        "summary": problem.abstract,
        "pain": problem.pain,
        "affected": problem.affected,
        "sector": problem.sector,
        "field_code": fld.code if fld else None,
        "field_name": fld.name_vi if fld else None,
        "subfield_code": sub.code if sub else None,
        "subfield_name": sub.name_vi if sub else None,
        "scope": str(problem.scope),
        "provinces": [p for p in problem.provinces if isinstance(p, str) and p.strip()],
        "target_trl": problem.target_trl,
        "budget_min": problem.budget_min,
        "budget_max": problem.budget_max,
        "budget_band": problems_service.budget_band(problem),
        "funding_mode": str(problem.funding_mode),
        "deadline": _timestamp(problem.deadline),  # the end of the day, Vietnam time
        "ip_terms": str(problem.ip_terms),
        "organisation": org.name if org else None,
        "owner_type": "national" if problem.national else (str(org.type) if org else None),
        "opened_at": int(problem.opened_at.timestamp()) if problem.opened_at else None,
        "version": document_version(problem),
    }
    return {k: v for k, v in doc.items() if v not in (None, "")}


PROBLEMS = indexing.DocumentKind(
    KIND,
    Problem,
    frozenset(str(s) for s in SEARCHABLE_STATES),
    document_for,
    document_version,
    "open or awarded",
)


def engine(session: Session | None = None) -> search.Engine:
    return indexing.engine(session, kind=KIND)


@dataclass
class Found:
    problems: list[Problem]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()  # typed words left out (search/matching.py)


def _facet_counts(raw: Mapping[Any, int]) -> dict[str, int]:
    return {str(k): v for k, v in sorted(raw.items(), key=lambda kv: str(kv[0]))}


def find(session: Session, query: str = "", filters: Mapping[str, str] | None = None) -> Found:
    """The public problem search (`_find`); an engine that cannot answer is a 503 with a clear
    message for the visitor (`catalogue.service.SearchUnavailable`), never a 500."""
    try:
        return _find(session, query, filters)
    except (search.SearchUnavailable, OSError) as exc:
        raise catalogue_service.SearchUnavailable(
            _("Search is temporarily unavailable. Please try again in a few minutes.")
        ) from exc


def _find(session: Session, query: str, filters: Mapping[str, str] | None) -> Found:
    """Open and awarded problems matching `query` (accents optional, relaxed as initiatives are)
    and every filter, newest first without words; with facet counts where each facet counts the
    matches of the query and the OTHER filters (so a chosen value's alternatives stay visible)."""
    chosen = {name: value for name, value in (filters or {}).items() if value and name in FACETS}
    today = today_in_vietnam()
    band = (filters or {}).get(DEADLINE) or ""
    within = deadline_range(band, today) if band else None

    def neutral(skip: str | None = None) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for name, value in chosen.items():
            if name == skip:
                continue
            if FACETS[name] == "target_trl":
                if not value.isdigit():
                    return {"id": ["-"]}  # nothing has that TRL
                out[FACETS[name]] = [int(value)]
            else:
                out[FACETS[name]] = [value]
        return out

    eng = engine(session)
    text = query.strip()

    def ask(
        skip: str | None,
        facets: tuple[str, ...],
        limit: int,
        deadline: tuple[int | None, int | None] | None = None,
    ) -> search.Result:
        flt = neutral(skip)
        if skip != DEADLINE and band and within is None:
            flt = {"id": ["-"]}  # no such band
        if "id" in flt:
            return search.Result([], 0, {f: {} for f in facets})
        span = deadline if skip == DEADLINE else within
        return eng.search(
            search.Query(
                text=text,
                filters=flt,
                ranges={DEADLINE: span} if span else {},
                facets=facets,
                sort=None if text else [("opened_at", "desc")],
                limit=limit,
                highlight=False,
            )
        )

    unchosen = tuple(FACETS[n] for n in FACETS if n not in chosen)
    result = ask(None, unchosen, LIMIT)
    by_field = dict(result.facets)
    for name in chosen:
        by_field.update(ask(name, (FACETS[name],), 1).facets)
    rows = {
        p.id: p
        for p in session.exec(
            select(Problem).where(col(Problem.id).in_([int(h.id) for h in result.hits]))
        )
    }
    # The database has the last word: a problem closed a moment ago is not shown.
    problems = [
        rows[int(h.id)]
        for h in result.hits
        if int(h.id) in rows and rows[int(h.id)].status in SEARCHABLE_STATES
    ]
    facets = {name: _facet_counts(by_field.get(FACETS[name], {})) for name in FACETS}
    bands = {}
    for name in problems_service.DEADLINE_BANDS:
        span = deadline_range(name, today)
        if (count := ask(DEADLINE, (), 1, span).total) or name == band:
            bands[name] = count
    facets[DEADLINE] = bands  # in the bands' order: soonest first
    return Found(problems, result.total, facets, result.ignored)
