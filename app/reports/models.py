"""Reports: stage targets, public holidays, saved views, weekly reports and their mails.

Figures are never stored as running counters: they are computed from the
append-only initiative history (`InitiativeEvent`), so a past week rebuilt
later gives the same numbers. `WeeklyReport` archives what was built;
`WeeklyReportMail` makes "one mail per recipient per week" a unique constraint.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class StageTarget(SQLModel, table=True):
    """A stage's service-level target in working days and its responsible unit, from `valid_from`.

    Append-only: changing a target adds a row. A stage passage is measured against the
    target in force when it was entered, so past figures do not change with new targets.
    """

    __tablename__ = "stage_target"
    __table_args__ = (UniqueConstraint("stage", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    stage: str = Field(sa_type=String(30))
    valid_from: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    working_days: int
    unit_vi: str = Field(max_length=200)
    unit_en: str = Field(max_length=200)
    set_by_id: int | None = Field(default=None, foreign_key="user.id")

    def unit(self, language: str) -> str:
        return self.unit_en if language == "en" else self.unit_vi


class PublicHoliday(SQLModel, table=True):
    """One version of a day's status: from `valid_from`, `day` is a day off in Vietnam besides
    weekends (or, with `removed`, no longer is). Tết moves every year, so admins maintain these.

    Append-only like the stage targets: the calendar in force at a moment is each day's
    latest version from before it, so past figures stay as they were computed.
    """

    __tablename__ = "public_holiday"
    __table_args__ = (UniqueConstraint("day", "valid_from"),)

    id: int = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    valid_from: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed: bool = False
    set_by_id: int | None = Field(default=None, foreign_key="user.id")


class SavedView(SQLModel, table=True):
    """A coordinator's set of fields and provinces, used for their dashboard and own report."""

    __tablename__ = "saved_view"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=120)
    field_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    provinces: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WeeklyReport(SQLModel, table=True):
    """The archived national report of one ISO week (Monday `week_start`, Vietnam time)."""

    __tablename__ = "weekly_report"

    id: int | None = Field(default=None, primary_key=True)
    week_start: date = Field(unique=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    built_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WeeklyReportMail(SQLModel, table=True):
    """A weekly report queued to one recipient; the unique pair makes a second worker's try fail."""

    __tablename__ = "weekly_report_mail"
    __table_args__ = (UniqueConstraint("week_start", "recipient"),)

    id: int | None = Field(default=None, primary_key=True)
    week_start: date
    recipient: str = Field(max_length=320)
    queued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
