"""initiatives: taxonomy of fields (seeded), initiatives, co-authors, attachments, history, versions, access

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 15:53:18.396027
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The six fields of the domain brief (PORTAL.md) with a few sub-fields each; admins edit them afterwards.
FIELDS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    (
        "industry_construction",
        "Công nghiệp và xây dựng",
        "Industry and construction",
        [
            (
                "industry_manufacturing",
                "Cơ khí, chế tạo và tự động hóa",
                "Manufacturing, machinery and automation",
            ),
            ("industry_energy", "Năng lượng", "Energy"),
            ("industry_materials", "Vật liệu mới", "Advanced materials"),
            (
                "industry_construction_urban",
                "Xây dựng và phát triển đô thị",
                "Construction and urban development",
            ),
        ],
    ),
    (
        "agriculture_environment",
        "Nông nghiệp, tài nguyên và môi trường",
        "Agriculture, natural resources and environment",
        [
            ("agri_crops_livestock", "Trồng trọt và chăn nuôi", "Crops and livestock"),
            ("agri_aquaculture", "Thủy sản", "Fisheries and aquaculture"),
            ("agri_water_resources", "Tài nguyên nước và đất đai", "Water and land resources"),
            (
                "agri_environment_climate",
                "Môi trường và biến đổi khí hậu",
                "Environment and climate change",
            ),
        ],
    ),
    (
        "transport_logistics",
        "Giao thông vận tải, bưu chính và logistics",
        "Transport, post and logistics",
        [
            ("transport_smart", "Giao thông thông minh", "Intelligent transport"),
            (
                "transport_logistics_supply",
                "Logistics và chuỗi cung ứng",
                "Logistics and supply chains",
            ),
            ("transport_postal", "Bưu chính và chuyển phát", "Postal and delivery services"),
        ],
    ),
    (
        "education_health_society",
        "Giáo dục, y tế, văn hóa và xã hội",
        "Education, health, culture and society",
        [
            ("society_education", "Giáo dục và đào tạo", "Education and training"),
            ("society_health", "Y tế và dược phẩm", "Health and pharmaceuticals"),
            (
                "society_culture_tourism",
                "Văn hóa, thể thao và du lịch",
                "Culture, sport and tourism",
            ),
            ("society_welfare", "An sinh xã hội", "Social welfare"),
        ],
    ),
    (
        "finance_trade_services",
        "Tài chính, ngân hàng, thương mại và dịch vụ",
        "Finance, banking, trade and services",
        [
            ("finance_fintech", "Công nghệ tài chính", "Financial technology"),
            ("finance_banking", "Ngân hàng và thanh toán", "Banking and payments"),
            ("finance_ecommerce", "Thương mại điện tử và bán lẻ", "E-commerce and retail"),
        ],
    ),
    (
        "digital_technology",
        "Công nghệ số chiến lược",
        "Strategic digital technology",
        [
            ("digital_ai", "Trí tuệ nhân tạo", "Artificial intelligence"),
            ("digital_semiconductors", "Bán dẫn và vi mạch", "Semiconductors and microchips"),
            (
                "digital_data_cloud",
                "Dữ liệu lớn và điện toán đám mây",
                "Big data and cloud computing",
            ),
            ("digital_cybersecurity", "An ninh mạng", "Cybersecurity"),
            (
                "digital_iot_blockchain",
                "Internet vạn vật và chuỗi khối",
                "Internet of things and blockchain",
            ),
        ],
    ),
]


def _seed_fields() -> None:
    field = sa.table(
        "field",
        sa.column("id", sa.Integer),
        sa.column("parent_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name_vi", sa.String),
        sa.column("name_en", sa.String),
        sa.column("position", sa.Integer),
        sa.column("is_active", sa.Boolean),
    )
    bind = op.get_bind()
    for position, (code, name_vi, name_en, children) in enumerate(FIELDS, 1):
        bind.execute(
            field.insert().values(
                code=code,
                name_vi=name_vi,
                name_en=name_en,
                position=position,
                is_active=True,
                parent_id=None,
            )
        )
        parent_id = bind.execute(sa.select(field.c.id).where(field.c.code == code)).scalar_one()
        bind.execute(
            field.insert(),
            [
                {
                    "code": c,
                    "name_vi": vi,
                    "name_en": en,
                    "position": n,
                    "is_active": True,
                    "parent_id": parent_id,
                }
                for n, (c, vi, en) in enumerate(children, 1)
            ],
        )


def upgrade() -> None:
    op.create_table(
        "field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["field.id"], name=op.f("fk_field_parent_id_field")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field")),
        sa.UniqueConstraint("code", name=op.f("uq_field_code")),
    )
    with op.batch_alter_table("field", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_field_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "receipt_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_receipt_counter")),
    )
    op.create_table(
        "initiative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("submitter_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("field_id", sa.Integer(), nullable=True),
        sa.Column("subfield_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("solution", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("novelty", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("feasibility", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("impact", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("resources_wanted", sa.JSON(), nullable=False),
        sa.Column("resources_note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("trl", sa.Integer(), nullable=True),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("ip_status", sa.String(length=20), nullable=False),
        sa.Column("ip_number", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("submitted_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("published_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stage_entered_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"], ["field.id"], name=op.f("fk_initiative_field_id_field")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_initiative_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["subfield_id"], ["field.id"], name=op.f("fk_initiative_subfield_id_field")
        ),
        sa.ForeignKeyConstraint(
            ["submitter_id"], ["user.id"], name=op.f("fk_initiative_submitter_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_initiative_receipt_code")),
    )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_field_id"), ["field_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_initiative_fingerprint"), ["fingerprint"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_initiative_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_initiative_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_initiative_submitter_id"), ["submitter_id"], unique=False
        )

    op.create_table(
        "access_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["user.id"], name=op.f("fk_access_grant_granted_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_access_grant_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["user.id"], name=op.f("fk_access_grant_revoked_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_access_grant_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grant")),
    )
    with op.batch_alter_table("access_grant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_grant_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_access_grant_user_id"), ["user_id"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_attachment_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user.id"], name=op.f("fk_attachment_uploaded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachment_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "co_author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("organisation_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("share_percent", sa.Float(), nullable=False),
        sa.Column("is_submitter", sa.Boolean(), nullable=False),
        sa.Column("can_edit", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_co_author_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_co_author_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_author")),
    )
    with op.batch_alter_table("co_author", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_co_author_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_co_author_user_id"), ["user_id"], unique=False)

    op.create_table(
        "confidential_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_confidential_view_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_confidential_view_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confidential_view")),
    )
    with op.batch_alter_table("confidential_view", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_confidential_view_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_confidential_view_user_id"), ["user_id"], unique=False)

    op.create_table(
        "initiative_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_initiative_event_actor_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_initiative_event_initiative_id_initiative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_event")),
        sa.UniqueConstraint(
            "initiative_id", "seq", name=op.f("uq_initiative_event_initiative_id_seq")
        ),
    )
    with op.batch_alter_table("initiative_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_event_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "initiative_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_initiative_version_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_initiative_version_initiative_id_initiative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_version")),
        sa.UniqueConstraint(
            "initiative_id", "number", name=op.f("uq_initiative_version_initiative_id_number")
        ),
    )
    with op.batch_alter_table("initiative_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_version_initiative_id"), ["initiative_id"], unique=False
        )

    _seed_fields()


def downgrade() -> None:
    with op.batch_alter_table("initiative_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_version_initiative_id"))

    op.drop_table("initiative_version")
    with op.batch_alter_table("initiative_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_event_initiative_id"))

    op.drop_table("initiative_event")
    with op.batch_alter_table("confidential_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confidential_view_user_id"))
        batch_op.drop_index(batch_op.f("ix_confidential_view_initiative_id"))

    op.drop_table("confidential_view")
    with op.batch_alter_table("co_author", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_co_author_user_id"))
        batch_op.drop_index(batch_op.f("ix_co_author_initiative_id"))

    op.drop_table("co_author")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_initiative_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("access_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_grant_user_id"))
        batch_op.drop_index(batch_op.f("ix_access_grant_initiative_id"))

    op.drop_table("access_grant")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_submitter_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_status"))
        batch_op.drop_index(batch_op.f("ix_initiative_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_initiative_field_id"))

    op.drop_table("initiative")
    op.drop_table("receipt_counter")
    with op.batch_alter_table("field", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_parent_id"))

    op.drop_table("field")
