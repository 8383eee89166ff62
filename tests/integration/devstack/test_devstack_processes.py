"""devstack.processes: leftovers of a killed dev server are stopped, other processes are not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from devstack.processes import stop_leftover, write_pid

SLEEPER = [sys.executable, "-c", "import time; time.sleep(30)", "devstack-test-marker"]


def test_leftover_with_marker_is_stopped(tmp_path: Path) -> None:
    process = subprocess.Popen(SLEEPER)
    write_pid(tmp_path / "x.pid", process)
    stop_leftover(tmp_path / "x.pid", "devstack-test-marker", timeout=5)
    assert process.wait(timeout=5) is not None
    assert not (tmp_path / "x.pid").exists()


def test_process_without_marker_is_left_alone(tmp_path: Path) -> None:
    process = subprocess.Popen(SLEEPER)
    try:
        write_pid(tmp_path / "x.pid", process)
        stop_leftover(tmp_path / "x.pid", "some-other-folder", timeout=5)
        assert process.poll() is None
    finally:
        process.kill()
        process.wait()


def test_missing_or_stale_pid_file_is_harmless(tmp_path: Path) -> None:
    stop_leftover(tmp_path / "absent.pid", "marker")
    (tmp_path / "stale.pid").write_text("999999999\n")
    stop_leftover(tmp_path / "stale.pid", "marker")
    assert not (tmp_path / "stale.pid").exists()
