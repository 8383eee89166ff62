"""Each edge service runs from an environment built fresh from its own requirements file, as
its container does: a dependency missing there fails here, not in production."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from devstack import manifest
from devstack.edge_workers import (
    EdgeWorker,
    build_venv,
    ensure_venv,
    start_worker,
    venv_dir,
)
from devstack.ports import free_port, open_local
from edge_workers.fraud.committed_models import newest_model_path
from tests.integration.edge_workers.conftest import SAMPLE, sample_service

SERVICES = sorted(manifest.edge_services())


def _health(url: str) -> tuple[int, bytes]:
    with open_local(f"{url}/healthz", timeout=5) as response:
        return response.status, response.read()


def test_the_sample_service_answers_health_from_its_own_fresh_environment(
        sample_worker: EdgeWorker):
    # Given the sample service started from a venv built from its requirements (conftest)
    # When its health is asked, Then it answers
    assert _health(sample_worker.url) == (200, b"ok")


def test_a_dependency_missing_from_the_requirements_fails_the_start(tmp_path: Path):
    # Given an environment of a requirements file that lacks flask, which the app imports
    service = sample_service("gunicorn_only.txt")
    python = build_venv(service.requirements, tmp_path / "venv")

    # When the service is started from it, Then the start fails with the import error
    with pytest.raises(RuntimeError, match="No module named 'flask'"):
        start_worker(service, python, free_port(), dict(os.environ), tmp_path / "s.log",
                     timeout=30)


def test_an_environment_is_reused_until_its_requirements_change(tmp_path: Path):
    # Given the sample service's environment, built once under a root
    service = sample_service()
    first = ensure_venv(service, tmp_path)
    marker = first.parent.parent / ".bazaar-ready"
    built_at = marker.stat().st_mtime_ns

    # When it is asked for again, Then the same one comes back, not rebuilt
    assert ensure_venv(service, tmp_path) == first
    assert marker.stat().st_mtime_ns == built_at

    # And a changed requirements file gets an environment of its own
    changed = tmp_path / "requirements.txt"
    changed.write_text((SAMPLE / "requirements.txt").read_text() + "# changed\n")
    other = manifest.EdgeService("sample", service.app, changed, (), "SAMPLE_URL")
    assert venv_dir(other, tmp_path) != venv_dir(service, tmp_path)


def _service_env(stack, service: manifest.EdgeService) -> dict[str, str]:
    """The stack's environment, with the committed fraud model as a local path."""
    env = {**os.environ, **stack.env}
    env.pop("FRAUD_MODEL_URI", None)
    if service.name == "fraud":
        env["FRAUD_MODEL_URI"] = str(newest_model_path())
    return env


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """fresh_python(name): the python of a venv built fresh (once per module) from the
    service's requirements file alone, in a temporary folder."""
    built: dict[str, Path] = {}

    def python(name: str) -> Path:
        if name not in built:
            folder = tmp_path_factory.mktemp(f"{name}-venv")
            built[name] = build_venv(manifest.edge_services()[name].requirements,
                                     folder / "venv")
        return built[name]

    return python


@pytest.mark.parametrize("name", SERVICES)
def test_every_edge_service_starts_from_a_fresh_environment_of_its_requirements(
        stack, fresh_python: Callable[[str], Path], tmp_path: Path, name: str):
    # Given the service's environment built fresh from its requirements file alone
    service = manifest.edge_services()[name]
    python = fresh_python(name)

    # When the service is started from it beside the stack
    worker = start_worker(service, python, free_port(), _service_env(stack, service),
                          tmp_path / f"{name}.log")

    # Then it answers its health check
    try:
        assert _health(worker.url)[0] == 200
    finally:
        worker.stop()


def test_the_fraud_worker_without_a_model_refuses_to_start_and_says_why(
        stack, fresh_python: Callable[[str], Path], tmp_path: Path):
    # Given the fraud worker's environment and the stack's settings without FRAUD_MODEL_URI
    service = manifest.edge_services()["fraud"]
    python = fresh_python("fraud")
    env = {**_service_env(stack, service)}
    del env["FRAUD_MODEL_URI"]

    # When it is started, Then it stops at once, naming the setting
    with pytest.raises(RuntimeError, match="FRAUD_MODEL_URI"):
        start_worker(service, python, free_port(), env, tmp_path / "fraud.log", timeout=30)


@pytest.mark.parametrize("name", SERVICES)
def test_the_stack_runs_each_edge_worker_where_its_url_setting_points(stack, name: str):
    # Given the session stack, When the service's URL setting is read
    service = manifest.edge_services()[name]
    worker = stack.services[name]

    # Then the stack's own process of it answers there, and its log file is kept
    assert stack.env[service.url_setting] == worker.url
    assert _health(stack.env[service.url_setting])[0] == 200
    assert worker.log_path == stack.local_dir / f"{name}.log"
