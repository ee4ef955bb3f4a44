"""matching: problem_vector, near_duplicate, match_invitation

Revision ID: 0018
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0018"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "problem_vector",
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("text_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_problem_vector_problem_id_problem")
        ),
        sa.PrimaryKeyConstraint("problem_id", "model", name=op.f("pk_problem_vector")),
    )
    op.create_table(
        "near_duplicate",
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("closeness", sa.Float(), nullable=False),
        sa.Column("found_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_near_duplicate_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["other_id"], ["initiative.id"], name=op.f("fk_near_duplicate_other_id_initiative")
        ),
        sa.PrimaryKeyConstraint("initiative_id", "other_id", name=op.f("pk_near_duplicate")),
    )
    op.create_table(
        "match_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_match_invitation_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["user.id"], name=op.f("fk_match_invitation_invited_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_match_invitation_problem_id_problem")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_invitation")),
        sa.UniqueConstraint(
            "problem_id", "initiative_id", name=op.f("uq_match_invitation_problem_id_initiative_id")
        ),
    )
    with op.batch_alter_table("match_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_invitation_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_match_invitation_problem_id"), ["problem_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("match_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_invitation_problem_id"))
        batch_op.drop_index(batch_op.f("ix_match_invitation_initiative_id"))
    op.drop_table("match_invitation")
    op.drop_table("near_duplicate")
    op.drop_table("problem_vector")
