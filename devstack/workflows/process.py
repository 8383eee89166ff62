"""start_workflows: the Workflows stand-in as a child process from its own environment.

The child (`python -m devstack.workflows`) imports only its environment's packages and this
repository (PYTHONPATH = the repository root); it prints one JSON line when it is ready. Its
log (execution logs, errors of the stand-in) goes to local_dir/workflows/server.log.
Stdlib only at import time: the child imports this package too.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devstack.ports import open_local
from devstack.workflows.venv import ensure_venv

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0
PID_FILE = "server.pid"
MARKER = "devstack.workflows"


class DeployRefused(ValueError):
    """The stand-in refused a definition (the interpreter's deploy-time error message)."""


@dataclass
class LocalWorkflows:
    """A running Workflows stand-in."""

    process: subprocess.Popen[bytes]
    host: str
    callback_base: str
    location: str
    workflows: list[str]
    note: str
    log_path: Path

    @property
    def banner(self) -> str:
        """What `nox -s dev` prints for it, with what it does not keep."""
        return (f"gRPC {self.host}, callbacks {self.callback_base} "
                f"({len(self.workflows)} workflows; {self.note})")

    def env(self) -> dict[str, str]:
        """The settings that point GoogleWorkflowExecutions (ExecutionsClient) here."""
        return {"WORKFLOWS_EMULATOR_HOST": self.host, "WORKFLOWS_LOCATION": self.location}

    def deploy(self, workflow_id: str, yaml_text: str) -> str:
        """Deploy or replace one workflow; its revision id. DeployRefused with the reason."""
        request = urllib.request.Request(
            f"{self.callback_base}/_dev/workflows/{workflow_id}", data=yaml_text.encode(),
            headers={"Content-Type": "application/yaml"}, method="PUT")
        try:
            with open_local(request, timeout=10) as response:
                return str(json.loads(response.read())["revisionId"])
        except urllib.error.HTTPError as error:
            if error.code != 400:
                raise
            raise DeployRefused(json.loads(error.read())["error"]["message"]) from error

    def stop(self) -> None:
        """Terminate the stand-in (its executions are lost)."""
        from devstack.processes import stop_child  # psutil: not in the child's env

        stop_child(self.process, self.log_path.parent / PID_FILE, grace_s=5)


def _command(python: Path, grpc_port: int, http_port: int, project_id: str, location: str,
             workflows_dirs: list[Path], pubsub_host: str | None,
             time_scale: float | None, user_env: dict[str, str] | None = None) -> list[str]:
    command = [str(python), "-m", MARKER, "--grpc-port", str(grpc_port),
               "--http-port", str(http_port), "--project", project_id, "--location", location]
    for folder in workflows_dirs:
        command += ["--workflows-dir", str(Path(folder).resolve())]
    if pubsub_host:
        command += ["--pubsub-host", pubsub_host]
    if time_scale is not None:
        command += ["--time-scale", repr(time_scale)]
    for name, value in sorted((user_env or {}).items()):
        command += ["--env", f"{name}={value}"]
    return command


def _ready_line(process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> dict:
    """The child's JSON line; RuntimeError with its log's tail if it exits or hangs first."""
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if readable else b""
    process.stdout.close()
    if line:
        return dict(json.loads(line))
    if process.poll() is None:
        process.kill()
    process.wait()
    tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
    raise RuntimeError(f"the Workflows stand-in did not start (see {log_path}):\n{tail}")


def start_workflows(local_dir: Path, grpc_port: int = 0, http_port: int = 0, *, project_id: str,
                    location: str, workflows_dirs: list[Path], pubsub_host: str | None,
                    time_scale: float | None = None,
                    user_env: dict[str, str] | None = None) -> LocalWorkflows:
    """Start the stand-in (0: any free port), deploying every *.yaml of `workflows_dirs`;
    `user_env`: the user_env_vars every workflow gets (Terraform gives each its callees'
    URLs)."""
    from devstack.processes import stop_leftover, write_pid  # psutil: not in the child's env

    root = Path(local_dir).resolve() / "workflows"
    root.mkdir(parents=True, exist_ok=True)
    stop_leftover(root / PID_FILE, MARKER)
    python = ensure_venv(REPO_ROOT / ".local" / "venvs")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
    log_path = root / "server.log"
    started = time.monotonic()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            _command(python, grpc_port, http_port, project_id, location, workflows_dirs,
                     pubsub_host, time_scale, user_env),
            cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=log)
    write_pid(root / PID_FILE, process)
    ready = _ready_line(process, log_path, START_TIMEOUT_S - (time.monotonic() - started))
    return LocalWorkflows(process, ready["host"], ready["callback_base"], location,
                          list(ready["workflows"]), ready["note"], log_path)
