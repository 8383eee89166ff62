"""What the workflow interpreter needs from the service that runs it.

The interpreter (devstack/workflows/interpreter.py and its modules) knows the language: steps,
expressions, errors, retries, the standard library. Everything that depends on the running
service goes through a Runtime: the execution's identity, the (time-scaled) clock, callbacks,
the Pub/Sub connector, and logging. The Executions service (devstack/workflows/service.py)
implements it; the interpreter's own tests use a small local one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Cancelled(BaseException):
    """The execution was cancelled: it unwinds every step; no `try/except` catches it."""


class Runtime(Protocol):
    """The service side of one execution."""

    @property
    def env(self) -> Mapping[str, str]:
        """Built-in variables for sys.get_env: GOOGLE_CLOUD_PROJECT_ID, GOOGLE_CLOUD_LOCATION,
        GOOGLE_CLOUD_WORKFLOW_ID, GOOGLE_CLOUD_WORKFLOW_REVISION_ID,
        GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID, plus the workflow's user_env_vars."""

    def sleep(self, seconds: float) -> None:
        """sys.sleep and retry backoff: wait `seconds` of workflow time (the service scales it
        by BAZAAR_TIME_SCALE); raises Cancelled as soon as the execution is cancelled."""

    def check_cancelled(self) -> None:
        """Raise Cancelled if the execution was cancelled (called between steps)."""

    def create_callback(self, http_method: str) -> dict[str, Any]:
        """events.create_callback_endpoint: {"url": <the service's callback URL>}."""

    def await_callback(self, url: str, timeout_s: float) -> dict[str, Any] | None:
        """events.await_callback: the first request to `url` not yet consumed (requests that
        came before the await are queued), as {"http_request": {"body", "headers", "method",
        "query", "url"}, "received_time": …, "type": "HTTP"}; None once `timeout_s` of
        workflow time passed without one (the interpreter raises TimeoutError then).
        Raises Cancelled."""

    def publish(self, topic: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """googleapis.pubsub.v1.projects.topics.publish to the local Pub/Sub stand-in: topic is
        "projects/<p>/topics/<t>", messages as the REST API takes them ({"data": base64,
        "attributes": {…}}); returns {"messageIds": […]}. Raises ConnectionError when the
        stand-in cannot be reached."""

    def log(self, severity: str, payload: Any) -> None:
        """sys.log: one entry of the execution's log."""
