"""The figures, computed from the append-only initiative history only.

Aggregated in SQL (the same queries on SQLite and PostgreSQL): GROUP BY over
`initiative_event`, and the window function LEAD giving each stage passage the
moment it ended; only a few hundred grouped rows reach Python, which applies the
working-day calendar per group. Per cutoff: the counts as of that moment and
during the period since the previous cutoff. Because history rows are never changed or deleted and every event
carries its time, figures "as of" a past moment never change afterwards: a
past week rebuilt later gives the same numbers. (The grouping attributes —
field, province, organisation type — are read from the initiative; they are
fixed once an initiative is submitted, except while it is returned for
revision.)

Other domains (problems, deals) add their counts with `figure_provider`.

Modules: `passages.py` (the history as SQL: passages, first entries, temporary tables),
`targets.py` (targets in force), `providers.py` (other domains' figures), `scope.py`
(a saved view's subset); this one counts and shapes the result.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.accounts.models import Organisation
from app.i18n import TIMEZONE
from app.initiatives.models import Field, Initiative, InitiativeEvent
from app.reports.calendar import WorkingCalendar, local_date, local_midnight
from app.reports.models import StageTarget
from app.reports.passages import (
    CLOCKED,
    CURRENT,
    CURRENT_SET,
    PUBLISHED,
    REACHED,
    REACHED_SET,
    SECONDS_PER_DAY,
    STREAM_ROWS,
    as_date,
    flag,
    local_month,
    materialise,
    scoped,
    sources,
)
from app.reports.providers import (
    FigureProvider,
    figure_provider,
    load_providers,
    provider_figures,
    providers,
)
from app.reports.scope import ALL, Scope
from app.reports.targets import TargetHistory, current_targets, target_at, target_history

__all__ = [  # what other modules read here (defined in the modules above)
    "ALL",
    "CLOCKED",
    "CURRENT",
    "PUBLISHED",
    "REACHED",
    "REACHED_SET",
    "SECONDS_PER_DAY",
    "FigureProvider",
    "Scope",
    "TargetHistory",
    "compute",
    "current_targets",
    "figure_provider",
    "load_providers",
    "percentile",
    "provider_figures",
    "providers",
    "target_at",
    "target_history",
]


# -- arithmetic -----------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default) on sorted `values`."""
    if not values:
        return None
    position = (len(values) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def month_key(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).strftime("%Y-%m")


# -- the figures ----------------------------------------------------------------
@dataclass
class _Cut:
    at: datetime
    received: int = 0
    reached: Counter[str] = field(default_factory=Counter)
    now: Counter[str] = field(default_factory=Counter)
    period: Counter[str] = field(default_factory=Counter)  # entries (first submission = received)


@dataclass
class _Last:
    """What only the last cutoff needs: breakdowns, durations, clocks."""

    by_field: dict[Any, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_province: dict[Any, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_org_type: dict[Any, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_month: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    durations: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    spells: Counter[str] = field(default_factory=Counter)  # passages ended, per stage
    done: Counter[str] = field(default_factory=Counter)  # clocked passages ended, per stage
    done_on_time: Counter[str] = field(default_factory=Counter)
    open_: Counter[str] = field(default_factory=Counter)  # clocked passages still open
    overdue: Counter[str] = field(default_factory=Counter)
    overdue_items: list[dict[str, Any]] = field(default_factory=list)


def _count_reached(conn: Any, firsts: Any, cuts: list[_Cut]) -> None:
    """Initiatives that reached each stage before each cutoff (first entry; received = submitted)."""
    columns = [(stage, cut) for stage in REACHED for cut in cuts]
    query = sa_select(
        *(func.sum(flag(firsts.c[f"first_{stage}"] < cut.at)) for stage, cut in columns)
    )
    for (stage, cut), n in zip(columns, conn.execute(query).one(), strict=True):
        cut.reached[stage] = int(n or 0)
    for previous, cut in zip(cuts, cuts[1:], strict=False):
        cut.received = cut.reached["submitted"]
        cut.period["received"] = cut.received - previous.reached["submitted"]


def _count_entries(conn: Any, cuts: list[_Cut], scope: Scope) -> None:
    """Entries into each stage during each period [previous cutoff, cutoff)."""
    at = col(InitiativeEvent.created_at)
    query = scoped(
        sa_select(
            col(InitiativeEvent.to_status),
            *(
                func.sum(flag(and_(at >= previous.at, at < cut.at)))
                for previous, cut in zip(cuts, cuts[1:], strict=False)
            ),
        )
        .where(at >= cuts[0].at, at < cuts[-1].at, col(InitiativeEvent.to_status).in_(REACHED))
        .group_by(col(InitiativeEvent.to_status)),
        scope,
    )
    for stage, *counts in conn.execute(query):
        for cut, n in zip(cuts[1:], counts, strict=True):
            cut.period[stage] = int(n or 0)


def _count_passages(
    conn: Any,
    passages: Any,
    cuts: list[_Cut],
    calendar: WorkingCalendar,
    targets: dict[int, StageTarget],
    last: _Last,
) -> list[tuple[str, int, date]]:
    """Current stages at each cutoff; passages ended, on time, open and overdue at the last.

    Grouped in SQL by stage, target in force, and the Vietnam days entered and left, so
    the working-day arithmetic runs once per group. Returns the overdue groups.
    """
    end = cuts[-1].at
    p = passages.c
    inner = sa_select(
        p.stage,
        p.target_id,
        p.entered_day,
        p.left_day,
        flag(p.left_at.is_(None)).label("open"),
        *(
            flag(and_(p.entered < cut.at, or_(p.left_at.is_(None), p.left_at >= cut.at))).label(
                f"now_{i}"
            )
            for i, cut in enumerate(cuts[1:])
        ),
    ).subquery("passages")
    keys = list(inner.c)
    end_day = local_date(end)
    overdue_groups: list[tuple[str, int, date]] = []
    # Streamed (a server-side cursor on PostgreSQL): memory does not grow with the groups.
    groups = sa_select(*keys, func.count()).group_by(*keys)
    for stage, target_id, entered_day, left_day, is_open, *rest in conn.execute(
        groups.execution_options(yield_per=STREAM_ROWS)
    ):
        *now, n = rest
        for cut, is_now in zip(cuts[1:], now, strict=True):
            if is_now and stage in CURRENT_SET:
                cut.now[stage] += n
        if not is_open:
            last.spells[stage] += n
        if target_id is None:
            continue
        target, entered = targets[target_id], as_date(entered_day)
        assert entered is not None
        if not is_open:
            left = as_date(left_day)
            assert left is not None
            last.done[stage] += n
            if calendar.working_days_between(entered, left) <= target.working_days:
                last.done_on_time[stage] += n
        else:
            last.open_[stage] += n
            if calendar.working_days_between(entered, end_day) > target.working_days:
                last.overdue[stage] += n
                overdue_groups.append((stage, target_id, entered))
    return overdue_groups


def _overdue_items(
    conn: Any,
    passages: Any,
    end: datetime,
    calendar: WorkingCalendar,
    targets: dict[int, StageTarget],
    groups: list[tuple[str, int, date]],
) -> list[dict[str, Any]]:
    """The open passages past their target at `end`, with their responsible units."""
    if not groups:
        return []
    latest: dict[tuple[str, int], date] = {}
    for stage, target_id, day in groups:
        latest[(stage, target_id)] = max(day, latest.get((stage, target_id), day))
    p = passages.c
    query = (
        sa_select(p.initiative_id, col(Initiative.receipt_code), p.stage, p.entered, p.target_id)
        .select_from(passages.join(Initiative, col(Initiative.id) == p.initiative_id))
        .where(
            p.left_at.is_(None),
            or_(
                *(
                    and_(
                        p.target_id == target_id,
                        p.entered < local_midnight(day + timedelta(days=1)),
                    )
                    for (_stage, target_id), day in latest.items()
                )
            ),
        )
    )
    items = []
    for initiative_id, receipt_code, stage, entered, target_id in conn.execute(
        query.execution_options(yield_per=STREAM_ROWS)
    ):
        target = targets[target_id]
        elapsed = calendar.elapsed(entered, end)
        if elapsed > target.working_days:
            items.append(
                {
                    "initiative_id": initiative_id,
                    "receipt_code": receipt_code,
                    "stage": stage,
                    "entered_at": entered.isoformat(),
                    "elapsed_working_days": elapsed,
                    "target_working_days": target.working_days,
                    "unit_vi": target.unit_vi,
                    "unit_en": target.unit_en,
                }
            )
    return items


def _durations(conn: Any, passages: Any, last: _Last) -> None:
    """Median and 90th percentile days per clocked stage: only the ranks needed are read."""
    wanted: dict[str, dict[float, float]] = {}
    ranks: dict[str, set[int]] = {}
    for stage in CLOCKED:
        n = last.spells[str(stage)]
        if n:
            positions = {q: (n - 1) * q for q in (0.5, 0.9)}
            wanted[str(stage)] = positions
            ranks[str(stage)] = {
                r for p in positions.values() for r in (math.floor(p), math.ceil(p))
            }
    if not ranks:
        return
    spells = passages.c
    if conn.dialect.name == "postgresql":
        # One sort per stage in one aggregate; percentile_cont interpolates as `percentile` does.
        length = func.extract("epoch", spells.left_at - spells.entered) / SECONDS_PER_DAY
        query = (
            sa_select(
                spells.stage,
                *(func.percentile_cont(q).within_group(length) for q in (0.5, 0.9)),
            )
            .where(spells.left_at.is_not(None), spells.stage.in_(list(ranks)))
            .group_by(spells.stage)
        )
        for stage, median, p90 in conn.execute(query):
            last.durations[stage] = (float(median), float(p90))
        return
    length = func.julianday(spells.left_at) - func.julianday(spells.entered)
    ranked = (
        sa_select(
            spells.stage,
            spells.entered,
            spells.left_at,
            (func.row_number().over(partition_by=spells.stage, order_by=length) - 1).label("r"),
        )
        .where(spells.left_at.is_not(None), spells.stage.in_(list(ranks)))
        .subquery("ranked")
    )
    query = sa_select(ranked.c.stage, ranked.c.r, ranked.c.entered, ranked.c.left_at).where(
        or_(
            *(
                and_(ranked.c.stage == stage, ranked.c.r.in_(sorted(rs)))
                for stage, rs in ranks.items()
            )
        )
    )
    values: dict[tuple[str, int], float] = {}
    for name, r, entered, left in conn.execute(query):
        values[(name, r)] = (left - entered).total_seconds() / SECONDS_PER_DAY
    for key, positions in wanted.items():
        found = []
        for q in (0.5, 0.9):
            position = positions[q]
            low, high = math.floor(position), math.ceil(position)
            found.append(
                values[(key, low)] + (values[(key, high)] - values[(key, low)]) * (position - low)
            )
        last.durations[key] = (found[0], found[1])


def _breakdowns(conn: Any, firsts: Any, last: _Last) -> None:
    """Received and published by field, province, organisation type, and month (Vietnam time)."""
    dialect = conn.dialect.name
    f = firsts.c
    published = flag(or_(f.first_published.is_not(None), f.first_commercialising.is_not(None)))
    groups = (
        sa_select(
            col(Initiative.field_id),
            col(Initiative.province),
            col(Organisation.type),
            func.count(),
            func.sum(published),
        )
        .select_from(
            firsts.join(Initiative, col(Initiative.id) == f.initiative_id).outerjoin(
                Organisation, col(Organisation.id) == col(Initiative.organisation_id)
            )
        )
        .where(f.first_submitted.is_not(None))
        .group_by(col(Initiative.field_id), col(Initiative.province), col(Organisation.type))
    )
    for field_id, province, org_type, n, published_n in conn.execute(groups):
        for found, key in (
            (last.by_field, field_id),
            (last.by_province, province),
            (last.by_org_type, org_type),
        ):
            found[key]["received"] += n
            found[key]["published"] += int(published_n or 0)
    months = (
        sa_select(
            local_month(dialect, f.first_submitted).label("received"),
            local_month(dialect, f.first_published).label("published"),
        )
        .where(f.first_submitted.is_not(None))
        .subquery("months")
    )
    for received, published_month, n in conn.execute(
        sa_select(months.c.received, months.c.published, func.count()).group_by(
            months.c.received, months.c.published
        )
    ):
        last.by_month[received]["received"] += n
        if published_month is not None:
            last.by_month[published_month]["published"] += n


def compute(
    session: Session, cutoffs: Sequence[datetime], scope: Scope = ALL, items: bool = True
) -> list[dict[str, Any]]:
    """Figures at each cutoff (ascending); "period" counts cover [previous cutoff, cutoff).

    The first cutoff only delimits the first period; the result has one entry per
    later cutoff, the last one with breakdowns, stage durations and clocks (and the
    overdue items unless `items` is false). Aggregated in SQL: a few grouped queries
    over the history, window functions (LEAD) giving each stage passage its end.
    """
    assert len(cutoffs) >= 2 and list(cutoffs) == sorted(cutoffs)
    end = cutoffs[-1]
    calendar = WorkingCalendar.load(session, at=end)
    history = target_history(session)
    targets = current_targets(history, end)
    by_id = {t.id: t for found in history.values() for t in found if t.id is not None}
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # The window sorts of a million history rows fit in memory instead of spilling to disk.
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    cuts = [_Cut(at) for at in cutoffs]
    last = _Last()
    passages, firsts = sources(conn, end, scope)
    temporary = conn.dialect.name == "postgresql"
    if temporary:  # each read once (one window pass over the history), then read 2-3 times
        passages, firsts = materialise(conn, passages), materialise(conn, firsts)
    _count_reached(conn, firsts, cuts)
    _count_entries(conn, cuts, scope)
    overdue = _count_passages(conn, passages, cuts, calendar, by_id, last)
    if items:
        last.overdue_items = _overdue_items(conn, passages, end, calendar, by_id, overdue)
    _durations(conn, passages, last)
    _breakdowns(conn, firsts, last)
    if temporary:  # (after an error, the rollback removes them)
        conn.exec_driver_sql(f"DROP TABLE {passages.name}, {firsts.name}")
    return [
        _result(session, cut, cuts[i - 1].at, last if i == len(cuts) - 1 else None, targets, scope)
        for i, cut in enumerate(cuts)
        if i > 0
    ]


def _result(
    session: Session,
    cut: _Cut,
    start: datetime,
    last: _Last | None,
    targets: dict[str, StageTarget],
    scope: Scope,
) -> dict[str, Any]:
    decided = cut.reached["selected"] + cut.reached["rejected"]
    result: dict[str, Any] = {
        "as_of": cut.at.isoformat(),
        "totals": {
            "received": cut.received,
            "in_screening": cut.now["screening"],
            "in_review": cut.now["in_review"],
            "selected": cut.reached["selected"],
            "published": cut.reached["published"],
            "commercialising": cut.reached["commercialising"],
            "rejected": cut.reached["rejected"],
        },
        "now": {s: cut.now[s] for s in CURRENT},
        "reached": {s: cut.reached[s] for s in REACHED},
        "period": {
            "received": cut.period["received"],
            **{s: cut.period[s] for s in REACHED if s != "submitted"},
        },
        "acceptance_rate": _round(cut.reached["selected"] / decided, 4) if decided else None,
        "extra": {},
    }
    result["period"]["in_screening"] = cut.period["screening"]
    result["period"]["in_review_entered"] = cut.period["in_review"]
    # The providers' own period is the one before this cutoff.
    result["extra"] = provider_figures(session, start, cut.at, scope)
    if last is None:
        return result
    fields = {f.id: f for f in session.exec(select(Field))}

    def rows(
        groups: dict[Any, Counter[str]], label: Callable[[Any], dict[str, Any]]
    ) -> list[dict[str, Any]]:
        return sorted(
            (
                {**label(key), "received": c["received"], "published": c["published"]}
                for key, c in groups.items()
            ),
            key=lambda r: (-r["received"], str(r["key"])),
        )

    def field_label(key: Any) -> dict[str, Any]:
        f = fields.get(key)
        return {
            "key": f.code if f else "none",
            "name_vi": f.name_vi if f else "Chưa phân loại",
            "name_en": f.name_en if f else "Unclassified",
        }

    result["by_field"] = rows(last.by_field, field_label)
    result["by_province"] = rows(
        last.by_province,
        lambda k: {"key": k or "none", "name_vi": k or "Chưa rõ", "name_en": k or "Unknown"},
    )
    result["by_organisation_type"] = rows(
        last.by_org_type, lambda k: {"key": str(k) if k else "none"}
    )
    result["by_month"] = [
        {"month": m, "received": c["received"], "published": c["published"]}
        for m, c in sorted(last.by_month.items())
    ]
    stages: list[dict[str, Any]] = []
    for stage in CLOCKED:
        median, p90 = last.durations.get(str(stage), (None, None))
        target = targets.get(stage)
        done = last.done[stage]
        stages.append(
            {
                "stage": str(stage),
                "spells": last.spells[str(stage)],
                "median_days": _round(median),
                "p90_days": _round(p90),
                "target_working_days": target.working_days if target else None,
                "unit_vi": target.unit_vi if target else None,
                "unit_en": target.unit_en if target else None,
                "done": done,
                "on_time": last.done_on_time[stage],
                "on_time_share": _round(last.done_on_time[stage] / done, 4) if done else None,
                "open": last.open_[stage],
                "overdue": last.overdue[stage],
            }
        )
    result["stages"] = stages
    units: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in stages:
        if row["unit_vi"] is None:
            continue
        unit = units[(row["unit_vi"], row["unit_en"])]
        for key in ("done", "on_time", "open", "overdue"):
            unit[key] += row[key]
    result["units"] = [
        {
            "unit_vi": vi,
            "unit_en": en,
            **{k: c[k] for k in ("done", "on_time", "open", "overdue")},
            "on_time_share": _round(c["on_time"] / c["done"], 4) if c["done"] else None,
        }
        for (vi, en), c in sorted(units.items())
    ]
    done_all = sum(last.done.values())
    result["overdue_items"] = sorted(
        last.overdue_items, key=lambda r: (-r["elapsed_working_days"], r["initiative_id"])
    )
    result["decided_on_time_share"] = (
        _round(sum(last.done_on_time.values()) / done_all, 4) if done_all else None
    )
    return result
