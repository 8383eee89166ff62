"""Firebase Authentication stand-in: the Auth emulator of the pinned Firebase CLI (tools/firebase).

Start takes ≈ 8 s on a 2-core machine, nearly all of it CPU spent by the emulator compiling
its OpenAPI request schemas (ajv) — not network: it tries to fetch a "message of the day"
once and fails fast offline. Accounts are exported to local_dir/firebase/export when the
emulator stops (SIGINT) or on `export()`, and imported again at the next start.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devstack.ports import HOST, free_port, open_local, port_is_open
from devstack.processes import stop_leftover, write_pid

REPO_ROOT = Path(__file__).resolve().parents[1]
CLI_DIR = REPO_ROOT / "tools" / "firebase"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
PID_FILE = "emulator.pid"
# The port answers before --import has finished; this line comes after it (CLI 15.x).
READY_LINE = b"All emulators ready!"


@dataclass
class AuthEmulator:
    """A running Firebase Auth emulator."""

    process: subprocess.Popen[bytes]
    port: int
    hub_port: int
    project_id: str
    folder: Path

    @property
    def host(self) -> str:
        """host:port of the emulator, as FIREBASE_AUTH_EMULATOR_HOST wants it."""
        return f"{HOST}:{self.port}"

    @property
    def export_dir(self) -> Path:
        """Where accounts are exported to and imported from."""
        return self.folder / "export"

    @property
    def log_path(self) -> Path:
        """The emulator's console output."""
        return self.folder / "emulator.log"

    def env(self) -> dict[str, str]:
        """Environment variables that point firebase-admin and the app at this emulator."""
        return {"FIREBASE_AUTH_EMULATOR_HOST": self.host, "GOOGLE_CLOUD_PROJECT": self.project_id}

    def export(self) -> None:
        """Ask the running emulator (through its hub) to export its accounts now."""
        body = json.dumps({"path": str(self.export_dir), "initiatedBy": "devstack"}).encode()
        request = urllib.request.Request(
            f"http://{HOST}:{self.hub_port}/_admin/export",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with open_local(request, timeout=30) as response:
            response.read()

    def stop(self) -> None:
        """SIGINT the emulator's process group (it exports on exit); kill it after 15 s."""
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait()
        (self.folder / PID_FILE).unlink(missing_ok=True)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Send a signal to the process group the emulator leads."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def ensure_cli() -> Path:
    """Return the firebase binary, running `npm ci` in tools/firebase first if it is missing."""
    binary = CLI_DIR / "node_modules" / ".bin" / "firebase"
    if not (CLI_DIR / "node_modules").is_dir():
        print(
            "devstack: tools/firebase/node_modules is missing; running npm ci (about 2-3 min)",
            flush=True,
        )
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CLI_DIR, check=True)
    return binary


def _write_config(folder: Path, port: int, hub_port: int, logging_port: int) -> Path:
    """Write the firebase.json that binds the emulator, hub and logging to 127.0.0.1."""
    config = {
        "emulators": {
            "auth": {"host": HOST, "port": port},
            "hub": {"host": HOST, "port": hub_port},
            "logging": {"host": HOST, "port": logging_port},
            "ui": {"enabled": False},
            "singleProjectMode": True,
        }
    }
    path = folder / "firebase.json"
    path.write_text(json.dumps(config, indent=2) + "\n")
    return path


def _command(binary: Path, project_id: str, export_dir: Path) -> list[str]:
    """The emulators:start command line, importing a previous export when there is one."""
    command = [str(binary), "emulators:start", "--only", "auth", "--project", project_id]
    if (export_dir / "firebase-export-metadata.json").exists():
        command += ["--import", str(export_dir)]
    return command + ["--export-on-exit", str(export_dir)]


def _environment(folder: Path) -> dict[str, str]:
    """The emulator's environment: HOME and TMPDIR (hub locator file) inside folder."""
    env = dict(os.environ)
    env.pop("FIREBASE_AUTH_EMULATOR_HOST", None)
    env.update(HOME=str(folder / "home"), TMPDIR=str(folder / "tmp"))
    for name in ("home", "tmp"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return env


def _answers(url: str) -> bool:
    """True when an HTTP GET of url gets any response."""
    try:
        with open_local(url, timeout=1) as response:
            response.read()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _log_tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log file, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _logged_ready(log_path: Path, offset: int) -> bool:
    """True once the CLI has logged, after offset, that all emulators are ready (imports done)."""
    with open(log_path, "rb") as log:
        log.seek(offset)
        return READY_LINE in log.read()


def _wait_ready(emulator: AuthEmulator, log_offset: int, timeout: float) -> None:
    """Wait until the emulator is ready and answers; stop it and raise if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if emulator.process.poll() is not None:
            raise RuntimeError(
                f"Auth emulator exited ({emulator.process.returncode}); see {emulator.log_path}:\n"
                + _log_tail(emulator.log_path)
            )
        if _logged_ready(emulator.log_path, log_offset) and _answers(f"http://{emulator.host}/"):
            return
        time.sleep(0.1)
    emulator.stop()
    raise TimeoutError(f"Auth emulator not ready after {timeout:.0f} s; see {emulator.log_path}")


def start_auth_emulator(
    local_dir: Path, port: int = 9099, project_id: str = "demo-bazaar"
) -> AuthEmulator:
    """Start the Auth emulator on 127.0.0.1:port (0: any free), state in local_dir/firebase."""
    port = port or free_port()
    folder = Path(local_dir).resolve() / "firebase"
    folder.mkdir(parents=True, exist_ok=True)
    export_dir = folder / "export"
    stop_leftover(folder / PID_FILE, str(export_dir), signal.SIGINT)
    if port_is_open(port):
        raise RuntimeError(f"port {port} is already in use (an Auth emulator of another folder?)")
    binary = ensure_cli()
    hub_port = free_port()
    _write_config(folder, port, hub_port, free_port())
    log_path = folder / "emulator.log"
    log_offset = log_path.stat().st_size if log_path.exists() else 0
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            _command(binary, project_id, export_dir),
            cwd=folder,
            env=_environment(folder),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    write_pid(folder / PID_FILE, process)
    emulator = AuthEmulator(process, port, hub_port, project_id, folder)
    _wait_ready(emulator, log_offset, START_TIMEOUT_S)
    return emulator
