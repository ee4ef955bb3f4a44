"""process integrity: decision overrides, self-declared user groups and role requests

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-29 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_decision") as batch:
        batch.add_column(
            sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("review_decision") as batch:
        batch.drop_column("override_reason")
