"""problems: proposal history (proposal_event, existing proposals get their "submitted" row),
views counted once per visitor and day (problem_view); subscriptions to problems (subscription.subject,
problem_id on subscription_notice and digest_item)

Revision ID: 0016
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0016"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "problem_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visitor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_problem_view_problem_id_problem")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_view")),
        sa.UniqueConstraint(
            "problem_id", "day", "visitor", name=op.f("uq_problem_view_problem_id_day_visitor")
        ),
    )
    with op.batch_alter_table("problem_view", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_problem_view_problem_id"), ["problem_id"], unique=False
        )

    op.create_table(
        "proposal_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_proposal_event_actor_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_proposal_event_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_event")),
    )
    with op.batch_alter_table("proposal_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_event_proposal_id"), ["proposal_id"], unique=False
        )
    op.execute(
        "INSERT INTO proposal_event (proposal_id, actor_id, from_status, to_status, created_at) "
        "SELECT id, proposer_id, NULL, 'submitted', created_at FROM proposal ORDER BY id"
    )

    with op.batch_alter_table("digest_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("problem_id", sa.Integer(), nullable=True))
        batch_op.alter_column("initiative_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_digest_item_problem_id"), ["problem_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_digest_item_subscription_id_problem_id"),
            ["subscription_id", "problem_id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_digest_item_problem_id_problem"), "problem", ["problem_id"], ["id"]
        )

    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject", sa.String(length=20), nullable=False, server_default="initiatives")
        )

    with op.batch_alter_table("subscription_notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("problem_id", sa.Integer(), nullable=True))
        batch_op.alter_column("initiative_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_subscription_notice_problem_id"), ["problem_id"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_subscription_notice_user_id_problem_id"), ["user_id", "problem_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_subscription_notice_problem_id_problem"),
            "problem",
            ["problem_id"],
            ["id"],
        )


def downgrade() -> None:
    # What only problems had goes: their notices, digest items and subscriptions.
    op.execute("DELETE FROM subscription_notice WHERE problem_id IS NOT NULL")
    op.execute(
        "DELETE FROM digest_item WHERE problem_id IS NOT NULL OR subscription_id IN "
        "(SELECT id FROM subscription WHERE subject = 'problems')"
    )
    op.execute("DELETE FROM subscription WHERE subject = 'problems'")
    with op.batch_alter_table("subscription_notice", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_subscription_notice_problem_id_problem"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_subscription_notice_user_id_problem_id"), type_="unique"
        )
        batch_op.drop_index(batch_op.f("ix_subscription_notice_problem_id"))
        batch_op.alter_column("initiative_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("problem_id")

    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_column("subject")

    with op.batch_alter_table("digest_item", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_digest_item_problem_id_problem"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_digest_item_subscription_id_problem_id"), type_="unique"
        )
        batch_op.drop_index(batch_op.f("ix_digest_item_problem_id"))
        batch_op.alter_column("initiative_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("problem_id")

    with op.batch_alter_table("proposal_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_event_proposal_id"))

    op.drop_table("proposal_event")
    with op.batch_alter_table("problem_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_view_problem_id"))

    op.drop_table("problem_view")
