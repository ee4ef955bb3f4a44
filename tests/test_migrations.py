"""Alembic owns the schema: upgrade, downgrade and no drift, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

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
