"""Alembic owns the schema: upgrade, downgrade and no drift, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from app.db import metadata
from app.migrate import downgrade, upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    from tests.fixtures.postgres import create_database

    return create_database(request.getfixturevalue("postgres_url"), "portal_migrations")


def _diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_to_head_matches_the_models(empty_url):
    upgrade(empty_url)
    assert _diff(empty_url) == []
    assert _tables(empty_url) == set(metadata.tables)


def test_downgrade_to_base_removes_everything_and_upgrade_again_works(empty_url):
    upgrade(empty_url)
    downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    upgrade(empty_url)
    assert _diff(empty_url) == []


def test_0007_makes_existing_members_approved_and_the_first_one_manager(empty_url):
    from app.db import utcnow

    upgrade(empty_url, "0012")
    engine = create_engine(empty_url)
    try:
        now = utcnow()
        with engine.begin() as conn:
            org = metadata.tables["organisation"]
            user = metadata.tables["user"]
            conn.execute(
                org.insert(),
                [
                    {
                        "id": 1,
                        "name": "Viện A",
                        "name_key": "viện a",
                        "type": "university",
                        "tax_code": "0101234567",
                        "created_at": now,
                    },
                    {
                        "id": 2,
                        "name": "Viện B",
                        "name_key": "viện b",
                        "type": "university",
                        "tax_code": "0101234567",
                        "created_at": now,
                    },
                ],
            )
            conn.execute(
                user.insert(),
                [
                    {
                        "id": i,
                        "email": f"u{i}@example.vn",
                        "full_name": "A",
                        "organisation_id": o,
                        "expertise_keywords": [],
                        "expertise_fields": [],
                        "language": "vi",
                        "is_active": True,
                        "auth_version": 1,
                        "created_at": now,
                    }
                    for i, o in ((1, None), (2, 1), (3, 1), (4, 2))
                ],
            )
        upgrade(empty_url)
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT user_id, organisation_id, state, is_manager FROM membership ORDER BY user_id"
                )
            ).all()
            codes = conn.execute(text("SELECT id, tax_code FROM organisation ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [(u, o, s, bool(m)) for u, o, s, m in rows] == [
        (2, 1, "approved", True),
        (3, 1, "approved", False),
        (4, 2, "approved", True),
    ]
    assert [tuple(c) for c in codes] == [(1, "0101234567"), (2, None)]


def test_0025_describes_the_default_criteria_in_english_and_makes_old_automatic_names_automatic(
    empty_url,
):
    from app.db import utcnow

    upgrade(empty_url, "0024")
    engine = create_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                metadata.tables["user"].insert(),
                [
                    {
                        "id": 1,
                        "email": "u1@example.vn",
                        "full_name": "A",
                        "expertise_keywords": [],
                        "expertise_fields": [],
                        "language": "vi",
                        "is_active": True,
                        "auth_version": 1,
                        "created_at": utcnow(),
                    }
                ],
            )
            conn.execute(
                text(
                    "INSERT INTO subscription (id, user_id, subject, kind, field_code, province, "
                    "query, name, channel, is_paused, feed_token, last_digest_at, created_at, "
                    "updated_at) VALUES (:id, 1, :subject, :kind, :field, :province, :query, "
                    ":name, 'daily', false, :token, :now, :now, :now)"
                ),
                [
                    {"subject": s, "kind": k, "field": f, "province": p, "query": q, "name": n}
                    | {"id": i, "token": f"t{i}", "now": utcnow()}
                    for i, (s, k, f, p, q, n) in enumerate(
                        [
                            (
                                "problems",
                                "category",
                                "agriculture_environment",
                                None,
                                None,
                                "Bài toán: Nông nghiệp, tài nguyên và môi trường",
                            ),
                            (
                                "initiatives",
                                "category",
                                "industry_energy",
                                "Đà Nẵng",
                                None,
                                "Energy · Đà Nẵng",
                            ),
                            ("initiatives", "category", "industry_energy", None, None, "Của tôi"),
                            ("initiatives", "search", None, None, "q=sau+rieng", "“sau rieng”"),
                        ],
                        1,
                    )
                ],
            )
        upgrade(empty_url)
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM subscription ORDER BY id")).scalars().all()
            novelty = conn.execute(
                text(
                    "SELECT description_vi, description_en FROM review_criterion "
                    "WHERE rubric_id = 1 AND code = 'novelty'"
                )
            ).one()
        downgrade(empty_url, "0024")
        with engine.connect() as conn:
            restored = (
                conn.execute(text("SELECT name FROM subscription ORDER BY id")).scalars().all()
            )
            described = conn.execute(
                text("SELECT description FROM review_criterion WHERE code = 'novelty'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert names == ["", "", "Của tôi", "“sau rieng”"]  # a saved search keeps its stored name
    assert tuple(novelty) == (
        "Ý tưởng, giải pháp mới so với những gì đã có; mức độ sáng tạo.",
        "How new the idea or solution is compared with what already exists; "
        "the degree of creativity.",
    )
    assert restored == [
        "Bài toán: Nông nghiệp, tài nguyên và môi trường",
        "Năng lượng · Đà Nẵng",
        "Của tôi",
        "“sau rieng”",
    ]
    assert described == "Ý tưởng, giải pháp mới so với những gì đã có; mức độ sáng tạo."
