"""devstack.gunicorn: functions under gunicorn, each worker loading them after the fork."""

from __future__ import annotations

import os
from pathlib import Path

import requests

from devstack.gunicorn import start_gunicorn
from devstack.ports import free_port

PID_FUNCTION = f"{Path(__file__).parent / 'pid_function.py'}:pids"


def test_each_worker_imports_the_function_itself_after_the_fork(tmp_path: Path) -> None:
    server = start_gunicorn(tmp_path, free_port(), function=PID_FUNCTION,
                            env={**os.environ, "WORKERS": "2", "THREADS": "2"})
    try:
        answers = [requests.get(f"http://127.0.0.1:{server.port}/", timeout=10).json()
                   for _ in range(10)]
    finally:
        server.stop()

    assert all(a["imported_by"] == a["served_by"] != server.process.pid for a in answers)
    assert {a["arbiter"] for a in answers} == {server.process.pid}
    assert len(list(tmp_path.glob("ready-*"))) == 2
    assert server.process.poll() is not None and not (tmp_path / "gunicorn.pid").exists()


def test_the_router_answers_under_gunicorn(tmp_path: Path) -> None:
    server = start_gunicorn(tmp_path / "http", free_port(), local_dir=tmp_path,
                            env={**os.environ, "BAZAAR_ENV": "test", "WORKERS": "1"})
    try:
        health = requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=10)
        missing = requests.get(f"http://127.0.0.1:{server.port}/v1/nothing", timeout=10)
    finally:
        server.stop()

    assert health.status_code == 200
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
