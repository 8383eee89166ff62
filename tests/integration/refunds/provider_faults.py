"""A fault proxy in front of the Stripe twin: the first N refund requests get 503, as a
provider outage does; everything else is forwarded unchanged. Records each refund request's
Idempotency-Key."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

UNAVAILABLE = {"error": {"type": "api_error", "message": "The service is unavailable."}}


class RefundOutage:
    """Serve on 127.0.0.1 (any free port) in front of `target` (the twin's base URL)."""

    def __init__(self, target: str, failures: int) -> None:
        self.target, self.failures = target, failures
        self.refund_keys: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def should_fail(self, method: str, path: str, headers: Any) -> bool:
        if method != "POST" or path != "/v1/refunds":
            return False
        with self.lock:
            self.refund_keys.append(headers.get("Idempotency-Key", ""))
            return len(self.refund_keys) <= self.failures

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(outage: RefundOutage) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Log nothing."""

        def do_GET(self) -> None:  # noqa: N802
            self._forward("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._forward("POST")

        def _forward(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if outage.should_fail(method, self.path.split("?")[0], self.headers):
                self._send(503, json.dumps(UNAVAILABLE).encode(), {})
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            answer = requests.request(method, outage.target + self.path, data=body,
                                      headers=headers, timeout=30)
            passed = {k: v for k, v in answer.headers.items()
                      if k.lower() in ("idempotent-replayed", "request-id")}
            self._send(answer.status_code, answer.content, passed)

        def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler
