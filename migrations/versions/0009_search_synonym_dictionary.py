"""catalogue: seed the synonym dictionary (search/synonyms.py, 200+ groups)

The four groups 0004 seeded are replaced by their larger versions when
nobody edited them; a seed group sharing a term with a group a coordinator
wrote is skipped, so their edits win.  Downgrade removes the seeded groups
that are still as seeded and restores 0004's four.

Revision ID: 0009
Revises: 0011
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from search.synonyms import SYNONYM_GROUPS

revision: str = "0009"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SEED = [
    ["ai", "trí tuệ nhân tạo"],
    ["iot", "internet vạn vật"],
    ["5g", "mạng 5g", "di động thế hệ thứ năm"],
    ["bán dẫn", "chip"],
]

table = sa.table(
    "synonym_group",
    sa.column("id", sa.Integer),
    sa.column("terms", sa.JSON),
    sa.column("updated_by_id", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _seed() -> list[list[str]]:
    """The groups as the coordinators' page would store them."""
    out = []
    for group in SYNONYM_GROUPS:
        terms = list(dict.fromkeys(" ".join(t.split()).lower() for t in group))
        out.append(terms)
    return out


def _rows() -> list[tuple[int, list[str]]]:
    rows = op.get_bind().execute(sa.select(table.c.id, table.c.terms)).all()
    return [(id_, terms if isinstance(terms, list) else json.loads(terms)) for id_, terms in rows]


def upgrade() -> None:
    for id_, terms in _rows():
        if terms in OLD_SEED:
            op.execute(table.delete().where(table.c.id == id_))
    taken = {t for _, terms in _rows() for t in terms}
    now = datetime.now(UTC)
    new = [g for g in _seed() if not taken & set(g)]
    op.bulk_insert(table, [{"terms": g, "updated_by_id": None, "updated_at": now} for g in new])


def downgrade() -> None:
    seed = _seed()
    for id_, terms in _rows():
        if terms in seed:
            op.execute(table.delete().where(table.c.id == id_))
    taken = {t for _, terms in _rows() for t in terms}
    now = datetime.now(UTC)
    old = [g for g in OLD_SEED if not taken & set(g)]
    op.bulk_insert(table, [{"terms": g, "updated_by_id": None, "updated_at": now} for g in old])
