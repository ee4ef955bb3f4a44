"""partners: partner clients and tokens, the call log, forwarded initiatives, the changes feed;
the national e-ID's assurance level and identifier claims on oidc_identity

Revision ID: 0021
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0021"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_change")),
        sa.UniqueConstraint("seq", name=op.f("uq_partner_change_seq")),
    )
    op.create_table(
        "partner_change_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_change_counter")),
    )
    op.create_table(
        "partner_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("agency_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("secret_prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "previous_secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.Column("previous_secret_expires_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("webhook_endpoint_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_partner_client_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_partner_client_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["user.id"], name=op.f("fk_partner_client_revoked_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["webhook_endpoint_id"],
            ["webhook_endpoint.id"],
            name=op.f("fk_partner_client_webhook_endpoint_id_webhook_endpoint"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_client")),
        sa.UniqueConstraint("agency_code", name=op.f("uq_partner_client_agency_code")),
        sa.UniqueConstraint("client_id", name=op.f("uq_partner_client_client_id")),
    )
    op.create_table(
        "forwarded_initiative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("source_system", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("source_received_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_forwarded_initiative_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner_client.id"],
            name=op.f("fk_forwarded_initiative_partner_id_partner_client"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forwarded_initiative")),
        sa.UniqueConstraint("initiative_id", name=op.f("uq_forwarded_initiative_initiative_id")),
        sa.UniqueConstraint(
            "partner_id", "external_id", name=op.f("uq_forwarded_initiative_partner_id_external_id")
        ),
    )
    op.create_table(
        "partner_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("endpoint", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("object_ref", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner_client.id"],
            name=op.f("fk_partner_call_partner_id_partner_client"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_call")),
    )
    with op.batch_alter_table("partner_call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_call_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_partner_call_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "partner_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("issued_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner_client.id"],
            name=op.f("fk_partner_token_partner_id_partner_client"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partner_token_token_hash")),
    )
    with op.batch_alter_table("partner_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_token_partner_id"), ["partner_id"], unique=False
        )

    with op.batch_alter_table("oidc_identity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("acr", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(sa.Column("claims", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("signed_in_at", app.db.UTCDateTime(timezone=True), nullable=True)
        )
    counter = sa.table(
        "partner_change_counter", sa.column("id", sa.Integer), sa.column("last_seq", sa.Integer)
    )
    op.bulk_insert(counter, [{"id": 1, "last_seq": 0}])


def downgrade() -> None:
    with op.batch_alter_table("oidc_identity", schema=None) as batch_op:
        batch_op.drop_column("signed_in_at")
        batch_op.drop_column("claims")
        batch_op.drop_column("acr")
    with op.batch_alter_table("partner_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_token_partner_id"))

    op.drop_table("partner_token")
    with op.batch_alter_table("partner_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_call_partner_id"))
        batch_op.drop_index(batch_op.f("ix_partner_call_at"))

    op.drop_table("partner_call")
    op.drop_table("forwarded_initiative")
    op.drop_table("partner_client")
    op.drop_table("partner_change_counter")
    op.drop_table("partner_change")
