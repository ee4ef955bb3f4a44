"""Reports: the public statistics (cached under a minute), stage clocks, targets, holidays, views."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import NotFound, ValidationFailed
from app.i18n import _, get_language
from app.initiatives.models import Initiative
from app.reports import figures
from app.reports.calendar import WorkingCalendar, local_date, local_midnight
from app.reports.figures import CLOCKED, Scope
from app.reports.models import PublicHoliday, SavedView, StageTarget

CACHE_SECONDS = 30.0  # a change shows on the public pages within this
# Keyed by database URL and scope (one process may serve several databases: the tests do).
CacheKey = tuple[str, Scope]
_cache: dict[CacheKey, tuple[float, dict[str, Any]]] = {}
_cache_lock = threading.Lock()
_first_lock = threading.Lock()
_refreshing: set[CacheKey] = set()
log = logging.getLogger(__name__)


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 (Vietnam time) of the ISO week containing `moment`, as a UTC datetime."""
    day = local_date(moment)
    return local_midnight(day - timedelta(days=day.weekday()))


def statistics(
    session: Session, now: datetime | None = None, scope: Scope = figures.ALL
) -> dict[str, Any]:
    """Figures as of `now`, "this week" being the ISO week (Vietnam time) up to `now`."""
    now = now or utcnow()
    return figures.compute(session, [week_start(now), now], scope)[0]


def public_statistics(session: Session, scope: Scope = figures.ALL) -> dict[str, Any]:
    """The public figures, at most CACHE_SECONDS (+ one computation) old; item lists removed.

    Only the first request computes while others wait; once the cache is stale, one
    background thread recomputes and requests get the previous figures meanwhile,
    so a page view never waits for a recomputation after the first.
    """
    engine = session.get_bind()
    key = (str(engine.engine.url), scope)
    with _cache_lock:
        hit = _cache.get(key)
        fresh = hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS
        if hit is not None and not fresh and key not in _refreshing:
            _refreshing.add(key)
            threading.Thread(
                target=_refresh, args=(engine, key), name="statistics-refresh", daemon=True
            ).start()
    if hit is not None:
        return hit[1]
    with _first_lock:  # one cold computation; the others wait for it
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None:
            return hit[1]
        return _store(key, statistics(session, scope=scope))


def _store(key: CacheKey, result: dict[str, Any]) -> dict[str, Any]:
    result.pop("overdue_items", None)
    with _cache_lock:
        _cache[key] = (time.monotonic(), result)
        _refreshing.discard(key)
    return result


def _refresh(engine: Any, key: CacheKey) -> None:
    try:
        with Session(engine) as session:
            _store(key, statistics(session, scope=key[1]))
    except Exception:
        log.exception("refreshing the statistics failed")
        with _cache_lock:
            _refreshing.discard(key)


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
    calendar = WorkingCalendar.load(session)
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
    return list(session.exec(select(PublicHoliday).order_by(col(PublicHoliday.day))))


def add_holiday(session: Session, *, day: str, name_vi: str, name_en: str) -> PublicHoliday:
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
    if parsed is not None and session.get(PublicHoliday, parsed) is not None:
        errors["day"] = _("This day is already a holiday.")
    if errors or parsed is None:
        raise ValidationFailed(_("Please correct the marked fields."), errors=errors)
    holiday = PublicHoliday(
        day=parsed, name_vi=name_vi.strip(), name_en=name_en.strip() or name_vi.strip()
    )
    session.add(holiday)
    clear_cache()
    return holiday


def remove_holiday(session: Session, day: date) -> None:
    holiday = session.get(PublicHoliday, day)
    if holiday is None:
        raise NotFound(_("No such holiday."))
    session.delete(holiday)
    clear_cache()


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
