"""The figures, computed from the append-only initiative history only.

One pass over `initiative_event` (ordered by initiative and sequence, streamed)
replays every initiative's stages up to the last cutoff and yields, per
cutoff, the counts as of that moment and during the period since the previous
cutoff. Because history rows are never changed or deleted and every event
carries its time, figures "as of" a past moment never change afterwards: a
past week rebuilt later gives the same numbers. (The grouping attributes —
field, province, organisation type — are read from the initiative; they are
fixed once an initiative is submitted, except while it is returned for
revision.)

Other domains (problems, deals) add their counts with `figure_provider`.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.accounts.models import Organisation
from app.i18n import TIMEZONE
from app.initiatives.models import Field, Initiative, InitiativeEvent
from app.initiatives.workflow import Status
from app.reports.calendar import WorkingCalendar
from app.reports.models import StageTarget

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


@dataclass(frozen=True)
class Scope:
    """A subset of initiatives: a saved view's fields and provinces (empty = all)."""

    field_ids: tuple[int, ...] = ()
    provinces: tuple[str, ...] = ()

    @property
    def is_all(self) -> bool:
        return not self.field_ids and not self.provinces


ALL = Scope()


# -- other domains' figures -----------------------------------------------------
ProviderFn = Callable[[Session, datetime, datetime, Scope], dict[str, int]]


@dataclass(frozen=True)
class FigureProvider:
    """A count another domain contributes: `fn(session, start, end, scope)` returns
    {"total": as of end, "period": during [start, end)}."""

    key: str
    label: str  # an English msgid, translated where shown
    fn: ProviderFn


providers: dict[str, FigureProvider] = {}


def figure_provider(key: str, label: str) -> Callable[[ProviderFn], ProviderFn]:
    """Register a figure (e.g. `problems.open`, `deals.signed`) shown beside the initiatives' own."""

    def register(fn: ProviderFn) -> ProviderFn:
        providers[key] = FigureProvider(key, label, fn)
        return fn

    return register


# -- targets in force ------------------------------------------------------------
TargetHistory = dict[str, list[StageTarget]]


def target_history(session: Session) -> TargetHistory:
    """Every stage's targets, oldest first."""
    found: TargetHistory = defaultdict(list)
    for t in session.exec(
        select(StageTarget).order_by(col(StageTarget.stage), col(StageTarget.valid_from))
    ):
        found[t.stage].append(t)
    return found


def target_at(history: TargetHistory, stage: str, moment: datetime) -> StageTarget | None:
    """The target in force at `moment` (None before the stage's first target)."""
    found = None
    for t in history.get(stage, ()):
        if t.valid_from > moment:
            break
        found = t
    return found


def current_targets(history: TargetHistory, moment: datetime) -> dict[str, StageTarget]:
    return {s: t for s in history if (t := target_at(history, s, moment)) is not None}


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


# -- the pass -------------------------------------------------------------------
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
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    done: Counter[str] = field(default_factory=Counter)  # clocked spells ended, per stage
    done_on_time: Counter[str] = field(default_factory=Counter)
    open_: Counter[str] = field(default_factory=Counter)  # clocked spells still open
    overdue: Counter[str] = field(default_factory=Counter)
    overdue_items: list[dict[str, Any]] = field(default_factory=list)


def _events(session: Session, end: datetime, scope: Scope):
    query = (
        sa_select(
            col(InitiativeEvent.initiative_id),
            col(InitiativeEvent.to_status),
            col(InitiativeEvent.created_at),
            col(Initiative.field_id),
            col(Initiative.province),
            col(Organisation.type),
            col(Initiative.receipt_code),
        )
        .join(Initiative, col(Initiative.id) == col(InitiativeEvent.initiative_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Initiative.organisation_id))
        .where(col(InitiativeEvent.created_at) < end)
        .order_by(col(InitiativeEvent.initiative_id), col(InitiativeEvent.seq))
    )
    if scope.field_ids:
        query = query.where(col(Initiative.field_id).in_(scope.field_ids))
    if scope.provinces:
        query = query.where(col(Initiative.province).in_(scope.provinces))
    # Core rows, not ORM: no identity map or entity loading per event.
    return session.connection().execute(query.execution_options(yield_per=5000))


def compute(
    session: Session, cutoffs: Sequence[datetime], scope: Scope = ALL
) -> list[dict[str, Any]]:
    """Figures at each cutoff (ascending); "period" counts cover (previous cutoff, cutoff].

    The first cutoff only delimits the first period; the result has one entry per
    later cutoff, the last one with breakdowns, stage durations and clocks.
    """
    assert len(cutoffs) >= 2 and list(cutoffs) == sorted(cutoffs)
    calendar = WorkingCalendar.load(session)
    history = target_history(session)
    end = cutoffs[-1]
    targets = current_targets(history, end)
    cuts = [_Cut(at) for at in cutoffs]
    last = _Last()

    def finish(
        initiative_id: int, rows: list[tuple[str, datetime]], grouping: tuple[Any, ...]
    ) -> None:
        times = [t for _s, t in rows]
        first: dict[str, datetime] = {}
        for status, t in rows:
            first.setdefault(status, t)
        first_submission = first.get("submitted")
        for index, cut in enumerate(cuts):
            k = bisect_left(times, cut.at)
            if k == 0:
                continue
            if first_submission is not None and first_submission < cut.at:
                cut.received += 1
            for status, t in first.items():
                if t < cut.at and status in REACHED_SET:
                    cut.reached[status] += 1
            current = rows[k - 1][0]
            if current in CURRENT_SET:
                cut.now[current] += 1
            if index > 0:
                start = cuts[index - 1].at
                if first_submission is not None and start <= first_submission < cut.at:
                    cut.period["received"] += 1
                for status, _t in rows[bisect_left(times, start) : k]:
                    if status in REACHED_SET:
                        cut.period[status] += 1
        # Breakdowns, durations and clocks at the last cutoff.
        field_id, province, org_type, receipt_code = grouping
        statuses = set(first)
        if first_submission is not None:
            marks = ["received"] + (["published"] if statuses & set(PUBLISHED) else [])
            for mark in marks:
                last.by_field[field_id][mark] += 1
                last.by_province[province][mark] += 1
                last.by_org_type[org_type][mark] += 1
            last.by_month[month_key(first_submission)]["received"] += 1
            published_at = first.get("published")
            if published_at is not None:
                last.by_month[month_key(published_at)]["published"] += 1
        for (status, entered), following in zip(rows, [*rows[1:], None], strict=True):
            target = target_at(history, status, entered)
            if following is not None:
                left = following[1]
                last.durations[status].append((left - entered).total_seconds() / SECONDS_PER_DAY)
                if target is not None:
                    last.done[status] += 1
                    if calendar.elapsed(entered, left) <= target.working_days:
                        last.done_on_time[status] += 1
            elif target is not None:
                last.open_[status] += 1
                elapsed = calendar.elapsed(entered, end)
                if elapsed > target.working_days:
                    last.overdue[status] += 1
                    last.overdue_items.append(
                        {
                            "initiative_id": initiative_id,
                            "receipt_code": receipt_code,
                            "stage": status,
                            "entered_at": entered.isoformat(),
                            "elapsed_working_days": elapsed,
                            "target_working_days": target.working_days,
                            "unit_vi": target.unit_vi,
                            "unit_en": target.unit_en,
                        }
                    )

    current_id = 0
    rows: list[tuple[str, datetime]] = []
    grouping: tuple[Any, ...] = ()
    for initiative_id, to_status, created_at, field_id, province, org_type, code in _events(
        session, end, scope
    ):
        if initiative_id != current_id:
            if rows:
                finish(current_id, rows, grouping)
            current_id, rows, grouping = initiative_id, [], (field_id, province, org_type, code)
        rows.append((to_status, created_at))
    if rows:
        finish(current_id, rows, grouping)
    return [
        _result(session, cut, cuts[i].at, last if i == len(cuts) - 1 else None, targets, scope)
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
    for key, provider in sorted(providers.items()):
        # The provider's own period is the one before this cutoff.
        prev = start
        result["extra"][key] = {
            "label": provider.label,
            **provider.fn(session, prev, cut.at, scope),
        }
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
        values = sorted(last.durations.get(stage, []))
        target = targets.get(stage)
        done = last.done[stage]
        stages.append(
            {
                "stage": str(stage),
                "spells": len(values),
                "median_days": _round(percentile(values, 0.5)),
                "p90_days": _round(percentile(values, 0.9)),
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
