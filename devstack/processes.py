"""Pid files of child processes, so a stand-in left behind by a killed dev server is stopped."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import psutil


def write_pid(pid_file: Path, process: subprocess.Popen[bytes]) -> None:
    """Record a started child's pid."""
    pid_file.write_text(f"{process.pid}\n")


def stop_child(process: subprocess.Popen[bytes], pid_file: Path, grace_s: float) -> None:
    """Terminate a started child (SIGTERM: it finishes what it is doing), kill it if it is
    still there after grace_s, and remove its pid file."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    pid_file.unlink(missing_ok=True)


def stop_leftover(
    pid_file: Path, marker: str, signum: int = signal.SIGTERM, timeout: float = 15.0
) -> None:
    """Stop the process of pid_file if it still runs and has marker in its command line."""
    try:
        process = psutil.Process(int(pid_file.read_text()))
        if marker in process.cmdline():
            process.send_signal(signum)
            try:
                process.wait(timeout)
            except psutil.TimeoutExpired:
                process.kill()
                process.wait(5)
    except (OSError, ValueError, psutil.Error):
        pass
    pid_file.unlink(missing_ok=True)
