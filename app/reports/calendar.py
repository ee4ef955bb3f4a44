"""Vietnam's working-day calendar: Monday to Friday, minus the public holidays admins maintain.

A stage clock counts working days *after* the day the stage was entered, in
Vietnam's time zone: entered on Friday and left on Monday is one working day.
A target of N working days is met while at most N working days have passed;
the deadline is the end of the N-th working day after entry.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from sqlmodel import Session, col, select

from app.i18n import TIMEZONE
from app.reports.models import PublicHoliday

# Seeded by migration 0012 (admins correct them on /admin/reports/calendar).
HOLIDAYS_2026: tuple[tuple[date, str, str], ...] = (
    (date(2026, 1, 1), "Tết Dương lịch", "New Year's Day"),
    *((date(2026, 2, d), "Tết Nguyên đán", "Lunar New Year (Tết)") for d in (16, 17, 18, 19, 20)),
    (date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)", "Hung Kings' Day (in lieu)"),
    (date(2026, 4, 30), "Ngày Giải phóng miền Nam", "Reunification Day"),
    (date(2026, 5, 1), "Ngày Quốc tế Lao động", "International Labour Day"),
    (date(2026, 9, 1), "Quốc khánh", "National Day"),
    (date(2026, 9, 2), "Quốc khánh", "National Day"),
)


_VIETNAM_OFFSET = timedelta(hours=7)  # Vietnam has kept UTC+7 without daylight saving since 1975


def local_midnight(day: date) -> datetime:
    """00:00 of `day` in Vietnam, as a UTC datetime."""
    return datetime.combine(day, dtime(0, 0), tzinfo=TIMEZONE).astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The date in Vietnam (fast path for the UTC datetimes the database returns)."""
    if moment.tzinfo is UTC:
        return (moment + _VIETNAM_OFFSET).date()
    return moment.astimezone(TIMEZONE).date()


def current_holidays(session: Session, at: datetime | None = None) -> list[PublicHoliday]:
    """The holidays in force at `at` (all versions so far when None), by day."""
    query = select(PublicHoliday).order_by(col(PublicHoliday.day), col(PublicHoliday.valid_from))
    if at is not None:
        query = query.where(col(PublicHoliday.valid_from) <= at)
    latest: dict[date, PublicHoliday] = {}
    for version in session.exec(query):
        latest[version.day] = version
    return [h for h in latest.values() if not h.removed]


class WorkingCalendar:
    """Working-day arithmetic against a fixed set of holidays (load it once per computation)."""

    def __init__(self, holidays: set[date] | frozenset[date]) -> None:
        self.holidays = frozenset(holidays)
        self._sorted = sorted(self.holidays)
        self._counts: dict[date, int] = {}

    @classmethod
    def load(cls, session: Session, at: datetime | None = None) -> WorkingCalendar:
        """The calendar in force at `at` (default: as now known): each day's latest version."""
        return cls({h.day for h in current_holidays(session, at)})

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def _weekdays_upto(self, day: date) -> int:
        """Weekdays from a fixed Monday (0001-01-01) up to and including `day`."""
        ordinal = day.toordinal() - 1  # 0001-01-01 is a Monday, ordinal 1
        weeks, rest = divmod(ordinal + 1, 7)
        return weeks * 5 + min(rest, 5)

    def _holidays_upto(self, day: date) -> int:
        return sum(1 for h in self._sorted[: bisect_right(self._sorted, day)] if h.weekday() < 5)

    def _working_upto(self, day: date) -> int:
        """Working days from a fixed origin up to and including `day` (memoised per day)."""
        found = self._counts.get(day)
        if found is None:
            found = self._counts[day] = self._weekdays_upto(day) - self._holidays_upto(day)
        return found

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: 0 if `end` is not after `start`."""
        if end <= start:
            return 0
        return self._working_upto(end) - self._working_upto(start)

    def elapsed(self, entered: datetime, until: datetime) -> int:
        return self.working_days_between(local_date(entered), local_date(until))

    def deadline(self, entered: datetime, working_days: int) -> date:
        """The last day on which the stage is still on time."""
        day, left = local_date(entered), working_days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day
