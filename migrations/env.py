"""Alembic environment: the models' metadata, the app's database URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from app import config as app_config
from app import domains
from app.db import metadata

domains.load_models()
alembic_config = context.config
url = alembic_config.get_main_option("sqlalchemy.url") or app_config.get_settings().db_url


def run_offline() -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connectable = engine_from_config(
        {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        # batch mode lets ALTER work on SQLite by copying the table
        context.configure(
            connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
