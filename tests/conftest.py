"""The suite's shared fixtures.

Every test that touches the database takes `app` (or `db_url`), which is
parametrised over SQLite and a throwaway PostgreSQL cluster, so it runs on
both. The schema is built once per backend by Alembic (never create_all);
tables are emptied after each test. Real SMTP, OIDC and browser fixtures live
in tests/fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlmodel import Session

from app import config, domains
from app.db import make_engine, metadata
from app.main import create_app
from app.migrate import upgrade

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.smtp",
    "tests.fixtures.oidc",
    "tests.fixtures.browser",
]

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "Mật-khẩu-đủ-dài-1"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database of each kind, shared by the session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'portal.db'}"
    else:
        from tests.fixtures.postgres import create_database

        url = create_database(request.getfixturevalue("postgres_url"), "portal_app_test")
    upgrade(url)
    _SEEDS[url] = _seed_rows(url)
    return url


# Rows the migrations seed (taxonomy, default rubric, synonyms), put back after each test.
_SEEDS: dict[str, dict[str, list[dict]]] = {}


def _seed_rows(url: str) -> dict[str, list[dict]]:
    engine = make_engine(url)
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        rows = {
            t.name: [dict(r._mapping) for r in conn.execute(t.select())]
            for t in metadata.sorted_tables
            if t.name in existing
        }
    return {name: found for name, found in rows.items() if found}


def _empty_tables(url: str) -> None:
    engine = make_engine(url)
    existing = set(inspect(engine).get_table_names())
    tables = [t.name for t in reversed(metadata.sorted_tables) if t.name in existing]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
            if "sqlite_sequence" in existing:
                conn.execute(text("DELETE FROM sqlite_sequence"))
        for table in metadata.sorted_tables:
            if _SEEDS.get(url, {}).get(table.name):
                conn.execute(table.insert(), _SEEDS[url][table.name])
                if engine.dialect.name == "postgresql" and "id" in table.c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f'(SELECT MAX(id) FROM "{table.name}"))'
                        )
                    )


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Iterator[config.Settings]:
    settings = config.configure(
        config.Settings(
            _env_file=None,
            environment="test",
            database_url=db_url,
            var_dir=tmp_path / "var",
            secret_key=TEST_SECRET,
            run_worker_in_app=False,
            base_url="http://testserver",
            embedding_backend="none",  # tests/matching switch the model on; others stay fast
        )
    )
    yield settings
    _empty_tables(db_url)


@pytest.fixture
def app(settings: config.Settings):
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def session(app) -> Iterator[Session]:
    """A session for arranging and inspecting data; commit what a test arranges."""
    with Session(app.state.engine, expire_on_commit=False) as db:
        yield db


@pytest.fixture
def worker(app):
    return app.state.worker


@pytest.fixture
def mail_to_smtp(settings: config.Settings, smtp_server):
    """Route the portal's mail to the real test SMTP server."""
    settings.smtp_host, settings.smtp_port = smtp_server.host, smtp_server.port
    return smtp_server


# -- helpers used across the suite -------------------------------------------
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def web_login(client: TestClient, email: str, password: str = PASSWORD):
    page = client.get("/account/login")
    response = client.post(
        "/account/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return response


def api_token(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


domains.load_models()
