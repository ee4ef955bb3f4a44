"""Demo data of the reports domain: stage targets with responsible units, a saved view,
last week's archived report and today's open data (so every page has something to show)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from app.accounts.models import User
from app.db import utcnow
from app.reports import opendata, weekly
from app.reports.models import SavedView, StageTarget

TARGETS = (
    ("submitted", 2, "Văn phòng tiếp nhận hồ sơ", "Submissions office"),
    ("screening", 5, "Vụ Đánh giá, Thẩm định và Giám định công nghệ", "Technology assessment department"),
    ("in_review", 15, "Hội đồng chuyên gia", "Expert council"),
    ("selected", 5, "Cục Thông tin khoa học và công nghệ quốc gia", "National science and technology information agency"),
)  # fmt: skip


def load(session: Session, users: dict[str, User]) -> None:
    since = datetime(2025, 1, 1, tzinfo=UTC)
    for stage, days, vi, en in TARGETS:
        session.add(
            StageTarget(stage=stage, valid_from=since, working_days=days, unit_vi=vi, unit_en=en)
        )
    coordinator = users.get("dieuphoi@sangkien.local")
    if coordinator is not None and coordinator.id is not None:
        session.add(
            SavedView(
                user_id=coordinator.id,
                name="Hà Nội và TP. Hồ Chí Minh",
                field_ids=[],
                provinces=["Hà Nội", "TP. Hồ Chí Minh"],
            )
        )
    session.flush()
    monday = weekly.last_full_week(utcnow())
    if weekly.archived(session, monday) is None:
        session.add(weekly.WeeklyReport(week_start=monday, data=weekly.build(session, monday)))
    session.flush()
    opendata.regenerate(session)
