"""The Workflows stand-in's own virtual environment, keyed by its requirements.

`.local/venvs/workflows-<hash of requirements.txt>`: built once with `uv venv` + `uv pip
install -r` (or `python -m venv` + pip where uv is missing), then reused; a changed
requirements file gets a new folder. A file lock keeps two starting test sessions from
building the same one at once. Stdlib only: the functions' environment imports this module.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REQUIREMENTS = Path(__file__).with_name("requirements.txt")
READY_MARKER = ".bazaar-ready"


def venv_dir(root: Path) -> Path:
    """Where the environment for the current requirements lives under `root`."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    return root / f"workflows-{digest}"


def _python(folder: Path) -> Path:
    return folder / "bin" / "python"


def _build(folder: Path) -> None:
    """Create the environment in `folder` and install the requirements into it."""
    uv = shutil.which("uv")
    if uv:
        commands = [[uv, "venv", "--quiet", "--python", sys.executable, str(folder)],
                    [uv, "pip", "install", "--quiet", "--python", str(_python(folder)),
                     "-r", str(REQUIREMENTS)]]
    else:
        commands = [[sys.executable, "-m", "venv", str(folder)],
                    [str(_python(folder)), "-m", "pip", "install", "--quiet",
                     "-r", str(REQUIREMENTS)]]
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"building the Workflows stand-in's environment failed: "
                               f"{' '.join(command)}\n{done.stderr[-2000:]}")


def ensure_venv(root: Path) -> Path:
    """The Python of the stand-in's environment under `root`, built first if needed."""
    folder = venv_dir(root)
    if (folder / READY_MARKER).exists():
        return _python(folder)
    root.mkdir(parents=True, exist_ok=True)
    with open(folder.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / READY_MARKER).exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that was interrupted
            _build(folder)
            (folder / READY_MARKER).write_text(REQUIREMENTS.read_text())
    return _python(folder)
