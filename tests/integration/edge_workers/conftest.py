"""A sample edge service, run the way the stack runs the real ones: gunicorn from a fresh
environment of its own requirements file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.edge_workers import EdgeWorker, build_venv, start_worker
from devstack.manifest import EdgeService, Route
from devstack.ports import free_port

SAMPLE = Path(__file__).with_name("sample_service")


def sample_service(requirements: str = "requirements.txt") -> EdgeService:
    """The sample service's declaration, as services.yaml would write it."""
    return EdgeService("sample", "tests.integration.edge_workers.sample_service.main:create_app",
                       SAMPLE / requirements, (Route("POST", "/v1/samples"),), "SAMPLE_URL")


@pytest.fixture(scope="session")
def sample_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeWorker]:
    """The sample service, running from a venv built in a temporary folder."""
    folder = tmp_path_factory.mktemp("sample-venv")
    python = build_venv(SAMPLE / "requirements.txt", folder / "venv")
    worker = start_worker(sample_service(), python, free_port(), dict(os.environ),
                          folder / "sample.log")
    yield worker
    worker.stop()
