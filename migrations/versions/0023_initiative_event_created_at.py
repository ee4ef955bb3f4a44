"""initiative_event.created_at indexed: the figures' period counts and the weekly report's
decisions read one or two weeks of a million history rows

Revision ID: 0023
Revises: 0015
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_initiative_event_created_at", "initiative_event", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_initiative_event_created_at", table_name="initiative_event")
