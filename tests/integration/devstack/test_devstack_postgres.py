"""devstack.postgres: embedded PostgreSQL with the app's extensions, reached through its URL."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from devstack.postgres import start_postgres


def scalar(url: str, sql: str) -> object:
    """Run one query through SQLAlchemy + pg8000 and return its first value."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            return connection.execute(sa.text(sql)).scalar()
    finally:
        engine.dispose()


def execute(url: str, *statements: str) -> None:
    """Run statements in one transaction."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def test_postgres_starts_with_database_and_extensions(tmp_path: Path) -> None:
    postgres = start_postgres(tmp_path, database="shop")
    try:
        assert postgres.env() == {"DATABASE_URL": postgres.url}
        assert postgres.url.startswith("postgresql+pg8000://postgres@/shop?unix_sock=")
        assert scalar(postgres.url, "SELECT current_database()") == "shop"
        extensions = scalar(
            postgres.url, "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension"
        )
        assert {"citext", "pg_trgm", "vector"} <= set(str(extensions).split(","))
        assert scalar(postgres.url, "SELECT '[1,2]'::vector <-> '[1,3]'::vector") == 1.0
        assert postgres.socket_path.is_socket() and tmp_path in postgres.socket_path.parents
    finally:
        postgres.stop()


def test_postgres_restart_keeps_data_and_is_quick(tmp_path: Path) -> None:
    postgres = start_postgres(tmp_path)
    execute(postgres.url, "CREATE TABLE kept (word citext)", "INSERT INTO kept VALUES ('Hello')")
    postgres.stop()
    assert not postgres.socket_path.exists()
    began = time.monotonic()
    postgres = start_postgres(tmp_path)
    restart_s = time.monotonic() - began
    try:
        assert scalar(postgres.url, "SELECT count(*) FROM kept WHERE word = 'HELLO'") == 1
        assert restart_s < 2.0, f"restart took {restart_s:.2f} s"
    finally:
        postgres.stop()


def test_create_database_gives_a_separate_database(tmp_path: Path) -> None:
    postgres = start_postgres(tmp_path)
    try:
        execute(postgres.url, "CREATE TABLE only_in_main (id int)")
        url = postgres.create_database("test_fresh")
        assert url == postgres.url_for("test_fresh")
        assert scalar(url, "SELECT to_regclass('only_in_main')") is None
        assert scalar(url, "SELECT count(*) FROM pg_extension WHERE extname = 'vector'") == 1
        assert postgres.create_database("test_fresh") == url
    finally:
        postgres.stop()


def test_max_connections_is_raised_once_and_kept(tmp_path: Path) -> None:
    # Given a server that allows PostgreSQL's default number of connections
    postgres = start_postgres(tmp_path)
    default = postgres.max_connections()
    postgres.stop()

    # When a stack needs more, and later a start asks for less
    postgres = start_postgres(tmp_path, max_connections=default + 150)
    raised = postgres.max_connections()
    postgres.stop()
    postgres = start_postgres(tmp_path)
    try:
        # Then the server allows what was needed, and a later start does not lower it
        assert default == 100
        assert raised == default + 150
        assert postgres.max_connections() == default + 150
        assert scalar(postgres.url, "SELECT current_database()") == "bazaar"
    finally:
        postgres.stop()
