"""The history as SQL: stage passages (entered at an event, left at the next, by LEAD) with the
target in force, and each initiative's first entry into each stage. The figures' grouped
queries read these; on PostgreSQL they are written once into temporary tables first."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, and_, case, cast, column, func, literal_column, or_, table
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlmodel import col

from app.db import UTCDateTime
from app.initiatives.models import Initiative, InitiativeEvent
from app.initiatives.workflow import Status
from app.reports.scope import Scope
from app.reports.targets import target_spans

# Stages whose entries are counted ("reached") and whose current occupants are counted ("now").
REACHED = (
    "submitted",
    "screening",
    "in_review",
    "selected",
    "rejected",
    "published",
    "commercialising",
)
CURRENT = (
    "submitted",
    "screening",
    "in_review",
    "returned_for_revision",
    "selected",
    "published",
    "commercialising",
)
# Stages a coordinator or committee is responsible for: each may have a target.
CLOCKED = (Status.submitted, Status.screening, Status.in_review, Status.selected)
PUBLISHED = ("published", "commercialising")
REACHED_SET, CURRENT_SET = frozenset(REACHED), frozenset(CURRENT)
SECONDS_PER_DAY = 86400.0
STREAM_ROWS = 5000  # rows fetched at a time from the larger grouped results
_temporary_names = itertools.count(1)


def scoped(query: Any, scope: Scope, joined: bool = False) -> Any:
    """Limit a query over `initiative_event` to the scope's initiatives."""
    if scope.is_all:
        return query
    if not joined:
        query = query.join(Initiative, col(Initiative.id) == col(InitiativeEvent.initiative_id))
    if scope.field_ids:
        query = query.where(col(Initiative.field_id).in_(scope.field_ids))
    if scope.provinces:
        query = query.where(col(Initiative.province).in_(scope.provinces))
    return query


# Vietnam keeps UTC+7 without daylight saving (as `calendar.local_date` assumes): a fixed
# offset from UTC is cheaper in PostgreSQL than a time zone lookup per row.
_PLUS_7: Any = literal_column("INTERVAL '7 hours'")


def local_day(dialect: str, moment: Any) -> Any:
    """The date in Vietnam of a UTC timestamp column, in SQL (as `local_date` does)."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", moment) + _PLUS_7, Date)
    return func.date(moment, "+7 hours")  # SQLite keeps naive UTC text


def local_month(dialect: str, moment: Any) -> Any:
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", moment) + _PLUS_7, "YYYY-MM")
    return func.strftime("%Y-%m", moment, "+7 hours")


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _spells(end: datetime, scope: Scope) -> Any:
    """Every stage passage before `end`: entered at an event, left at the next one (or open)."""
    left_at = func.lead(col(InitiativeEvent.created_at), type_=UTCDateTime()).over(
        partition_by=col(InitiativeEvent.initiative_id), order_by=col(InitiativeEvent.seq)
    )
    query = sa_select(
        col(InitiativeEvent.initiative_id).label("initiative_id"),
        col(InitiativeEvent.to_status).label("stage"),
        col(InitiativeEvent.created_at).label("entered"),
        left_at.label("left_at"),
    ).where(col(InitiativeEvent.created_at) < end)
    return scoped(query, scope).subquery("spells")


def _in_force(spells: Any, spans: Any) -> Any:
    """The join condition: the target in force when the passage was entered."""
    return and_(
        spans.c.stage == spells.c.stage,
        spans.c.valid_from <= spells.c.entered,
        or_(spans.c.valid_to.is_(None), spells.c.entered < spans.c.valid_to),
    )


def flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def sources(conn: Any, end: datetime, scope: Scope) -> tuple[Any, Any]:
    """The stage passages (each with its end, by LEAD) and each initiative's first entry
    into each stage, as subqueries the figure queries read. (Filling temporary tables
    with them instead measured no faster on PostgreSQL at a million events.)"""
    dialect = conn.dialect.name
    spells, spans = _spells(end, scope), target_spans()
    timed = spans.c.id.is_not(None)
    passages = sa_select(
        spells.c.initiative_id,
        spells.c.stage,
        spells.c.entered,
        spells.c.left_at,
        spans.c.id.label("target_id"),
        case((timed, local_day(dialect, spells.c.entered)), else_=None).label("entered_day"),
        case((timed, local_day(dialect, spells.c.left_at)), else_=None).label("left_day"),
    ).select_from(spells.outerjoin(spans, _in_force(spells, spans)))
    event = InitiativeEvent
    firsts = scoped(
        sa_select(
            col(event.initiative_id).label("initiative_id"),
            *(
                func.min(case((col(event.to_status) == stage, col(event.created_at)))).label(
                    f"first_{stage}"
                )
                for stage in REACHED
            ),
        )
        .where(col(event.created_at) < end, col(event.to_status).in_(REACHED))
        .group_by(col(event.initiative_id)),
        scope,
    )
    return passages.subquery("figures_passages"), firsts.subquery("figures_firsts")


class _CreateTemporary(Executable, ClauseElement):
    """CREATE TEMPORARY TABLE … AS SELECT (SQLAlchemy's documented compiler recipe)."""

    inherit_cache = False

    def __init__(self, name: str, query: Any) -> None:
        self.name, self.query = name, query


@compiles(_CreateTemporary)
def _create_temporary(element: _CreateTemporary, compiler: Any, **kw: Any) -> str:
    query = compiler.process(element.query, **kw)
    return f"CREATE TEMPORARY TABLE {element.name} ON COMMIT DROP AS {query}"


def materialise(conn: Any, source: Any) -> Any:
    """(PostgreSQL) A subquery written once into a temporary table, read by several queries."""
    name = f"{source.name}_{next(_temporary_names)}"
    conn.execute(_CreateTemporary(name, source.element))
    return table(name, *(column(c.name, c.type) for c in source.c))
