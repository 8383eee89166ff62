"""The SQLAlchemy engine: Cloud SQL through the connector (IAM auth), or any DATABASE_URL."""

from __future__ import annotations

import contextlib
from typing import Iterator

import sqlalchemy
from sqlalchemy import exc as sa_exc

from common.domain.errors import ServiceUnavailable
from common.settings import Settings, SettingsError

# A request never waits longer than this on the database.
STATEMENT_TIMEOUT_MS = 5000
POOL_TIMEOUT_S = 5  # waiting longer than this for a pooled connection is a 503
RANDOM_PAGE_COST = 1.1  # SSD storage
CONNECT_TIMEOUT_S = 10  # socket timeout; above the statement timeout


def create_engine(settings: Settings) -> sqlalchemy.Engine:
    """An engine with a small pool, sized for one function instance."""
    options = dict(
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,
        pool_recycle=1800,
        # Bound parameters (emails, names) never reach exception text, and so never a log.
        hide_parameters=True,
    )
    if settings.database_url:
        engine = sqlalchemy.create_engine(
            settings.database_url, connect_args={"timeout": CONNECT_TIMEOUT_S}, **options
        )
    else:
        engine = sqlalchemy.create_engine(
            "postgresql+pg8000://", creator=_cloud_sql_creator(settings), **options
        )

    @sqlalchemy.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        cursor.execute("SET TIME ZONE 'UTC'")
        # Cloud SQL and the local cluster are on SSDs: with the default random_page_cost (4,
        # spinning disks) the planner scans all products for a corrected search word and
        # all embeddings instead of the HNSW index (bench/catalog_probes.py).
        cursor.execute(f"SET random_page_cost = {RANDOM_PAGE_COST}")
        cursor.close()
        dbapi_connection.commit()

    return engine


def _cloud_sql_creator(settings: Settings):  # noqa: ANN202
    from google.cloud.sql.connector import Connector, IPTypes

    connector = Connector(refresh_strategy="lazy", ip_type=IPTypes[settings.cloud_sql_ip_type])

    instance = settings.cloud_sql_instance
    if instance is None:
        raise SettingsError("set DATABASE_URL or CLOUD_SQL_INSTANCE")

    def connect():  # noqa: ANN202
        return connector.connect(
            instance,
            "pg8000",
            user=settings.database_iam_user,
            db=settings.database_name,
            enable_iam_auth=True,
        )

    return connect


UNAVAILABLE_ERRORS = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # the pool had no connection to give within POOL_TIMEOUT_S
)


# What the server reports that a retry may cure (pg8000 raises all of them as
# ProgrammingError): serialization failure, deadlock, statement timeout, a failover's
# admin shutdown, crash or cannot-connect-now, too many connections, out of memory or
# disk; and every connection exception (class 08).
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "57014", "57P01", "57P02", "57P03",
                                 "53000", "53100", "53200", "53300", "53400"})
TRANSIENT_SQLSTATE_CLASSES = ("08",)


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE the server reported for `error` (a SQLAlchemy DBAPIError), if any."""
    fields = getattr(getattr(error, "orig", None), "args", ())
    if fields and isinstance(fields[0], dict):
        code = fields[0].get("C")
        return code if isinstance(code, str) else None
    return None


def is_transient(error: sa_exc.DBAPIError) -> bool:
    code = sqlstate(error)
    return error.connection_invalidated or (code is not None and (
        code in TRANSIENT_SQLSTATES or code.startswith(TRANSIENT_SQLSTATE_CLASSES)))


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    """Turn 'the database is not there, or asks to be retried' into ServiceUnavailable."""
    try:
        yield
    except UNAVAILABLE_ERRORS as error:
        raise ServiceUnavailable("database", error) from error
    except sa_exc.DBAPIError as error:
        if is_transient(error):
            raise ServiceUnavailable("database", error) from error
        raise
