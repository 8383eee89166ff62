"""A minimal Runtime for the interpreter's own tests: scaled real sleeps, in-process callbacks,
recorded Pub/Sub messages and logs (the service's Runtime lives in devstack/workflows)."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from devstack.workflows.runtime import Cancelled

ENV = {"GOOGLE_CLOUD_PROJECT_ID": "local-project", "GOOGLE_CLOUD_LOCATION": "europe-west1",
       "GOOGLE_CLOUD_WORKFLOW_ID": "conformance", "GOOGLE_CLOUD_WORKFLOW_REVISION_ID": "000001",
       "GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID": "local-execution"}


class LocalRuntime:
    """Workflow seconds pass `scale` times faster; every wait is recorded in `sleeps`."""

    def __init__(self, scale: float = 0.001, env: Mapping[str, str] = ENV) -> None:
        self.scale = scale
        self._env = dict(env)
        self.sleeps: list[float] = []
        self.logs: list[tuple[str, Any]] = []
        self.published: list[tuple[str, list[dict[str, Any]]]] = []
        self.cancelled = threading.Event()
        self.callbacks: dict[str, queue.Queue[dict[str, Any]]] = {}
        self.awaited: list[tuple[str, float]] = []
        self.publish_fails = False

    @property
    def env(self) -> Mapping[str, str]:
        return self._env

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.cancelled.wait(seconds * self.scale):
            raise Cancelled()

    def check_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled()

    def create_callback(self, http_method: str) -> dict[str, Any]:
        url = f"http://127.0.0.1:1/v1/projects/local-project/locations/europe-west1/workflows/" \
              f"conformance/executions/local-execution/callbacks/{uuid.uuid4().hex}"
        self.callbacks[url] = queue.Queue()
        return {"url": url}

    def send_callback(self, url: str, body: Any, method: str = "POST") -> None:
        """What an HTTP request to the callback URL does on the service: queue it."""
        self.callbacks[url].put({
            "http_request": {"body": body, "headers": {}, "method": method, "query": {},
                             "url": url.split("127.0.0.1:1")[1]},
            "received_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "type": "HTTP"})

    def await_callback(self, url: str, timeout_s: float) -> dict[str, Any] | None:
        self.awaited.append((url, timeout_s))
        try:
            return self.callbacks[url].get(timeout=timeout_s * self.scale)
        except queue.Empty:
            return None

    def publish(self, topic: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        if self.publish_fails:
            raise ConnectionError("Pub/Sub stand-in unreachable")
        self.published.append((topic, messages))
        return {"messageIds": [str(len(self.published) * 100 + i) for i in range(len(messages))]}

    def log(self, severity: str, payload: Any) -> None:
        self.logs.append((severity, payload))
