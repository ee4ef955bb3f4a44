"""exchange: intermediaries facilitating a deal with both parties' consent; deals on a problem's awarded proposal

Revision ID: 0019
Revises: 0014
Create Date: 2026-11-30 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0019"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deal_facilitator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", app.db.UTCDateTime(), nullable=False),
        sa.Column("initiative_consent_by_id", sa.Integer(), nullable=True),
        sa.Column("initiative_consent_at", app.db.UTCDateTime(), nullable=True),
        sa.Column("counterparty_consent_by_id", sa.Integer(), nullable=True),
        sa.Column("counterparty_consent_at", app.db.UTCDateTime(), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", app.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counterparty_consent_by_id"],
            ["user.id"],
            name=op.f("fk_deal_facilitator_counterparty_consent_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deal.id"], name=op.f("fk_deal_facilitator_deal_id_deal")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_consent_by_id"],
            ["user.id"],
            name=op.f("fk_deal_facilitator_initiative_consent_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_deal_facilitator_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["intermediary_profile.id"],
            name=op.f("fk_deal_facilitator_profile_id_intermediary_profile"),
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"], ["user.id"], name=op.f("fk_deal_facilitator_removed_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user.id"],
            name=op.f("fk_deal_facilitator_requested_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_facilitator")),
    )
    with op.batch_alter_table("deal_facilitator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_facilitator_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deal_facilitator_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deal_facilitator_profile_id"), ["profile_id"], unique=False
        )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_deal_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_deal_proposal_id_proposal"), "proposal", ["proposal_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_deal_proposal_id_proposal"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_deal_proposal_id"))
        batch_op.drop_column("proposal_id")
    with op.batch_alter_table("deal_facilitator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_facilitator_profile_id"))
        batch_op.drop_index(batch_op.f("ix_deal_facilitator_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_deal_facilitator_deal_id"))
    op.drop_table("deal_facilitator")
