"""The whole marketplace on this machine: every stand-in, migrations, and the HTTP server.

`nox -s dev` runs it in the foreground (devstack/__main__.py); the test suite starts
one on free ports for the session (tests/conftest.py). Production code is unchanged:
the stack only sets the environment variables that point it at the stand-ins.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.serving import make_server

from common.settings import DEFAULT_DATABASE_POOL_SIZE
from devstack import edge_workers, manifest
from devstack.firebase_auth import start_auth_emulator
from devstack.firestore import start_firestore
from devstack.gcs import start_gcs
from devstack.mail_sink import start_mail_sink
from devstack.mail_sink import wsgi_app as mail_wsgi_app
from devstack.postgres import start_postgres
from devstack.pubsub import start_pubsub
from devstack.stripe import start_stripe
from devstack.workflows import start_workflows

HOST = "127.0.0.1"
ROOT_LOCAL = manifest.ROOT / ".local"
PROJECT_ID = "demo-bazaar"
UPLOAD_BUCKET = "bazaar-uploads"
RENDITIONS_BUCKET = "bazaar-renditions"
MODEL_BUCKET = "bazaar-models"
ANALYTICS_BUCKET = "bazaar-analytics"
SERVERS = ("werkzeug", "gunicorn")
WORKFLOWS_LOCATION = "europe-west1"
# The webhook door (functions/receive_stripe_webhook): the twin's endpoint, registered once.
STRIPE_WEBHOOK_PATH = "/v1/payments/webhooks/stripe"


@dataclass(frozen=True)
class Ports:
    http: int = 8080
    auth: int = 9099
    pubsub: int = 8085
    gcs: int = 4443
    smtp: int = 2525
    stripe: int = 12111
    workflows: int = 8934
    workflows_callbacks: int = 8935
    firestore: int = 8086

    @classmethod
    def any_free(cls) -> "Ports":
        from devstack.ports import free_port

        return cls(*(free_port() for _ in dataclasses.fields(cls)))


@dataclass
class Stack:
    local_dir: Path
    ports: Ports
    env: dict[str, str]
    services: dict[str, object] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # The edge workers that have landed (edge_workers/services.yaml) and their free ports.
    edge_ports: dict[str, int] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.ports.http}"

    def stop(self) -> None:
        """Stop everything this stack started, newest first."""
        for name in reversed(list(self.services)):
            with contextlib.suppress(Exception):
                self.services[name].stop()  # type: ignore[attr-defined]
        self.services.clear()


class _HttpServer:
    def __init__(self, app: object, port: int) -> None:
        # werkzeug's access log prints query strings, which can carry one-time codes;
        # every function logs its own structured request line without them.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = make_server(HOST, port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="bazaar-http")
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _timed(stack: Stack, name: str, start: object) -> object:
    began = time.perf_counter()
    service = start()  # type: ignore[operator]
    stack.timings[name] = time.perf_counter() - began
    stack.services[name] = service
    return service


def start_stack(local_dir: Path, ports: Ports = Ports(), *, duplicate_delivery: bool = False,
                extra_env: dict[str, str] | None = None, server: str = "werkzeug",
                scheduler: bool = False) -> Stack:
    """Start every stand-in, migrate the database, and serve all functions on ports.http:
    in this process on werkzeug's threaded server (the tests read its logs in-process), or
    `server="gunicorn"` in a child process as Cloud Functions serves each function
    (devstack/gunicorn.py: the benchmarks, and `nox -s dev -- --server gunicorn`).
    The local Cloud Scheduler (stack.services["scheduler"]) runs the scheduled functions on
    their schedules with `scheduler=True` (nox -s dev); otherwise only on its trigger(), so
    tests that sweep or reconcile by hand are not raced."""
    if server not in SERVERS:
        raise ValueError(f"server must be one of {SERVERS}, not {server!r}")
    local_dir = Path(local_dir).resolve()
    local_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(local_dir, ports, env={})
    from devstack.ports import free_port

    stack.edge_ports = {name: free_port() for name in _edge_services()}
    try:
        _start_services(stack, duplicate_delivery, _connection_budget(server))
        _configure_environment(stack, extra_env or {})
        with ThreadPoolExecutor(max_workers=1) as edge:
            # The edge workers' processes start while this one loads every function.
            started = edge.submit(_start_edge_workers, stack)
            try:
                _serve(stack, server)
            finally:
                started.result()  # in stack.services before any stop()
        _start_scheduler(stack, ticking=scheduler)
    except BaseException:
        stack.stop()
        raise
    return stack


def _start_services(stack: Stack, duplicate_delivery: bool, max_connections: int) -> None:
    ports, local = stack.ports, stack.local_dir
    with ThreadPoolExecutor(max_workers=1) as slow:
        # The Auth emulator (Node) takes seconds to start: overlap it with everything else.
        auth = slow.submit(_timed, stack, "auth", lambda: start_auth_emulator(
            local, port=ports.auth, project_id=PROJECT_ID))
        try:
            _timed(stack, "postgres", lambda: start_postgres(
                local, max_connections=max_connections))
            _timed(stack, "pubsub", lambda: start_pubsub(
                PROJECT_ID, manifest.EVENTS_MANIFEST,
                lambda name: f"http://{HOST}:{ports.http}/_events/{name}",
                port=ports.pubsub, duplicate_delivery=duplicate_delivery,
                state_dir=local / "pubsub",
                service_endpoint_for=lambda service, subscription:
                    f"http://{HOST}:{stack.edge_ports[service]}/_events/{subscription}"))
            gcs = _timed(stack, "gcs", lambda: start_gcs(
                local, port=ports.gcs, project_id=PROJECT_ID,
                pubsub_host=f"{HOST}:{ports.pubsub}"))
            gcs.ensure_bucket(UPLOAD_BUCKET)  # type: ignore[attr-defined]
            gcs.ensure_bucket(RENDITIONS_BUCKET)  # type: ignore[attr-defined]
            gcs.ensure_bucket(MODEL_BUCKET)  # type: ignore[attr-defined]
            gcs.ensure_bucket(ANALYTICS_BUCKET)  # type: ignore[attr-defined]
            _timed(stack, "mail", lambda: start_mail_sink(local, port=ports.smtp))
            _timed(stack, "firestore", lambda: start_firestore(
                local, port=ports.firestore, project_id=PROJECT_ID))
            _timed(stack, "workflows", lambda: start_workflows(
                local, ports.workflows, ports.workflows_callbacks, project_id=PROJECT_ID,
                location=WORKFLOWS_LOCATION, workflows_dirs=[manifest.ROOT / "workflows"],
                pubsub_host=f"{HOST}:{ports.pubsub}", user_env=_workflow_env(ports)))
            _timed(stack, "stripe", lambda: start_stripe(
                local / "stripe", ports.stripe,
                webhook_url=f"http://{HOST}:{ports.http}{STRIPE_WEBHOOK_PATH}",
                duplicate_delivery=duplicate_delivery))
        finally:
            auth.result()


def _workflow_env(ports: Ports) -> dict[str, str]:
    """What Terraform gives each workflow (user_env_vars): `<FUNCTION>_URL` of the functions
    it calls, here every internal function at its local path."""
    return {f"{f.name.upper()}_URL": f"http://{HOST}:{ports.http}/_internal/{f.name}"
            for f in manifest.functions().values() if f.trigger == "internal"}


def _configure_environment(stack: Stack, extra_env: dict[str, str]) -> None:
    from devstack.signer import ensure_signer_key

    env = {"BAZAAR_ENV": os.environ.get("BAZAAR_ENV", "local"),
           "GOOGLE_CLOUD_PROJECT": PROJECT_ID,
           "PUBLIC_BASE_URL": stack.base_url,
           # common/clock.py: tests move every function's "now" by rewriting this file.
           "BAZAAR_CLOCK_OFFSET_FILE": str(stack.local_dir / "clock-offset")}
    for service in stack.services.values():
        env.update(service.env())  # type: ignore[attr-defined]
    gcs_url = stack.services["gcs"].url  # type: ignore[attr-defined]
    env.update({"UPLOAD_BUCKET": UPLOAD_BUCKET, "RENDITIONS_BUCKET": RENDITIONS_BUCKET,
                "MEDIA_BASE_URL": f"{gcs_url}/{RENDITIONS_BUCKET}",
                "MODEL_BUCKET": MODEL_BUCKET, "MODEL_BASE_URL": f"{gcs_url}/{MODEL_BUCKET}",
                "ANALYTICS_BUCKET": ANALYTICS_BUCKET,
                "UPLOAD_SIGNER_KEY_FILE": str(ensure_signer_key(stack.local_dir, PROJECT_ID))})
    env.update(_edge_environment(stack))
    env.update(extra_env)
    os.environ.update(env)
    stack.env = env
    from common.migrations.runner import upgrade

    began = time.perf_counter()
    upgrade()
    # Migrations (and demo data, and tests arranging rows) run as the owner; each
    # function logs in as its manifest `database_role` (devstack/loader.py).
    stack.services["postgres"].allow_login(_database_roles())  # type: ignore[attr-defined]
    stack.timings["migrations"] = time.perf_counter() - began


def _function_roles() -> set[str]:
    """The roles the functions log in as (functions/manifest.yaml)."""
    return {f.database_role for f in manifest.functions().values() if f.database_role}


def _database_roles() -> list[str]:
    """The roles the functions and the edge workers log in as."""
    return sorted(_function_roles()
                  | {s.database_role for s in _edge_services().values() if s.database_role})


# Connections beside the servers' pools: the test process's own engines (a concurrency test
# opens one per thread), migrations, the Workflows twin's callers, psql.
RESERVED_CONNECTIONS = 100


def _connection_budget(server: str) -> int:
    """The max_connections the local PostgreSQL needs: every process that serves the
    functions (this one on werkzeug, each gunicorn worker) may hold an engine per database
    role, and each edge worker one, each engine up to twice DATABASE_POOL_SIZE."""
    from devstack.gunicorn import default_workers

    per_engine = 2 * int(os.environ.get("DATABASE_POOL_SIZE") or DEFAULT_DATABASE_POOL_SIZE)
    processes = int(os.environ.get("WORKERS") or default_workers()) if server == "gunicorn" else 1
    engines = processes * len(_function_roles()) + len(_edge_services())
    return engines * per_engine + RESERVED_CONNECTIONS


def _edge_services() -> dict[str, manifest.EdgeService]:
    """The edge workers of services.yaml whose code has landed (BAZAAR_EDGE_WORKERS, a
    comma-separated list of names, narrows them: `""` runs none)."""
    landed = edge_workers.present(manifest.edge_services())
    chosen = os.environ.get("BAZAAR_EDGE_WORKERS")
    if chosen is None:
        return landed
    names = {name.strip() for name in chosen.split(",") if name.strip()}
    return {name: service for name, service in landed.items() if name in names}


def _edge_environment(stack: Stack) -> dict[str, str]:
    """FRAUD_URL, ANONYMIZER_URL, …, and FRAUD_MODEL_URI: the committed model, uploaded to
    the local model bucket as the release uploads it."""
    env = edge_workers.service_urls(_edge_services(), stack.edge_ports)
    gcs = stack.services["gcs"]
    gcs.ensure_bucket(edge_workers.FRAUD_MODEL_BUCKET)  # type: ignore[attr-defined]
    model_uri = edge_workers.upload_fraud_model(gcs.url)  # type: ignore[attr-defined]
    if model_uri:
        env["FRAUD_MODEL_URI"] = model_uri
    return env


def _start_edge_workers(stack: Stack) -> None:
    """Each edge worker from its own environment; stack.services[<name>] (log_path: its log)."""
    began = time.perf_counter()
    workers = edge_workers.start_edge_workers(_edge_services(), stack.edge_ports,
                                              dict(os.environ), stack.local_dir)
    stack.services.update(workers)
    stack.timings["edge_workers"] = time.perf_counter() - began


def _serve(stack: Stack, server: str) -> None:
    began = time.perf_counter()
    if server == "gunicorn":
        from devstack.gunicorn import start_gunicorn

        stack.services["http"] = start_gunicorn(stack.local_dir / "http", stack.ports.http,
                                                local_dir=stack.local_dir)
    else:
        from devstack.router import Router

        router = Router(extra_prefixes={"/_dev/mail": mail_wsgi_app(stack.local_dir)})
        stack.services["http"] = _HttpServer(router, stack.ports.http)
    stack.timings["functions"] = time.perf_counter() - began


def _start_scheduler(stack: Stack, ticking: bool) -> None:
    from devstack.scheduler import LocalScheduler, jobs_from_manifest
    from devstack.time_scale import time_scale

    stack.services["scheduler"] = LocalScheduler(
        jobs_from_manifest(stack.base_url), time_scale=time_scale(), ticking=ticking).start()
