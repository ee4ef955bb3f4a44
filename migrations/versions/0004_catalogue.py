"""catalogue: synonym groups for search, seeded with the common equivalents

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEED = [
    ["ai", "trí tuệ nhân tạo"],
    ["iot", "internet vạn vật"],
    ["5g", "mạng 5g", "di động thế hệ thứ năm"],
    ["bán dẫn", "chip"],
]


def upgrade() -> None:
    table = op.create_table(
        "synonym_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_synonym_group_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synonym_group")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        table, [{"terms": terms, "updated_by_id": None, "updated_at": now} for terms in SEED]
    )


def downgrade() -> None:
    op.drop_table("synonym_group")
