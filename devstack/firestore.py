"""Cloud Firestore stand-in: Google's own emulator, from the Google Cloud CLI on this machine.

The emulator is a Java 17 program (`cloud-firestore-emulator.jar` of the CLI's
`cloud-firestore-emulator` component); it evaluates `firestore.rules` for the Firebase client
SDKs (the server client bypasses rules, as in production). It starts in ≈ 3–5 s and keeps
documents in memory: `stop()` exports them to local_dir/firestore/export and the next start
imports them, so `nox -s dev` keeps its chat rooms across restarts. A machine without the CLI
component gets one error that says how to install it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devstack.ports import HOST, free_port, open_local, port_is_open
from devstack.processes import stop_child, stop_leftover, write_pid

REPO_ROOT = Path(__file__).resolve().parents[1]
RULES_FILE = REPO_ROOT / "firestore.rules"
JAR_IN_SDK = Path("platform") / "cloud-firestore-emulator" / "cloud-firestore-emulator.jar"
MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
START_TIMEOUT_S = 60.0
PID_FILE = "emulator.pid"
EXPORT_NAME = "bazaar"
INSTALL_HINT = (
    "Google's Firestore emulator was not found. Install the Google Cloud CLI "
    "(https://cloud.google.com/sdk/docs/install) with its Firestore emulator component: "
    "`gcloud components install cloud-firestore-emulator`, or on Debian/Ubuntu from Google's "
    "apt repository `sudo apt-get install google-cloud-cli-firestore-emulator`; it needs "
    "Java 17 or newer on PATH. Or point FIRESTORE_EMULATOR_JAR at the jar."
)


class FirestoreEmulatorMissing(RuntimeError):
    """The Google Cloud CLI's Firestore emulator (or Java) is not installed here."""


def emulator_jar() -> Path:
    """The emulator's jar: FIRESTORE_EMULATOR_JAR when set, else the Google Cloud CLI's."""
    configured = os.environ.get("FIRESTORE_EMULATOR_JAR")
    if configured:
        candidates = [Path(configured)]
    else:
        gcloud = shutil.which("gcloud")
        # bin/gcloud links into <sdk root>/bin (Debian's package: /usr/lib/google-cloud-sdk).
        candidates = [Path(gcloud).resolve().parents[1] / JAR_IN_SDK] if gcloud else []
        candidates.append(Path("/usr/lib/google-cloud-sdk") / JAR_IN_SDK)
    for jar in candidates:
        if jar.is_file():
            return jar
    raise FirestoreEmulatorMissing(INSTALL_HINT)


@dataclass
class FirestoreEmulator:
    """A running Firestore emulator (one project's documents, its rules loaded)."""

    process: subprocess.Popen[bytes]
    port: int
    project_id: str
    folder: Path

    @property
    def host(self) -> str:
        """host:port, as FIRESTORE_EMULATOR_HOST wants it."""
        return f"{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def log_path(self) -> Path:
        return self.folder / "emulator.log"

    def env(self) -> dict[str, str]:
        """Points google-cloud-firestore (and the Firebase SDKs) at this emulator."""
        return {"FIRESTORE_EMULATOR_HOST": self.host}

    def reset(self, project_id: str | None = None) -> None:
        """Delete every document of the project (the emulator's own reset endpoint)."""
        project = project_id or self.project_id
        self._call("DELETE", f"/emulator/v1/projects/{project}/databases/(default)/documents")

    def load_rules(self, rules: str, project_id: str | None = None) -> None:
        """Replace the security rules the emulator evaluates for the project."""
        body = {"rules": {"files": [{"name": "firestore.rules", "content": rules}]}}
        self._call("PUT", f"/emulator/v1/projects/{project_id or self.project_id}:securityRules",
                   body)

    def export(self) -> None:
        """Write every document to folder/export (imported again at the next start)."""
        (self.folder / "export").mkdir(exist_ok=True)
        body = {"database": f"projects/{self.project_id}/databases/(default)",
                "export_directory": str(self.folder / "export"), "export_name": EXPORT_NAME}
        self._call("POST", f"/emulator/v1/projects/{self.project_id}:export", body)

    def stop(self) -> None:
        """Export the documents, then terminate the emulator."""
        if self.process.poll() is None:
            try:
                self.export()
            except OSError:
                pass  # documents are a convenience of `nox -s dev`: stopping must not fail
        stop_child(self.process, self.folder / PID_FILE, grace_s=10)

    def _call(self, method: str, path: str, body: dict | None = None) -> None:
        request = urllib.request.Request(
            self.url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"})
        with open_local(request, timeout=30) as response:
            response.read()


def _command(jar: Path, folder: Path, port: int, project_id: str) -> list[str]:
    java = shutil.which("java")
    if java is None:
        raise FirestoreEmulatorMissing(INSTALL_HINT)
    command = [java, "-Xmx1g", "-cp", str(jar), MAIN_CLASS, "start", f"--host={HOST}",
               f"--port={port}", f"--websocket_port={free_port()}",
               f"--webchannel_port={free_port()}", f"--project_id={project_id}",
               f"--rules={RULES_FILE}"]
    metadata = folder / "export" / EXPORT_NAME / f"{EXPORT_NAME}.overall_export_metadata"
    if metadata.is_file():
        command.append(f"--import-data={metadata}")
    return command


def _wait_ready(emulator: FirestoreEmulator, timeout: float) -> None:
    """Wait until the emulator answers `Ok` on its root; raise if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if emulator.process.poll() is not None:
            raise RuntimeError(f"the Firestore emulator exited ({emulator.process.returncode}); "
                               f"see {emulator.log_path}")
        try:
            with open_local(emulator.url + "/", timeout=1) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.1)
    emulator.stop()
    raise TimeoutError(f"the Firestore emulator was not ready after {timeout:.0f} s; "
                       f"see {emulator.log_path}")


def start_firestore(local_dir: Path, port: int = 8086,
                    project_id: str = "demo-bazaar") -> FirestoreEmulator:
    """Start the emulator on 127.0.0.1:port (0: any free), its files under local_dir/firestore."""
    port = port or free_port()
    folder = Path(local_dir).resolve() / "firestore"
    folder.mkdir(parents=True, exist_ok=True)
    jar = emulator_jar()
    stop_leftover(folder / PID_FILE, str(jar))
    if port_is_open(port):
        raise RuntimeError(f"port {port} is already in use (a Firestore emulator of another "
                           "folder?)")
    env = {**os.environ, "CLOUDSDK_CONFIG": str(folder / "gcloud-config")}
    with open(folder / "emulator.log", "ab") as log:
        process = subprocess.Popen(_command(jar, folder, port, project_id), env=env,
                                   stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, cwd=folder)
    write_pid(folder / PID_FILE, process)
    emulator = FirestoreEmulator(process, port, project_id, folder)
    _wait_ready(emulator, START_TIMEOUT_S)
    return emulator
