"""The edge workers of edge_workers/services.yaml as local processes, the way Cloud Run runs them.

Each service runs from its own virtual environment, built from its own requirements file
(`.local/edge-venvs/<name>-<hash of the file>`, shared by the dev stack and the test
sessions, built once per requirements with `uv venv` + `uv pip install -r`): a package its
container would lack fails here too. The process is gunicorn, as the Dockerfile runs it
(`--workers 1 --threads 8`), on a free port, with the stack's environment, PYTHONPATH the
repository and DATABASE_URL logged in as the service's `database_role`; it is ready when
`GET /healthz` answers 200. Its output goes to `<local dir>/<name>.log`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from devstack.manifest import ROOT, EdgeService
from devstack.ports import HOST, open_local
from devstack.processes import stop_child, stop_leftover, write_pid
from edge_workers.fraud.committed_models import MODELS, newest_model

VENVS = ROOT / ".local" / "edge-venvs"
READY_MARKER = ".bazaar-ready"
PYTHON = "3.11"
THREADS = 8
START_TIMEOUT_S = 60.0
LOG_TAIL_CHARS = 3000
FRAUD_MODEL_BUCKET = "bazaar-fraud-models"


def venv_dir(service: EdgeService, root: Path = VENVS) -> Path:
    """Where the environment for the service's current requirements lives under root."""
    digest = hashlib.sha256(service.requirements.read_bytes()).hexdigest()[:12]
    return root / f"{service.name}-{digest}"


def build_venv(requirements: Path, folder: Path) -> Path:
    """Create a Python 3.11 environment in folder with exactly requirements; its python."""
    # nox installs uv into the session's venv (beside this python); else the one on PATH.
    beside = Path(sys.executable).with_name("uv")
    uv = str(beside) if beside.is_file() else shutil.which("uv")
    if uv is None:
        raise RuntimeError("the edge workers' environments are built with uv: install it "
                           "(nox installs it with the dev and tests sessions)")
    python = folder / "bin" / "python"
    for command in ([uv, "venv", "--quiet", "--python", PYTHON, str(folder)],
                    [uv, "pip", "install", "--quiet", "--python", str(python),
                     "-r", str(requirements)]):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"building {folder.name} failed: {' '.join(command)}\n"
                               f"{done.stderr[-LOG_TAIL_CHARS:]}")
    return python


def ensure_venv(service: EdgeService, root: Path = VENVS) -> Path:
    """The python of the service's environment under root, built first when missing."""
    folder = venv_dir(service, root)
    if (folder / READY_MARKER).exists():
        return folder / "bin" / "python"
    root.mkdir(parents=True, exist_ok=True)
    with open(folder.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two sessions starting at once build it once
        if not (folder / READY_MARKER).exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that was interrupted
            build_venv(service.requirements, folder)
            (folder / READY_MARKER).write_text(service.requirements.read_text())
    return folder / "bin" / "python"


@dataclass
class EdgeWorker:
    """A running edge service: gunicorn from its own environment."""

    service: EdgeService
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self) -> str:
        """The end of its output (startup errors, tracebacks)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-LOG_TAIL_CHARS:]

    def stop(self) -> None:
        """Graceful stop (requests in flight finish), then kill after a grace period."""
        stop_child(self.process, self.log_path.with_suffix(".pid"), grace_s=10)


def service_env(service: EdgeService, env: dict[str, str], port: int) -> dict[str, str]:
    """The process environment: env, PYTHONPATH the repository, PORT, the database role."""
    result = {**env, "PYTHONPATH": str(ROOT), "PORT": str(port), "K_SERVICE": service.name,
              "PYTHONUNBUFFERED": "1"}
    if service.database_role and env.get("DATABASE_URL"):
        from sqlalchemy.engine import make_url

        url = make_url(env["DATABASE_URL"]).set(username=service.database_role)
        result["DATABASE_URL"] = url.render_as_string(hide_password=False)
    return result


def start_worker(service: EdgeService, python: Path, port: int, env: dict[str, str],
                 log_path: Path, timeout: float = START_TIMEOUT_S) -> EdgeWorker:
    """Start gunicorn on HOST:port and wait until GET /healthz answers 200.

    Raises RuntimeError with the end of its log when it exits or does not answer in time.
    """
    command = [str(python), "-m", "gunicorn", "--workers", "1", "--threads", str(THREADS),
               "--bind", f"{HOST}:{port}", "--timeout", "0", "--graceful-timeout", "5",
               f"{service.app}()"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    pid_file = log_path.with_suffix(".pid")
    stop_leftover(pid_file, f"{service.app}()")  # one left behind by a killed dev server
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=service_env(service, env, port),
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    write_pid(pid_file, process)
    worker = EdgeWorker(service, process, port, log_path)
    deadline = time.monotonic() + timeout
    while not _healthy(worker.url):
        if process.poll() is not None or time.monotonic() > deadline:
            worker.stop()
            raise RuntimeError(f"edge worker {service.name} did not start (exit status "
                               f"{process.returncode}; {log_path}):\n{worker.log_tail()}")
        time.sleep(0.05)
    return worker


def _healthy(url: str) -> bool:
    try:
        with open_local(f"{url}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False


def present(services: dict[str, EdgeService]) -> dict[str, EdgeService]:
    """The services whose app module and requirements exist (those that have landed)."""
    return {name: service for name, service in services.items()
            if service.module_source.is_file() and service.requirements.is_file()}


def start_edge_workers(services: dict[str, EdgeService], ports: dict[str, int],
                       env: dict[str, str], local_dir: Path,
                       venvs: Path = VENVS) -> dict[str, EdgeWorker]:
    """Build (or reuse) every service's environment and start them all, in parallel."""

    def start(service: EdgeService) -> EdgeWorker:
        python = ensure_venv(service, venvs)
        return start_worker(service, python, ports[service.name], env,
                            local_dir / f"{service.name}.log")

    with ThreadPoolExecutor(max_workers=max(1, len(services))) as pool:
        futures = {name: pool.submit(start, service) for name, service in services.items()}
    started, errors = {}, []
    for name, future in futures.items():
        try:
            started[name] = future.result()
        except Exception as error:  # noqa: BLE001 — stop the others, then report every failure
            errors.append(f"{name}: {error}")
    if errors:
        for worker in started.values():
            worker.stop()
        raise RuntimeError("\n".join(errors))
    return started


def upload_fraud_model(gcs_url: str, bucket: str = FRAUD_MODEL_BUCKET,
                       folder: Path = MODELS) -> str | None:
    """Upload the newest committed model (+ its meta JSON) to the local bucket, as the
    release does to the private model bucket; its FRAUD_MODEL_URI (None: no model yet)."""
    found = newest_model(folder)
    if found is None:
        return None
    version, model = found
    prefix = f"fraud/{version}"
    _upload(gcs_url, bucket, f"{prefix}/model.onnx", model.read_bytes(),
            "application/octet-stream")
    meta = model.with_suffix(".json")
    if meta.is_file():
        _upload(gcs_url, bucket, f"{prefix}/meta.json", meta.read_bytes(), "application/json")
    return f"gs://{bucket}/{prefix}/model.onnx"


def _upload(gcs_url: str, bucket: str, name: str, data: bytes, content_type: str) -> None:
    query = urllib.parse.urlencode({"uploadType": "media", "name": name})
    request = urllib.request.Request(
        f"{gcs_url}/upload/storage/v1/b/{urllib.parse.quote(bucket, safe='')}/o?{query}",
        data=data, headers={"Content-Type": content_type}, method="POST")
    with open_local(request, timeout=30) as response:
        json.loads(response.read())


def service_urls(services: dict[str, EdgeService], ports: dict[str, int]) -> dict[str, str]:
    """{FRAUD_URL: http://127.0.0.1:<port>, …}: what callers read to reach each service."""
    return {service.url_setting: f"http://{HOST}:{ports[name]}"
            for name, service in services.items()}

