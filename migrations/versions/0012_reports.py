"""reports: stage targets, public holidays (2026 seeded), saved views, weekly reports and their mails

Revision ID: 0012
Revises: 0010
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOLIDAYS_2026 = [
    (date(2026, 1, 1), "Tết Dương lịch", "New Year's Day"),
    *((date(2026, 2, d), "Tết Nguyên đán", "Lunar New Year (Tết)") for d in (16, 17, 18, 19, 20)),
    (date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)", "Hung Kings' Day (in lieu)"),
    (date(2026, 4, 30), "Ngày Giải phóng miền Nam", "Reunification Day"),
    (date(2026, 5, 1), "Ngày Quốc tế Lao động", "International Labour Day"),
    (date(2026, 9, 1), "Quốc khánh", "National Day"),
    (date(2026, 9, 2), "Quốc khánh", "National Day"),
]


def upgrade() -> None:
    op.create_table(
        "stage_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("valid_from", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("unit_vi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("unit_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["user.id"], name=op.f("fk_stage_target_set_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_target")),
        sa.UniqueConstraint("stage", "valid_from", name=op.f("uq_stage_target_stage_valid_from")),
    )
    holiday = op.create_table(
        "public_holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_public_holiday")),
    )
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("field_ids", sa.JSON(), nullable=False),
        sa.Column("provinces", sa.JSON(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_saved_view_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
    )
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_view_user_id"), ["user_id"], unique=False)
    op.create_table(
        "weekly_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("built_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_report")),
        sa.UniqueConstraint("week_start", name=op.f("uq_weekly_report_week_start")),
    )
    op.create_table(
        "weekly_report_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("queued_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_report_mail")),
        sa.UniqueConstraint(
            "week_start", "recipient", name=op.f("uq_weekly_report_mail_week_start_recipient")
        ),
    )
    op.bulk_insert(
        holiday, [{"day": d, "name_vi": vi, "name_en": en} for d, vi, en in HOLIDAYS_2026]
    )


def downgrade() -> None:
    op.drop_table("weekly_report_mail")
    op.drop_table("weekly_report")
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_view_user_id"))
    op.drop_table("saved_view")
    op.drop_table("public_holiday")
    op.drop_table("stage_target")
