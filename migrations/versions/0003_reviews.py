"""reviews and publication: rubrics (default rubric seeded), rounds, assignments, conflicts, reviews, decisions, certificates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 15:54:42.602402
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_NAME = "Sáng kiến đột phá (Nghị quyết 57)"
DEFAULT_DESCRIPTION = "Năm tiêu chí đã công bố để đánh giá sáng kiến đột phá, trọng số bằng nhau."
DEFAULT_CRITERIA = [
    (
        "novelty",
        "Tính mới và sáng tạo",
        "Novelty and creativity",
        "Ý tưởng, giải pháp mới so với những gì đã có; mức độ sáng tạo.",
    ),
    (
        "breakthrough",
        "Tính đột phá, tháo gỡ điểm nghẽn",
        "Breakthrough: removes a bottleneck",
        "Giải quyết được điểm nghẽn, nút thắt cụ thể của ngành, lĩnh vực hoặc địa phương.",
    ),
    (
        "feasibility",
        "Tính khả thi, có lộ trình thực hiện",
        "Feasibility with a roadmap",
        "Có lộ trình, nguồn lực và điều kiện thực hiện rõ ràng, khả thi.",
    ),
    (
        "impact",
        "Tác động và khả năng lan tỏa",
        "Impact and spillover",
        "Hiệu quả kinh tế – xã hội dự kiến và khả năng nhân rộng, lan tỏa.",
    ),
    (
        "resources",
        "Khả năng huy động nguồn lực",
        "Ability to mobilise resources",
        "Khả năng huy động vốn, nhân lực, hợp tác công – tư để triển khai.",
    ),
]


def upgrade() -> None:
    op.create_table(
        "certificate_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_certificate_counter")),
    )
    op.create_table(
        "review_rubric",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("field_id", sa.Integer(), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_review_rubric_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["field_id"], ["field.id"], name=op.f("fk_review_rubric_field_id_field")
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["review_rubric.id"],
            name=op.f("fk_review_rubric_previous_id_review_rubric"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_rubric")),
    )
    with op.batch_alter_table("review_rubric", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_rubric_field_id"), ["field_id"], unique=False)

    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("organisation_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column(
            "content_fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.Column("seal", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("revoked_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_certificate_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["user.id"], name=op.f("fk_certificate_issued_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("number", name=op.f("uq_certificate_number")),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "review_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=True),
        sa.Column("declared_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["declared_by_id"], ["user.id"], name=op.f("fk_review_conflict_declared_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_review_conflict_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user.id"], name=op.f("fk_review_conflict_reviewer_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_conflict")),
        sa.UniqueConstraint(
            "reviewer_id",
            "initiative_id",
            name=op.f("uq_review_conflict_reviewer_id_initiative_id"),
        ),
    )
    with op.batch_alter_table("review_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_conflict_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_conflict_reviewer_id"), ["reviewer_id"], unique=False
        )

    op.create_table(
        "review_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("scale_min", sa.Float(), nullable=False),
        sa.Column("scale_max", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rubric_id"],
            ["review_rubric.id"],
            name=op.f("fk_review_criterion_rubric_id_review_rubric"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_criterion")),
        sa.UniqueConstraint("rubric_id", "code", name=op.f("uq_review_criterion_rubric_id_code")),
    )
    with op.batch_alter_table("review_criterion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_criterion_rubric_id"), ["rubric_id"], unique=False
        )

    op.create_table(
        "review_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("rubric_id", sa.Integer(), nullable=False),
        sa.Column("due_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviews_wanted", sa.Integer(), nullable=False),
        sa.Column("blind", sa.Boolean(), nullable=False),
        sa.Column("max_load", sa.Integer(), nullable=False),
        sa.Column("disagreement_threshold", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_review_round_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["rubric_id"],
            ["review_rubric.id"],
            name=op.f("fk_review_round_rubric_id_review_rubric"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_round")),
    )
    with op.batch_alter_table("review_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_round_rubric_id"), ["rubric_id"], unique=False)

    op.create_table(
        "summary_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("responded_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("response_note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_summary_proposal_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["user.id"], name=op.f("fk_summary_proposal_proposed_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_proposal")),
    )
    with op.batch_alter_table("summary_proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_summary_proposal_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "review_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("match_score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("responded_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("conflict_declared_none_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confidentiality_accepted_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["user.id"], name=op.f("fk_review_assignment_assigned_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_review_assignment_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user.id"], name=op.f("fk_review_assignment_reviewer_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["review_round.id"],
            name=op.f("fk_review_assignment_round_id_review_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignment")),
        sa.UniqueConstraint(
            "round_id",
            "initiative_id",
            "reviewer_id",
            name=op.f("uq_review_assignment_round_id_initiative_id_reviewer_id"),
        ),
    )
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_assignment_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_assignment_reviewer_id"), ["reviewer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_assignment_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_assignment_status"), ["status"], unique=False)

    op.create_table(
        "review_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("rationale", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_review_decision_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_review_decision_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["review_round.id"], name=op.f("fk_review_decision_round_id_review_round")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decision")),
    )
    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_decision_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_decision_round_id"), ["round_id"], unique=False)

    op.create_table(
        "review_round_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("added_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_review_round_item_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["review_round.id"],
            name=op.f("fk_review_round_item_round_id_review_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_round_item")),
        sa.UniqueConstraint(
            "round_id", "initiative_id", name=op.f("uq_review_round_item_round_id_initiative_id")
        ),
    )
    with op.batch_alter_table("review_round_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_round_item_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_round_item_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recommendation", sa.String(length=20), nullable=True),
        sa.Column("comments_for_submitter", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("confidential_comments", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["review_assignment.id"],
            name=op.f("fk_review_assignment_id_review_assignment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_review_assignment_id")),
    )
    op.create_table(
        "review_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("justification", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["review_criterion.id"],
            name=op.f("fk_review_score_criterion_id_review_criterion"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_review_score_review_id_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_score")),
        sa.UniqueConstraint(
            "review_id", "criterion_id", name=op.f("uq_review_score_review_id_criterion_id")
        ),
    )
    with op.batch_alter_table("review_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_score_criterion_id"), ["criterion_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_score_review_id"), ["review_id"], unique=False)

    # The default rubric: the five published criteria for breakthrough initiatives, equal weights.
    # A frozen copy of DEFAULT_NAME/DEFAULT_DESCRIPTION/DEFAULT_CRITERIA in app.reviews.rubrics (a test keeps the two equal).
    rubric = sa.table(
        "review_rubric",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("version", sa.Integer),
        sa.column("description", sa.String),
        sa.column("is_default", sa.Boolean),
        sa.column("created_at", app.db.UTCDateTime),
    )
    criterion = sa.table(
        "review_criterion",
        sa.column("rubric_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name_vi", sa.String),
        sa.column("name_en", sa.String),
        sa.column("description", sa.String),
        sa.column("weight", sa.Float),
        sa.column("scale_min", sa.Float),
        sa.column("scale_max", sa.Float),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        rubric,
        [
            {
                "id": 1,
                "name": DEFAULT_NAME,
                "version": 1,
                "description": DEFAULT_DESCRIPTION,
                "is_default": True,
                "created_at": datetime.now(UTC),
            }
        ],
    )
    op.bulk_insert(
        criterion,
        [
            {
                "rubric_id": 1,
                "code": code,
                "name_vi": name_vi,
                "name_en": name_en,
                "description": description,
                "weight": 1.0,
                "scale_min": 0.0,
                "scale_max": 10.0,
                "position": position,
            }
            for position, (code, name_vi, name_en, description) in enumerate(DEFAULT_CRITERIA)
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('review_rubric', 'id'), 1)")


def downgrade() -> None:
    with op.batch_alter_table("review_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_score_review_id"))
        batch_op.drop_index(batch_op.f("ix_review_score_criterion_id"))

    op.drop_table("review_score")
    op.drop_table("review")

    with op.batch_alter_table("review_round_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_round_item_round_id"))
        batch_op.drop_index(batch_op.f("ix_review_round_item_initiative_id"))

    op.drop_table("review_round_item")
    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_decision_round_id"))
        batch_op.drop_index(batch_op.f("ix_review_decision_initiative_id"))

    op.drop_table("review_decision")
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignment_status"))
        batch_op.drop_index(batch_op.f("ix_review_assignment_round_id"))
        batch_op.drop_index(batch_op.f("ix_review_assignment_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_review_assignment_initiative_id"))

    op.drop_table("review_assignment")

    with op.batch_alter_table("summary_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_summary_proposal_initiative_id"))

    op.drop_table("summary_proposal")
    with op.batch_alter_table("review_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_round_rubric_id"))

    op.drop_table("review_round")
    with op.batch_alter_table("review_criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_criterion_rubric_id"))

    op.drop_table("review_criterion")
    with op.batch_alter_table("review_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_conflict_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_review_conflict_initiative_id"))

    op.drop_table("review_conflict")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_initiative_id"))

    op.drop_table("certificate")

    with op.batch_alter_table("review_rubric", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_rubric_field_id"))

    op.drop_table("review_rubric")
    op.drop_table("certificate_counter")
