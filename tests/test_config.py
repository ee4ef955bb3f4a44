"""Settings: safe development defaults, production refuses unsafe ones by name."""

from __future__ import annotations

import pytest

from app.config import DEV_SECRET, Settings, SettingsError


def test_development_defaults_use_sqlite_under_var(tmp_path):
    settings = Settings(_env_file=None, var_dir=tmp_path)
    assert settings.db_url == f"sqlite:///{tmp_path / 'portal.db'}"
    assert settings.search_backend == "tantivy"
    assert settings.max_upload_bytes == 25 * 1024 * 1024


def test_production_refuses_the_default_secret_key():
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings(
            _env_file=None,
            environment="production",
            secret_key=DEV_SECRET,
            database_url="postgresql+psycopg://db/portal",
        )


def test_production_refuses_a_short_secret_key():
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings(
            _env_file=None,
            environment="production",
            secret_key="short",
            database_url="postgresql+psycopg://db/p",
        )


def test_production_refuses_a_missing_database_url():
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        Settings(_env_file=None, environment="production", secret_key="x" * 40)


def test_production_accepts_explicit_safe_settings():
    settings = Settings(
        _env_file=None,
        environment="production",
        secret_key="x" * 40,
        database_url="postgresql+psycopg://db/portal",
    )
    assert settings.is_production


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://example/portal")
    monkeypatch.setenv("SEARCH_BACKEND", "meilisearch")
    settings = Settings(_env_file=None)
    assert (settings.db_url, settings.search_backend) == (
        "postgresql+psycopg://example/portal",
        "meilisearch",
    )
