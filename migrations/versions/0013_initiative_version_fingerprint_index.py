"""initiative_version.fingerprint indexed: the exact-duplicate check at submission is a lookup

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 22:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("initiative_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_version_fingerprint"), ["fingerprint"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("initiative_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_version_fingerprint"))
