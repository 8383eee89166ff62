"""Alembic environment: migrates the database that the settings (or -x url) point at."""

from __future__ import annotations

import os

from alembic import context

from common import settings as settings_module
from common.adapters.database import create_engine


def run_migrations_online() -> None:
    environment = dict(os.environ)
    url = context.config.get_main_option("sqlalchemy.url")
    if url:
        environment["DATABASE_URL"] = url
    engine = create_engine(settings_module.from_environment(environment))
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    engine.dispose()


run_migrations_online()
