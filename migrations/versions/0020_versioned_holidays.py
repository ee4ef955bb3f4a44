"""reports: public holidays versioned (effective from a moment, removal is a new version)

Revision ID: 0020
Revises: 0014

The existing holidays become versions in force since 2000-01-01 UTC (they applied to
every past figure so far); downgrading keeps each day's current version.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SINCE = datetime(2000, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    old = sa.table(
        "public_holiday",
        sa.column("day", sa.Date()),
        sa.column("name_vi", sa.String()),
        sa.column("name_en", sa.String()),
    )
    rows = [dict(r._mapping) for r in op.get_bind().execute(sa.select(old))]
    op.drop_table("public_holiday")
    table = op.create_table(
        "public_holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("valid_from", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["user.id"], name=op.f("fk_public_holiday_set_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_holiday")),
        sa.UniqueConstraint("day", "valid_from", name=op.f("uq_public_holiday_day_valid_from")),
    )
    with op.batch_alter_table("public_holiday", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_holiday_day"), ["day"], unique=False)
    op.bulk_insert(table, [{**r, "valid_from": SINCE, "removed": False} for r in rows])


def downgrade() -> None:
    versions = sa.table(
        "public_holiday",
        sa.column("day", sa.Date()),
        sa.column("name_vi", sa.String()),
        sa.column("name_en", sa.String()),
        sa.column("valid_from", app.db.UTCDateTime(timezone=True)),
        sa.column("removed", sa.Boolean()),
    )
    latest: dict = {}
    for r in op.get_bind().execute(sa.select(versions).order_by(versions.c.valid_from)):
        latest[r.day] = r
    rows = [
        {"day": r.day, "name_vi": r.name_vi, "name_en": r.name_en}
        for r in latest.values()
        if not r.removed
    ]
    with op.batch_alter_table("public_holiday", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_holiday_day"))
    op.drop_table("public_holiday")
    table = op.create_table(
        "public_holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_public_holiday")),
    )
    op.bulk_insert(table, rows)
