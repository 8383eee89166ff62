"""ExecutionRuntime: the service side of one execution (devstack/workflows/runtime.py's Runtime).

Waits (sys.sleep, retry backoff, await_callback) last `seconds × time_scale` on the wall clock
and end at once when the execution is cancelled: they wait on the execution's condition, which
a cancel and an arriving callback both notify.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from typing import Any

from devstack.workflows.callbacks import CallbackEndpoints
from devstack.workflows.errors import error, value_error
from devstack.workflows.executions import Execution
from devstack.workflows.pubsub_connector import PublishFailed, PubSubConnector
from devstack.workflows.runtime import Cancelled


class ExecutionRuntime:
    """One execution's identity, scaled clock, callbacks, Pub/Sub connector and log."""

    def __init__(self, execution: Execution, *, project: str, location: str, time_scale: float,
                 callbacks: CallbackEndpoints, pubsub: PubSubConnector,
                 user_env: Mapping[str, str] | None = None) -> None:
        self._execution = execution
        self._time_scale = time_scale
        self._callbacks = callbacks
        self._pubsub = pubsub
        self._env = {
            **(user_env or {}),  # the workflow's user_env_vars; the built-ins win
            "GOOGLE_CLOUD_PROJECT_ID": project,
            "GOOGLE_CLOUD_LOCATION": location,
            "GOOGLE_CLOUD_WORKFLOW_ID": execution.workflow_id,
            "GOOGLE_CLOUD_WORKFLOW_REVISION_ID": execution.revision_id,
            "GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID": execution.name.rsplit("/", 1)[-1],
        }

    @property
    def env(self) -> Mapping[str, str]:
        """The built-in variables sys.get_env reads."""
        return self._env

    def _wait(self, seconds: float, ready: Any = None) -> Any:
        """Wait up to `seconds` of workflow time for ready() to give a value; Cancelled if
        the execution is cancelled meanwhile; None at the deadline."""
        deadline = time.monotonic() + max(0.0, seconds) * self._time_scale
        wake = self._execution.wake
        with wake:
            while True:
                if self._execution.cancelled:
                    raise Cancelled()
                value = ready() if ready else None
                if value is not None:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                wake.wait(remaining)

    def sleep(self, seconds: float) -> None:
        """sys.sleep and retry backoff, scaled by the time scale."""
        self._wait(seconds)

    def check_cancelled(self) -> None:
        """Raise Cancelled if the execution was cancelled."""
        if self._execution.cancelled:
            raise Cancelled()

    def create_callback(self, http_method: str) -> dict[str, Any]:
        """A callback endpoint of this execution on the stand-in's HTTP host."""
        url = self._callbacks.create(self._execution.name, http_method, self._execution.wake)
        return {"url": url}

    def await_callback(self, url: str, timeout_s: float) -> dict[str, Any] | None:
        """The oldest request to `url` not yet consumed, or None after the (scaled) timeout."""
        def take() -> dict[str, Any] | None:
            try:
                return self._callbacks.take(self._execution.name, url)
            except ValueError as problem:
                raise value_error(f"events.await_callback: {problem}") from None

        return self._wait(timeout_s, take)

    def publish(self, topic: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """Publish to the local Pub/Sub stand-in; a refusal is the connector's HttpError."""
        self.check_cancelled()
        try:
            return self._pubsub.publish(topic, messages)
        except PublishFailed as refused:
            body = {"error": {"code": refused.code, "message": str(refused),
                              "status": refused.status}}
            raise error("HttpError", f"HTTP server responded with error code {refused.code}",
                        code=refused.code, headers={}, body=body) from None

    def log(self, severity: str, payload: Any) -> None:
        """One line of the execution's log on the stand-in's stderr (its log file)."""
        entry = {"severity": severity, "execution": self._execution.name, "payload": payload}
        print(json.dumps(entry, default=str, ensure_ascii=False), file=sys.stderr, flush=True)
