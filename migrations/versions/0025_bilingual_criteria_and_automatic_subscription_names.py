"""review_criterion.description_vi/description_en (a criterion is described in both languages, like
its name); subscription.name empty for an automatic name (made in the reader's language when shown)

Revision ID: 0025
Revises: 0024
"""

from collections.abc import Sequence
from urllib.parse import parse_qs

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The default rubric's criteria (seeded by 0003): their Vietnamese descriptions, and the English
# ones this revision adds. A frozen copy of app.reviews.rubrics (a test keeps the two equal).
DEFAULT_DESCRIPTIONS_VI = {
    "novelty": "Ý tưởng, giải pháp mới so với những gì đã có; mức độ sáng tạo.",
    "breakthrough": "Giải quyết được điểm nghẽn, nút thắt cụ thể của ngành, lĩnh vực hoặc địa phương.",
    "feasibility": "Có lộ trình, nguồn lực và điều kiện thực hiện rõ ràng, khả thi.",
    "impact": "Hiệu quả kinh tế – xã hội dự kiến và khả năng nhân rộng, lan tỏa.",
    "resources": "Khả năng huy động vốn, nhân lực, hợp tác công – tư để triển khai.",
}
DEFAULT_DESCRIPTIONS_EN = {
    "novelty": "How new the idea or solution is compared with what already exists; "
    "the degree of creativity.",
    "breakthrough": "Resolves a specific bottleneck or sticking point of a sector, a field "
    "or a locality.",
    "feasibility": "Has a clear, feasible roadmap, resources and conditions for implementation.",
    "impact": "The expected socio-economic benefits and the potential to be replicated and spread.",
    "resources": "Ability to mobilise capital, people and public–private cooperation "
    "for implementation.",
}

# What the code before this revision stored as the name of a subscription created without one
# (a frozen copy of its rule for categories: the field's name and/or the province, joined by " · ",
# after "Problems: " for problem subscriptions, in the creator's language, cut at 200 characters).
PROBLEMS_PREFIX = {"vi": "Bài toán: ", "en": "Problems: "}
ALL_INITIATIVES_VI = "Tất cả sáng kiến đã công bố"
ALL_PROBLEMS_VI = "mọi bài toán mới"

criterion = sa.table(
    "review_criterion",
    sa.column("code", sa.String),
    sa.column("description_vi", sa.String),
    sa.column("description_en", sa.String),
)
subscription = sa.table(
    "subscription",
    sa.column("id", sa.Integer),
    sa.column("subject", sa.String),
    sa.column("kind", sa.String),
    sa.column("field_code", sa.String),
    sa.column("province", sa.String),
    sa.column("query", sa.String),
    sa.column("name", sa.String),
)
field = sa.table(
    "field",
    sa.column("code", sa.String),
    sa.column("name_vi", sa.String),
    sa.column("name_en", sa.String),
)


def _category_name(row, field_names: dict[str, dict[str, str]], language: str) -> str:
    parts = []
    if row.field_code:
        parts.append(field_names.get(row.field_code, {}).get(language, row.field_code))
    if row.province:
        parts.append(row.province)
    what = " · ".join(parts)
    prefix = PROBLEMS_PREFIX[language] if row.subject == "problems" else ""
    return (prefix + what)[:200]


def _field_names(conn) -> dict[str, dict[str, str]]:
    return {
        code: {"vi": vi, "en": en}
        for code, vi, en in conn.execute(sa.select(field.c.code, field.c.name_vi, field.c.name_en))
    }


def upgrade() -> None:
    with op.batch_alter_table("review_criterion") as batch:
        batch.alter_column(
            "description",
            new_column_name="description_vi",
            existing_type=sa.String(),
            existing_nullable=False,
        )
        batch.add_column(
            sa.Column(
                "description_en",
                AutoString(),
                nullable=False,
                server_default="",
            )
        )
    for code, english in DEFAULT_DESCRIPTIONS_EN.items():
        op.execute(
            criterion.update()
            .where(
                criterion.c.code == code,
                criterion.c.description_vi == DEFAULT_DESCRIPTIONS_VI[code],
            )
            .values(description_en=english)
        )
    # As with names (name_en), a criterion nobody described in English shows its Vietnamese text.
    op.execute(
        criterion.update()
        .where(criterion.c.description_en == "")
        .values(description_en=criterion.c.description_vi)
    )

    # Category subscriptions still carrying the name the old code made are automatic again;
    # a name their owner typed (anything else), and saved searches, are kept as they are.
    conn = op.get_bind()
    names = _field_names(conn)
    rows = conn.execute(
        sa.select(subscription).where(subscription.c.kind == "category", subscription.c.name != "")
    ).all()
    generated = [
        row.id
        for row in rows
        if row.name in {_category_name(row, names, language) for language in PROBLEMS_PREFIX}
    ]
    if generated:
        conn.execute(subscription.update().where(subscription.c.id.in_(generated)).values(name=""))


def downgrade() -> None:
    # The old code needs a stored name: automatic ones get the Vietnamese name it would have made
    # (for a saved search, its words or its query string).
    conn = op.get_bind()
    names = _field_names(conn)
    for row in conn.execute(sa.select(subscription).where(subscription.c.name == "")).all():
        if row.kind == "category":
            name = _category_name(row, names, "vi")
        else:
            words = parse_qs(row.query or "").get("q", [""])[0]
            fallback = ALL_PROBLEMS_VI if row.subject == "problems" else ALL_INITIATIVES_VI
            what = f"“{words}”" if words else (row.query or fallback)
            prefix = PROBLEMS_PREFIX["vi"] if row.subject == "problems" else ""
            name = (prefix + what)[:200]
        conn.execute(subscription.update().where(subscription.c.id == row.id).values(name=name))

    with op.batch_alter_table("review_criterion") as batch:
        batch.drop_column("description_en")
        batch.alter_column(
            "description_vi",
            new_column_name="description",
            existing_type=sa.String(),
            existing_nullable=False,
        )
