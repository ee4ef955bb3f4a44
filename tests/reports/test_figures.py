"""Exact figures on the constructed data set (tests/reports/helpers.py), frozen at NOW."""

from __future__ import annotations

from datetime import date

from app.accounts.models import Role
from app.reports import figures, service
from app.reports.calendar import HOLIDAYS_2026, WorkingCalendar
from app.reports.figures import percentile
from app.reports.models import PublicHoliday
from tests import factories
from tests.reports.helpers import NOW, add_initiative, build, set_targets, vn


def test_working_days_skip_weekends_and_tet():
    calendar = WorkingCalendar({d for d, _vi, _en in HOLIDAYS_2026})
    # Thursday 12 Feb to Monday 23 Feb crosses a weekend, Tết (16–20) and another weekend: 2 days.
    assert calendar.elapsed(vn(2026, 2, 12), vn(2026, 2, 23)) == 2
    assert calendar.working_days_between(date(2026, 2, 12), date(2026, 2, 23)) == 2
    # Without the holidays the same span is 7 working days.
    assert WorkingCalendar(set()).working_days_between(date(2026, 2, 12), date(2026, 2, 23)) == 7
    assert calendar.working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1  # Fri→Mon
    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert calendar.deadline(vn(2026, 2, 12), 3) == date(2026, 2, 24)
    assert calendar.deadline(vn(2026, 4, 29), 2) == date(2026, 5, 5)  # 30/4, 1/5 and a weekend


def test_percentile_interpolates_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([2.0, 6.0, 11.0], 0.5) == 6.0
    assert percentile([2.0, 6.0, 11.0], 0.9) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5


def test_statistics_of_the_constructed_data_set(session):
    build(session)
    stats = service.statistics(session, now=NOW)
    assert stats["totals"] == {
        "received": 5,
        "in_screening": 1,
        "in_review": 1,
        "selected": 1,
        "published": 1,
        "commercialising": 0,
        "rejected": 1,
    }
    assert stats["now"] == {
        "submitted": 1,
        "screening": 1,
        "in_review": 1,
        "returned_for_revision": 0,
        "selected": 0,
        "published": 1,
        "commercialising": 0,
    }
    assert stats["period"] == {
        "received": 1,
        "screening": 0,
        "in_review": 1,
        "selected": 0,
        "rejected": 0,
        "published": 0,
        "commercialising": 0,
        "in_screening": 0,
        "in_review_entered": 1,
    }
    assert stats["acceptance_rate"] == 0.5
    assert stats["decided_on_time_share"] == 0.875
    assert stats["stages"] == [
        {
            "stage": "submitted", "spells": 4, "median_days": 1.0, "p90_days": 1.0,
            "target_working_days": 2, "unit_vi": "Văn phòng tiếp nhận", "unit_en": "Reception office",
            "done": 4, "on_time": 4, "on_time_share": 1.0, "open": 1, "overdue": 0,
        },
        {
            # 2 days (on time), 6 days over 4 working days (late), 11 days over a weekend and
            # Tết that are 2 working days (on time); one still open for 4 working days (overdue).
            "stage": "screening", "spells": 3, "median_days": 6.0, "p90_days": 10.0,
            "target_working_days": 3, "unit_vi": "Phòng Sàng lọc", "unit_en": "Screening office",
            "done": 3, "on_time": 2, "on_time_share": 0.6667, "open": 1, "overdue": 1,
        },
        {
            "stage": "in_review", "spells": 1, "median_days": 12.0, "p90_days": 12.0,
            "target_working_days": 10, "unit_vi": "Hội đồng chuyên gia", "unit_en": "Expert council",
            "done": 1, "on_time": 1, "on_time_share": 1.0, "open": 1, "overdue": 0,
        },
        {
            "stage": "selected", "spells": 1, "median_days": 2.0, "p90_days": 2.0,
            "target_working_days": None, "unit_vi": None, "unit_en": None,
            "done": 0, "on_time": 0, "on_time_share": None, "open": 0, "overdue": 0,
        },
    ]  # fmt: skip
    assert stats["units"] == [
        {"unit_vi": "Hội đồng chuyên gia", "unit_en": "Expert council", "done": 1, "on_time": 1, "open": 1, "overdue": 0, "on_time_share": 1.0},
        {"unit_vi": "Phòng Sàng lọc", "unit_en": "Screening office", "done": 3, "on_time": 2, "open": 1, "overdue": 1, "on_time_share": 0.6667},
        {"unit_vi": "Văn phòng tiếp nhận", "unit_en": "Reception office", "done": 4, "on_time": 4, "open": 1, "overdue": 0, "on_time_share": 1.0},
    ]  # fmt: skip
    assert [(r["key"], r["received"], r["published"]) for r in stats["by_field"]] == [
        ("digital_technology", 3, 1),
        ("agriculture_environment", 2, 0),
    ]
    assert [(r["key"], r["received"], r["published"]) for r in stats["by_province"]] == [
        ("Hà Nội", 3, 1),
        ("Huế", 2, 0),
    ]
    assert [(r["key"], r["received"], r["published"]) for r in stats["by_organisation_type"]] == [
        ("university", 3, 1),
        ("enterprise", 1, 0),
        ("none", 1, 0),
    ]
    assert stats["by_month"] == [
        {"month": "2026-01", "received": 1, "published": 1},
        {"month": "2026-02", "received": 4, "published": 0},
    ]
    assert [
        (r["receipt_code"], r["stage"], r["elapsed_working_days"]) for r in stats["overdue_items"]
    ] == [("SK-2026-000004", "screening", 4)]


def test_stage_clock_counts_working_days_against_the_target(session):
    data = build(session)
    clock = service.stage_clock(session, data.initiatives["I4"], now=NOW)
    assert clock is not None
    assert (clock["elapsed_working_days"], clock["target_working_days"]) == (4, 3)
    assert clock["deadline"] == date(2026, 2, 24)
    assert clock["overdue"] is True
    assert clock["unit_vi"] == "Phòng Sàng lọc"
    # In review since Monday 23 Feb: two working days of ten.
    clock = service.stage_clock(session, data.initiatives["I3"], now=NOW)
    assert clock is not None and (clock["elapsed_working_days"], clock["overdue"]) == (2, False)
    # A published initiative's stage has no target.
    assert service.stage_clock(session, data.initiatives["I1"], now=NOW) is None


def test_a_scope_limits_the_figures(session):
    build(session)
    from app.reports.figures import Scope

    stats = service.statistics(session, now=NOW, scope=Scope(provinces=("Huế",)))
    assert stats["totals"]["received"] == 2
    assert stats["totals"]["in_screening"] == 0


def test_holidays_are_versioned_so_past_figures_stay_reproducible(session):
    build(session)
    before = service.statistics(session, now=NOW)
    # Friday 13 Feb declared a day off from 24 Feb: as of NOW (25 Feb) I4 has been in
    # screening for three working days (23, 24, 25), no longer four, so it is on time.
    session.add(PublicHoliday(day=date(2026, 2, 13), name_vi="Nghỉ bù", name_en="Day in lieu", valid_from=vn(2026, 2, 24, 0)))  # fmt: skip
    # ... and a working day again from 1 March: figures as of NOW do not see this.
    session.add(PublicHoliday(day=date(2026, 2, 13), name_vi="Nghỉ bù", name_en="Day in lieu", valid_from=vn(2026, 3, 1, 0), removed=True))  # fmt: skip
    session.commit()
    assert WorkingCalendar.load(session, at=vn(2026, 2, 23)).is_working_day(date(2026, 2, 13))
    assert not WorkingCalendar.load(session, at=NOW).is_working_day(date(2026, 2, 13))
    assert WorkingCalendar.load(session).is_working_day(date(2026, 2, 13))
    now = service.statistics(session, now=NOW)
    screening = next(s for s in now["stages"] if s["stage"] == "screening")
    assert (screening["open"], screening["overdue"], screening["on_time"]) == (1, 0, 2)
    assert now["overdue_items"] == []
    assert next(s for s in before["stages"] if s["stage"] == "screening")["overdue"] == 1
    assert {k: v for k, v in now.items() if k not in ("stages", "units", "overdue_items")} == {
        k: v for k, v in before.items() if k not in ("stages", "units", "overdue_items")
    }


def test_the_sql_figures_of_a_small_hand_computed_case(session):
    """Two initiatives, three cutoffs (two weekly periods): a resubmission after revision
    (counted once as received, every entry in the periods), two events at the same moment
    (a zero-day passage), and open passages whose clock crosses a weekend and Tết."""
    submitter = factories.user(session, Role.submitter)
    set_targets(session)
    add_initiative(session, submitter, "SK-2026-000101", [("submitted", vn(2026, 2, 2)), ("screening", vn(2026, 2, 3)), ("returned_for_revision", vn(2026, 2, 4)), ("submitted", vn(2026, 2, 9)), ("screening", vn(2026, 2, 10)), ("in_review", vn(2026, 2, 17))], province="Huế")  # fmt: skip
    add_initiative(session, submitter, "SK-2026-000102", [("submitted", vn(2026, 2, 10)), ("screening", vn(2026, 2, 10))], province="Huế")  # fmt: skip
    first, second = figures.compute(session, [vn(2026, 2, 2, 0), vn(2026, 2, 9, 0), vn(2026, 2, 16, 0)])  # fmt: skip
    assert (first["totals"]["received"], first["period"]["received"]) == (1, 1)
    assert first["period"]["screening"] == 1
    assert first["now"]["returned_for_revision"] == 1 and first["now"]["screening"] == 0
    assert (second["totals"]["received"], second["period"]["received"]) == (2, 1)
    assert second["period"]["screening"] == 2  # A's second entry and B's
    assert second["reached"]["screening"] == 2 and second["reached"]["in_review"] == 0
    assert second["now"]["screening"] == 2 and second["now"]["returned_for_revision"] == 0
    stages = {s["stage"]: s for s in second["stages"]}
    # Submitted passages: 1, 1 and 0 days (median 1, p90 between ranks 1 and 2: 1).
    assert (stages["submitted"]["spells"], stages["submitted"]["median_days"], stages["submitted"]["p90_days"]) == (3, 1.0, 1.0)  # fmt: skip
    assert (stages["submitted"]["done"], stages["submitted"]["on_time"]) == (3, 3)
    # Screening: one passage of a day ended; two open since Tuesday 10 Feb. On Monday 16 Feb
    # (Tết) three working days have passed (11, 12, 13): at the target of three, not over it.
    assert (stages["screening"]["spells"], stages["screening"]["done"], stages["screening"]["on_time"]) == (1, 1, 1)  # fmt: skip
    assert (stages["screening"]["open"], stages["screening"]["overdue"]) == (2, 0)
    assert second["overdue_items"] == []
    assert second["by_month"] == [{"month": "2026-02", "received": 2, "published": 0}]
    assert [(r["key"], r["received"]) for r in second["by_province"]] == [("Huế", 2)]
    # A week later.
    later = figures.compute(session, [vn(2026, 2, 16, 0), vn(2026, 2, 23, 8)])[0]
    screening = next(s for s in later["stages"] if s["stage"] == "screening")
    # A left screening on the 17th (Tết): 11, 12, 13 = three working days, on time. B is
    # still open on Monday 23 Feb: 11, 12, 13, 23 = four working days, overdue.
    assert (screening["done"], screening["on_time"], screening["open"], screening["overdue"]) == (2, 2, 1, 1)  # fmt: skip
    assert [r["receipt_code"] for r in later["overdue_items"]] == ["SK-2026-000102"]
