"""Fixtures for the devstack tests: a local push receiver and events.yaml files."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


class _QuietHandler(WSGIRequestHandler):
    """Request handler that does not log every request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Log nothing."""


@contextmanager
def serve_wsgi(app: Any) -> Iterator[BaseWSGIServer]:
    """Serve a WSGI app on 127.0.0.1 (free port) in a thread for the duration of the block."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)


@dataclass
class PushReceiver:
    """Records pushed envelopes per path; answers scripted statuses (then 200)."""

    base_url: str = ""
    received: list[tuple[str, dict[str, Any], float]] = field(default_factory=list)
    scripted: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    always: dict[str, int] = field(default_factory=dict)
    delay_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, function: str) -> str:
        """The endpoint of one function."""
        return f"{self.base_url}/{function}"

    def answer(self, function: str, *statuses: int) -> None:
        """Answer the next requests to a function with these statuses."""
        self.scripted[function].extend(statuses)

    def bodies(self, function: str) -> list[dict[str, Any]]:
        """Envelopes received by a function, in arrival order."""
        with self.lock:
            return [body for path, body, _ in self.received if path == function]

    def times(self, function: str) -> list[float]:
        """Arrival times (monotonic) of requests to a function."""
        with self.lock:
            return [at for path, _, at in self.received if path == function]

    def app(self, environ: Any, start_response: Any) -> Any:
        """The WSGI app."""
        request = Request(environ)
        function = request.path.strip("/")
        with self.lock:
            self.received.append((function, json.loads(request.get_data()), time.monotonic()))
            scripted = self.scripted[function]
            status = scripted.popleft() if scripted else self.always.get(function, 200)
        if self.delay_s:
            time.sleep(self.delay_s)
        return Response("ack" if status < 300 else "nack", status=status)(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    """A push receiver served on a free local port."""
    push = PushReceiver()
    with serve_wsgi(push.app) as server:
        push.base_url = f"http://127.0.0.1:{server.server_port}"
        yield push


def _poll(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll predicate() until true or timeout; return whether it became true."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def wait_until() -> Callable[..., bool]:
    """poll(predicate, timeout=5.0) -> bool."""
    return _poll


@pytest.fixture
def make_events(tmp_path: Path) -> Callable[..., Path]:
    """make_events(topics, subscriptions) writes tmp_path/events.yaml and returns its path."""

    def write(topics: list[str], subscriptions: dict[str, dict[str, Any]]) -> Path:
        document = {
            "topics": {topic: {"events": []} for topic in topics},
            "subscriptions": subscriptions,
        }
        path = tmp_path / "events.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    return write


@pytest.fixture
def serve() -> Callable[[Any], Any]:
    """serve(wsgi_app) context manager yielding a werkzeug server on a free 127.0.0.1 port."""
    return serve_wsgi
