"""Callback endpoints of running executions (events.create_callback_endpoint / await_callback).

A request to an endpoint is queued until the execution awaits it, as the service keeps a
callback's "available payloads"; it wakes the execution's condition so a waiting
await_callback returns at once. An endpoint lives as long as its execution is active.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")


@dataclass
class Callback:
    """One endpoint: the method it accepts and the requests not yet awaited."""

    execution: str
    method: str
    wake: threading.Condition
    pending: deque[dict[str, Any]] = field(default_factory=deque)


class CallbackEndpoints:
    """Endpoints by URL path (/v1/<execution name>/callbacks/<id>) on the stand-in's host."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._lock = threading.Lock()
        self._by_path: dict[str, Callback] = {}

    def create(self, execution: str, method: str, wake: threading.Condition) -> str:
        """A new endpoint of `execution` accepting `method`; its URL. ValueError: bad method."""
        method = (method or "POST").upper()
        if method not in HTTP_METHODS:
            raise ValueError(f"http_callback_method must be one of {', '.join(HTTP_METHODS)}")
        path = f"/v1/{execution}/callbacks/{uuid.uuid4()}"
        with self._lock:
            self._by_path[path] = Callback(execution, method, wake)
        return self.base_url + path

    def deliver(self, path: str, method: str, request: dict[str, Any]) -> bool:
        """Queue a request for its endpoint; False where no active endpoint takes this method."""
        with self._lock:
            callback = self._by_path.get(path)
            if callback is None or callback.method != method:
                return False
            callback.pending.append(request)
        with callback.wake:
            callback.wake.notify_all()
        return True

    def take(self, execution: str, url: str) -> dict[str, Any] | None:
        """The oldest request queued for `url`, or None. ValueError: not this execution's."""
        path = url[len(self.base_url):] if url.startswith(self.base_url) else None
        with self._lock:
            callback = self._by_path.get(path or "")
            if callback is None or callback.execution != execution:
                raise ValueError(f"not a callback endpoint of this execution: {url}")
            return callback.pending.popleft() if callback.pending else None

    def drop(self, execution: str) -> None:
        """Remove the endpoints of a finished execution (requests to them get 404 from now)."""
        with self._lock:
            for path in [p for p, c in self._by_path.items() if c.execution == execution]:
                del self._by_path[path]
