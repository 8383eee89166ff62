"""Fixtures for the Workflows stand-in's service tests: the stand-in as a child process from
its own environment (once per session), the local Pub/Sub stand-in it publishes to, the
official ExecutionsClient and our adapter pointed at it, and scripted HTTP endpoints."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from google.cloud.workflows.executions_v1 import ExecutionsClient, types
from google.cloud.workflows.executions_v1.services.executions.transports import (
    ExecutionsGrpcTransport,
)
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from common.adapters.workflow_executions import GoogleWorkflowExecutions
from devstack.ports import open_local
from devstack.pubsub import LocalPubSub, start_pubsub
from devstack.workflows import LocalWorkflows, start_workflows

PROJECT = "demo-bazaar"
LOCATION = "europe-west1"
TOPIC = "saga-events"
TIME_SCALE = 0.01  # 100 s of workflow time last 1 s
REPO_ROOT = Path(__file__).resolve().parents[3]
SAGAS = Path(__file__).with_name("sagas")


@pytest.fixture(scope="session")
def pubsub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPubSub]:
    """A Pub/Sub stand-in with one topic and no subscriptions (messages are only recorded)."""
    events = tmp_path_factory.mktemp("pubsub") / "events.yaml"
    events.write_text(yaml.safe_dump({"topics": {TOPIC: {"events": []}}, "subscriptions": {}}))
    server = start_pubsub(PROJECT, events, lambda function: "http://127.0.0.1:9", port=0)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def workflows(tmp_path_factory: pytest.TempPathFactory,
              pubsub: LocalPubSub) -> Iterator[LocalWorkflows]:
    """The stand-in with workflows/*.yaml and the sagas/*.yaml of these tests deployed."""
    stand_in = start_workflows(
        tmp_path_factory.mktemp("local"), project_id=PROJECT, location=LOCATION,
        workflows_dirs=[REPO_ROOT / "workflows", SAGAS], pubsub_host=pubsub.host,
        time_scale=TIME_SCALE)
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="session")
def client(workflows: LocalWorkflows) -> ExecutionsClient:
    """The official client, unchanged, on a plaintext channel to the stand-in."""
    channel = grpc.insecure_channel(workflows.host)
    return ExecutionsClient(transport=ExecutionsGrpcTransport(channel=channel))


@pytest.fixture(scope="session")
def adapter(workflows: LocalWorkflows) -> GoogleWorkflowExecutions:
    """The production adapter with the emulator host set, as settings would build it."""
    return GoogleWorkflowExecutions(PROJECT, LOCATION, emulator_host=workflows.host)


@pytest.fixture
def deploy(workflows: LocalWorkflows) -> Callable[[str], str]:
    """deploy(yaml) -> the parent name of a freshly deployed workflow with a unique id."""

    def run(source: str) -> str:
        workflow_id = f"test-{uuid.uuid4().hex[:12]}"
        workflows.deploy(workflow_id, source)
        return ExecutionsClient.workflow_path(PROJECT, LOCATION, workflow_id)

    return run


def wait_finished(client: ExecutionsClient, name: str, timeout: float = 10.0) -> types.Execution:
    """Poll GetExecution until the execution leaves ACTIVE; AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution = client.get_execution(name=name)
        if execution.state != types.Execution.State.ACTIVE:
            return execution
        time.sleep(0.02)
    raise AssertionError(f"{name} still ACTIVE after {timeout} s")


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll predicate() until it returns something truthy; AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout} s")


def send_json(url: str, body: Any = None, method: str = "POST") -> tuple[int, Any]:
    """One request to a callback URL with a (locally accepted) bearer token: status, reply."""
    request = urllib.request.Request(
        url, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer local-token", "Content-Type": "application/json"})
    try:
        with open_local(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Log nothing."""


@dataclass
class Endpoints:
    """Local HTTP endpoints a workflow calls: each answers scripted statuses, then `always`
    (200 by default) with {"id": "<path>-<n>"}, and records every call in arrival order."""

    base_url: str = ""
    calls: list[tuple[str, Any]] = field(default_factory=list)
    scripted: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    always: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, *statuses: int) -> None:
        """Answer the next calls to `path` with these statuses."""
        self.scripted[path].extend(statuses)

    def bodies(self, path: str) -> list[Any]:
        """The JSON bodies `path` received, in order."""
        with self.lock:
            return [body for called, body in self.calls if called == path]

    def order(self) -> list[str]:
        """The paths called, in arrival order."""
        with self.lock:
            return [called for called, _ in self.calls]

    def app(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        path = request.path.strip("/")
        with self.lock:
            self.calls.append((path, request.get_json(silent=True)))
            scripted = self.scripted[path]
            status = scripted.popleft() if scripted else self.always.get(path, 200)
            number = sum(1 for called, _ in self.calls if called == path)
        body = {"id": f"{path}-{number}"} if status < 300 else {"error": f"status {status}"}
        response = Response(json.dumps(body), status=status, content_type="application/json")
        return response(environ, start_response)


@pytest.fixture
def endpoints() -> Iterator[Endpoints]:
    """Scripted endpoints on a free local port."""
    recorder = Endpoints()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, recorder.app, threaded=True,
                                         request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    recorder.base_url = f"http://127.0.0.1:{server.server_port}"
    yield recorder
    server.shutdown()
    thread.join(timeout=5)
