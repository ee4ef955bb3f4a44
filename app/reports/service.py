"""Reports: the public statistics (cached under a minute), stage clocks, targets, holidays, views."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import NotFound, ValidationFailed
from app.i18n import _, get_language
from app.initiatives.models import Initiative, InitiativeEvent
from app.reports import figures
from app.reports.calendar import WorkingCalendar, current_holidays, local_date, local_midnight
from app.reports.figures import CLOCKED, Scope
from app.reports.models import PublicHoliday, SavedView, StageTarget

CACHE_SECONDS = 30.0  # other domains' figures (problems, deals) are at most this old
CHECK_SECONDS = 1.0  # how often a process looks for new history rows (the watermark)
MAX_VIEWS = 64  # snapshots of saved views kept per process (the least recently used go first)
# Keyed by database URL and scope (one process may serve several databases: the tests do).
CacheKey = tuple[str, Scope]
log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    """Figures computed once for a watermark; served until the watermark moves."""

    watermark: tuple[Any, ...]
    result: dict[str, Any]
    stamp: int  # changes with each computation (the page cache's generation)
    checked: float  # time.monotonic() of the last watermark check
    extra_at: float  # time.monotonic() when the providers' figures were computed
    _body: bytes | None = None

    def body(self) -> bytes:
        """The result as JSON, serialised once."""
        if self._body is None:
            self._body = json.dumps(self.result, ensure_ascii=False).encode()
        return self._body


_cache: dict[CacheKey, Snapshot] = {}
_cache_lock = threading.Lock()
_first_lock = threading.Lock()
_refreshing: set[CacheKey] = set()
_threads: set[threading.Thread] = set()
_stamps = itertools.count(1)


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 (Vietnam time) of the ISO week containing `moment`, as a UTC datetime."""
    day = local_date(moment)
    return local_midnight(day - timedelta(days=day.weekday()))


def statistics(
    session: Session,
    now: datetime | None = None,
    scope: Scope = figures.ALL,
    items: bool = True,
) -> dict[str, Any]:
    """Figures as of `now`, "this week" being the ISO week (Vietnam time) up to `now`."""
    now = now or utcnow()
    return figures.compute(session, [week_start(now), now], scope, items=items)[0]


def watermark(session: Session) -> tuple[Any, ...]:
    """What the figures depend on: the newest history row, target and holiday version, and
    the day in Vietnam (overdue counts and "this week" move with it). One indexed query."""
    newest = session.execute(
        sa_select(
            sa_select(func.max(col(InitiativeEvent.id))).scalar_subquery(),
            sa_select(func.max(col(StageTarget.id))).scalar_subquery(),
            sa_select(func.max(col(PublicHoliday.id))).scalar_subquery(),
        )
    ).one()
    return (*newest, local_date(utcnow()))


def public_snapshot(session: Session, scope: Scope = figures.ALL) -> Snapshot:
    """The public figures (or a saved view's), precomputed per history watermark; item
    lists removed. The coordinator dashboard reads a saved view's figures from here too:
    one snapshot per (watermark, view), at most MAX_VIEWS views besides the public one.

    A request costs at most one watermark query per CHECK_SECONDS. When new history rows
    (or targets, holidays, a new day) arrive, one background thread recomputes while
    requests get the previous figures; other domains' figures are refreshed every
    CACHE_SECONDS the same way. Only the very first request computes while others wait.
    """
    engine = session.get_bind()
    key = (str(engine.engine.url), scope)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        if now - hit.checked < CHECK_SECONDS:
            return hit
        current = watermark(session)
        with _cache_lock:
            if current == hit.watermark:
                hit = _cache[key] = replace(hit, checked=now)
                if figures.providers and now - hit.extra_at >= CACHE_SECONDS:
                    _start_refresh(engine, key, current, extra_only=True)
            else:
                _start_refresh(engine, key, current, extra_only=False)
        return hit
    with _first_lock:  # one cold computation; the others wait for it
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None:
            return hit
        return _store(key, watermark(session), _public(session, scope))


def page_generation(engine: Any) -> str:
    """The page cache's generation for /statistics and its API (app/web/page_cache.py): the
    snapshot's stamp. Reading it checks the watermark, so the pages follow new history."""
    with Session(engine) as session:
        return f"statistics-{public_snapshot(session).stamp}"


def public_statistics(session: Session, scope: Scope = figures.ALL) -> dict[str, Any]:
    return public_snapshot(session, scope).result


def _public(session: Session, scope: Scope) -> dict[str, Any]:
    return statistics(session, scope=scope, items=False)


def _start_refresh(engine: Any, key: CacheKey, current: tuple[Any, ...], extra_only: bool) -> None:
    """(Under the cache lock.) One background recomputation per key at a time."""
    if key in _refreshing:
        return
    _refreshing.add(key)
    thread = threading.Thread(
        target=_refresh,
        args=(engine, key, current, extra_only),
        name="statistics-refresh",
        daemon=True,
    )
    _threads.add(thread)
    thread.start()


def join_refreshes(timeout: float = 30.0) -> None:
    """Wait for the background recomputations (at the app's shutdown), so none outlives it."""
    with _cache_lock:
        running = list(_threads)
    for thread in running:
        thread.join(timeout)


def _store(key: CacheKey, current: tuple[Any, ...], result: dict[str, Any]) -> Snapshot:
    result.pop("overdue_items", None)
    moment = time.monotonic()
    snapshot = Snapshot(current, result, next(_stamps), checked=moment, extra_at=moment)
    with _cache_lock:
        _cache[key] = snapshot
        _refreshing.discard(key)
        views = [k for k in _cache if not k[1].is_all]
        if len(views) > MAX_VIEWS:
            oldest = min(views, key=lambda k: _cache[k].checked)
            del _cache[oldest]
    return snapshot


def _refresh(engine: Any, key: CacheKey, current: tuple[Any, ...], extra_only: bool) -> None:
    try:
        with Session(engine) as session:
            with _cache_lock:
                hit = _cache.get(key)
            if extra_only and hit is not None:
                result = {**hit.result, "as_of": utcnow().isoformat()}
                start = week_start(utcnow())
                result["extra"] = figures.provider_figures(session, start, utcnow(), key[1])
                _store(key, current, result)
            else:
                _store(key, current, _public(session, key[1]))
    except Exception:
        log.exception("refreshing the statistics failed")
        with _cache_lock:
            _refreshing.discard(key)
    finally:
        with _cache_lock:
            _threads.discard(threading.current_thread())


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def headline(session: Session) -> dict[str, Any]:
    """The few figures the home page shows."""
    stats = public_statistics(session)
    return {"as_of": stats["as_of"], **stats["totals"], "this_week": stats["period"]["received"]}


# -- stage clocks and targets ----------------------------------------------------
def targets(session: Session, at: datetime | None = None) -> dict[str, StageTarget]:
    """The target in force per stage at `at` (now)."""
    return figures.current_targets(figures.target_history(session), at or utcnow())


def stage_clock(
    session: Session, initiative: Initiative, now: datetime | None = None
) -> dict[str, Any] | None:
    """The initiative's current stage clock against the stage's target, or None without target."""
    now = now or utcnow()
    target = targets(session, now).get(initiative.status)
    if target is None:
        return None
    calendar = WorkingCalendar.load(session, at=now)
    elapsed = calendar.elapsed(initiative.stage_entered_at, now)
    return {
        "stage": initiative.status,
        "entered_at": initiative.stage_entered_at,
        "elapsed_working_days": elapsed,
        "target_working_days": target.working_days,
        "deadline": calendar.deadline(initiative.stage_entered_at, target.working_days),
        "unit": target.unit(get_language()),
        "unit_vi": target.unit_vi,
        "unit_en": target.unit_en,
        "overdue": elapsed > target.working_days,
    }


def set_target(
    session: Session,
    actor: User,
    *,
    stage: str,
    working_days: str | int,
    unit_vi: str,
    unit_en: str,
) -> StageTarget:
    errors: dict[str, str] = {}
    if stage not in [str(s) for s in CLOCKED]:
        errors["stage"] = _("Choose a stage.")
    try:
        days = int(str(working_days).strip())
        if not 1 <= days <= 365:
            raise ValueError
    except ValueError:
        days = 0
        errors["working_days"] = _("Enter a whole number of working days from 1 to 365.")
    unit_vi, unit_en = unit_vi.strip(), unit_en.strip()
    if not unit_vi or len(unit_vi) > 200:
        errors["unit_vi"] = _("Name the responsible unit (at most 200 characters).")
    if len(unit_en) > 200:
        errors["unit_en"] = _("Name the responsible unit (at most 200 characters).")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), errors=errors)
    target = StageTarget(
        stage=stage,
        valid_from=utcnow(),
        working_days=days,
        unit_vi=unit_vi,
        unit_en=unit_en or unit_vi,
        set_by_id=actor.id,
    )
    session.add(target)
    clear_cache()
    return target


def holidays(session: Session) -> list[PublicHoliday]:
    """The holidays in force now (each day's latest version, unless it removed the day)."""
    return current_holidays(session)


def add_holiday(
    session: Session, *, day: str, name_vi: str, name_en: str, actor: User | None = None
) -> PublicHoliday:
    """A new version making `day` a holiday from now on (past figures keep their calendar)."""
    errors: dict[str, str] = {}
    try:
        parsed = date.fromisoformat(day.strip())
    except ValueError:
        parsed = None
        errors["day"] = _("Enter a date as YYYY-MM-DD.")
    if not name_vi.strip() or len(name_vi) > 200:
        errors["name_vi"] = _("Name the holiday (at most 200 characters).")
    if len(name_en) > 200:
        errors["name_en"] = _("Name the holiday (at most 200 characters).")
    if parsed is not None and any(h.day == parsed for h in holidays(session)):
        errors["day"] = _("This day is already a holiday.")
    if errors or parsed is None:
        raise ValidationFailed(_("Please correct the marked fields."), errors=errors)
    holiday = PublicHoliday(
        day=parsed,
        name_vi=name_vi.strip(),
        name_en=name_en.strip() or name_vi.strip(),
        valid_from=utcnow(),
        set_by_id=actor.id if actor else None,
    )
    session.add(holiday)
    session.flush()
    clear_cache()
    return holiday


def remove_holiday(session: Session, day: date, actor: User | None = None) -> PublicHoliday:
    """A new version: `day` is a working day again from now on (the earlier versions stay)."""
    current = next((h for h in holidays(session) if h.day == day), None)
    if current is None:
        raise NotFound(_("No such holiday."))
    removal = PublicHoliday(
        day=day,
        name_vi=current.name_vi,
        name_en=current.name_en,
        valid_from=utcnow(),
        removed=True,
        set_by_id=actor.id if actor else None,
    )
    session.add(removal)
    session.flush()
    clear_cache()
    return removal


# -- saved views -------------------------------------------------------------------
def views_of(session: Session, user: User) -> list[SavedView]:
    return list(
        session.exec(
            select(SavedView).where(SavedView.user_id == user.id).order_by(col(SavedView.id))
        )
    )


def save_view(
    session: Session, user: User, *, name: str, field_ids: list[int], provinces: list[str]
) -> SavedView:
    from app.system.provinces import PROVINCES

    errors: dict[str, str] = {}
    name = name.strip()
    if not name or len(name) > 120:
        errors["name"] = _("Give the view a name (at most 120 characters).")
    if any(p not in PROVINCES for p in provinces):
        errors["provinces"] = _("Choose provinces from the list.")
    if not field_ids and not provinces:
        errors["field_ids"] = _("Choose at least one field or province.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), errors=errors)
    assert user.id is not None
    view = SavedView(
        user_id=user.id,
        name=name,
        field_ids=sorted(set(field_ids)),
        provinces=sorted(set(provinces)),
    )
    session.add(view)
    session.flush()
    return view


def view_of(session: Session, user: User, view_id: int | None) -> SavedView | None:
    if view_id is None:
        return None
    view = session.get(SavedView, view_id)
    if view is None or view.user_id != user.id:
        raise NotFound(_("No such saved view."))
    return view


def scope_of(view: SavedView | None) -> Scope:
    if view is None:
        return figures.ALL
    return Scope(tuple(view.field_ids), tuple(view.provinces))
