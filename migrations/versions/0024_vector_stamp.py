"""matching: vector_stamp (one row per kind and model, bumped with every vector written or
deleted, so a worker checks its matrix with one primary-key read)

Revision ID: 0024
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vector_stamp",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "model", name=op.f("pk_vector_stamp")),
    )


def downgrade() -> None:
    op.drop_table("vector_stamp")
