"""exchange: deals, offers, NDAs (standard mutual NDA in Vietnamese and English seeded), agreements, results, intermediary profiles and service requests

Revision ID: 0011
Revises: 0013
Create Date: 2026-11-29 22:01:13.321353
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0011"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The standard mutual NDA, version 1 in each language. The text is frozen here: a new text is a new
# version added by a coordinator, and acceptances keep the hash of the exact text accepted.
NDA_VI_TITLE = "Thỏa thuận bảo mật thông tin hai chiều (mẫu chuẩn)"
NDA_VI = """THỎA THUẬN BẢO MẬT THÔNG TIN HAI CHIỀU

Thỏa thuận này được xác lập bằng phương thức điện tử trên Cổng sáng kiến khoa học và công nghệ giữa bên có sáng kiến (tác giả, chủ sở hữu sáng kiến) và bên đối tác (tổ chức tiếp nhận, đầu tư hoặc hợp tác), gọi chung là "các Bên".

Điều 1. Thông tin mật
Thông tin mật là mọi thông tin kỹ thuật, kinh doanh, tài chính, bí quyết, dữ liệu, tài liệu mà một Bên tiết lộ cho Bên kia trong quá trình trao đổi về sáng kiến và giao dịch, bao gồm các phần bảo mật của hồ sơ sáng kiến và nội dung các đề nghị, trừ thông tin đã được công bố công khai không do lỗi của Bên nhận.

Điều 2. Nghĩa vụ của Bên nhận
Bên nhận chỉ sử dụng thông tin mật để đánh giá và đàm phán giao dịch; không tiết lộ cho bên thứ ba khi chưa có sự đồng ý bằng văn bản của Bên tiết lộ; chỉ cho người lao động, cố vấn có nhu cầu cần biết và chịu nghĩa vụ bảo mật tương đương tiếp cận; áp dụng biện pháp bảo vệ không thấp hơn biện pháp bảo vệ thông tin mật của chính mình.

Điều 3. Quyền sở hữu trí tuệ
Việc tiết lộ thông tin mật không chuyển giao bất kỳ quyền sở hữu trí tuệ hay quyền sử dụng nào. Mọi chuyển giao chỉ phát sinh theo hợp đồng riêng được các Bên ký kết theo Luật Chuyển giao công nghệ và Luật Sở hữu trí tuệ.

Điều 4. Thời hạn
Thỏa thuận có hiệu lực từ thời điểm chấp nhận và nghĩa vụ bảo mật kéo dài năm (05) năm kể từ lần tiết lộ cuối cùng. Khi một Bên yêu cầu, Bên kia hoàn trả hoặc hủy thông tin mật đã nhận.

Điều 5. Luật áp dụng
Thỏa thuận được điều chỉnh bởi pháp luật Việt Nam. Tranh chấp được giải quyết trước hết bằng thương lượng, sau đó tại cơ quan có thẩm quyền của Việt Nam.

Việc chấp nhận trên Cổng được ghi nhận cùng họ tên, tổ chức, thời điểm, địa chỉ mạng, phiên bản mẫu và mã băm SHA-256 của đúng văn bản này, có giá trị như chữ ký của người chấp nhận theo Luật Giao dịch điện tử."""
NDA_EN_TITLE = "Mutual non-disclosure agreement (standard template)"
NDA_EN = """MUTUAL NON-DISCLOSURE AGREEMENT

This agreement is concluded electronically on the Science and Technology Initiative Portal between the initiative's side (its authors and owner) and the counterparty (the organisation adopting, investing in or partnering on the initiative), together "the Parties".

1. Confidential information
Confidential information is any technical, business or financial information, know-how, data or document that one Party discloses to the other while discussing the initiative and the deal, including the confidential sections of the initiative and the content of offers, except information that became public through no fault of the receiving Party.

2. Obligations of the receiving Party
The receiving Party uses confidential information only to evaluate and negotiate the deal; does not disclose it to third parties without the disclosing Party's written consent; gives access only to employees and advisers who need to know and are bound by equivalent confidentiality; and protects it at least as well as its own confidential information.

3. Intellectual property
Disclosure transfers no intellectual property right or licence. Any transfer arises only under a separate contract signed by the Parties under the Law on Technology Transfer and the Law on Intellectual Property.

4. Term
This agreement takes effect on acceptance; the confidentiality obligations last five (5) years from the last disclosure. On request, each Party returns or destroys the confidential information received.

5. Governing law
This agreement is governed by the law of Viet Nam. Disputes are settled first by negotiation, then before the competent authorities of Viet Nam.

Acceptance on the Portal is recorded with the name, organisation, time, network address, template version and the SHA-256 hash of exactly this text, and has the effect of the accepting person's signature under the Law on Electronic Transactions."""


def _seed_nda_templates() -> None:
    table = sa.table(
        "nda_template",
        sa.column("language", sa.String),
        sa.column("version", sa.Integer),
        sa.column("title", sa.String),
        sa.column("body", sa.String),
        sa.column("sha256", sa.String),
        sa.column("created_at", app.db.UTCDateTime(timezone=True)),
    )
    now = app.db.utcnow()
    op.bulk_insert(
        table,
        [
            {
                "language": language,
                "version": 1,
                "title": title,
                "body": body,
                "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
                "created_at": now,
            }
            for language, title, body in [
                ("vi", NDA_VI_TITLE, NDA_VI),
                ("en", NDA_EN_TITLE, NDA_EN),
            ]
        ],
    )


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "nda_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_nda_template_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nda_template")),
        sa.UniqueConstraint("language", "version", name=op.f("uq_nda_template_language_version")),
    )
    op.create_table(
        "exchange_setting",
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("open_confidential_after_nda", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_exchange_setting_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_exchange_setting_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("initiative_id", name=op.f("pk_exchange_setting")),
    )
    op.create_table(
        "deal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("contact_request_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_band", sa.String(length=20), nullable=True),
        sa.Column("instrument", sa.String(length=20), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("stage_entered_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("abandon_reason", sa.String(length=30), nullable=True),
        sa.Column("abandon_note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_request_id"],
            ["contact_request.id"],
            name=op.f("fk_deal_contact_request_id_contact_request"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_deal_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_deal_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_deal_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal")),
    )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deal_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deal_stage"), ["stage"], unique=False)

    op.create_table(
        "deal_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_deal_event_actor_id_user")
        ),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_deal_event_deal_id_deal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_event")),
        sa.UniqueConstraint("deal_id", "seq", name=op.f("uq_deal_event_deal_id_seq")),
    )
    with op.batch_alter_table("deal_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_event_deal_id"), ["deal_id"], unique=False)

    op.create_table(
        "deal_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("territory", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("duration_months", sa.Integer(), nullable=True),
        sa.Column("value_vnd", sa.BigInteger(), nullable=True),
        sa.Column("milestones", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_deal_offer_author_id_user")
        ),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_deal_offer_deal_id_deal")),
        sa.ForeignKeyConstraint(
            ["responded_by_id"], ["user.id"], name=op.f("fk_deal_offer_responded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_offer")),
        sa.UniqueConstraint("deal_id", "version", name=op.f("uq_deal_offer_deal_id_version")),
    )
    with op.batch_alter_table("deal_offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_offer_deal_id"), ["deal_id"], unique=False)

    op.create_table(
        "deal_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("indicator", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("before", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("after", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["user.id"], name=op.f("fk_deal_result_confirmed_by_id_user")
        ),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_deal_result_deal_id_deal")),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["user.id"], name=op.f("fk_deal_result_reported_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_result")),
        sa.UniqueConstraint("deal_id", name=op.f("uq_deal_result_deal_id")),
    )
    op.create_table(
        "nda_acceptance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("text_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "organisation_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False
        ),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("accepted_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deal.id"], name=op.f("fk_nda_acceptance_deal_id_deal")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["nda_template.id"],
            name=op.f("fk_nda_acceptance_template_id_nda_template"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_nda_acceptance_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nda_acceptance")),
        sa.UniqueConstraint("deal_id", "side", name=op.f("uq_nda_acceptance_deal_id_side")),
    )
    with op.batch_alter_table("nda_acceptance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nda_acceptance_deal_id"), ["deal_id"], unique=False)

    op.create_table(
        "deal_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value_vnd", sa.BigInteger(), nullable=True),
        sa.Column("value_band", sa.String(length=20), nullable=True),
        sa.Column("storage_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deal.id"], name=op.f("fk_deal_agreement_deal_id_deal")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["deal_offer.id"], name=op.f("fk_deal_agreement_offer_id_deal_offer")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_deal_agreement_recorded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_agreement")),
        sa.UniqueConstraint("deal_id", name=op.f("uq_deal_agreement_deal_id")),
    )
    # ### end Alembic commands ###
    op.create_table(
        "intermediary_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("provinces", sa.JSON(), nullable=False),
        sa.Column("price_band", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_intermediary_profile_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_intermediary_profile_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intermediary_profile")),
        sa.UniqueConstraint(
            "organisation_id", name=op.f("uq_intermediary_profile_organisation_id")
        ),
    )
    op.create_table(
        "service_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("service", sa.String(length=30), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("responded_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("delivered_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("rated_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deal.id"], name=op.f("fk_service_request_deal_id_deal")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_service_request_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["intermediary_profile.id"],
            name=op.f("fk_service_request_profile_id_intermediary_profile"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["user.id"], name=op.f("fk_service_request_requester_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"], ["user.id"], name=op.f("fk_service_request_responded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_request")),
    )
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_request_profile_id"), ["profile_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_request_requester_id"), ["requester_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_service_request_status"), ["status"], unique=False)

    _seed_nda_templates()


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_request_status"))
        batch_op.drop_index(batch_op.f("ix_service_request_requester_id"))
        batch_op.drop_index(batch_op.f("ix_service_request_profile_id"))

    op.drop_table("service_request")
    op.drop_table("intermediary_profile")
    op.drop_table("deal_agreement")
    with op.batch_alter_table("nda_acceptance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nda_acceptance_deal_id"))

    op.drop_table("nda_acceptance")
    op.drop_table("deal_result")
    with op.batch_alter_table("deal_offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_offer_deal_id"))

    op.drop_table("deal_offer")
    with op.batch_alter_table("deal_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_event_deal_id"))

    op.drop_table("deal_event")
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_stage"))
        batch_op.drop_index(batch_op.f("ix_deal_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_deal_initiative_id"))

    op.drop_table("deal")
    op.drop_table("exchange_setting")
    op.drop_table("nda_template")
    # ### end Alembic commands ###
