"""The stand-in's HTTP side on 127.0.0.1: callback endpoints and a local-only deploy route.

- `<METHOD> /v1/projects/…/executions/{id}/callbacks/{cb}`: the request is queued for the
  execution (any bearer token is accepted locally) → 200 `{}`; no active endpoint for that path
  and method → 404 in Google's error shape.
- `PUT /_dev/workflows/{id}` with a YAML body deploys or replaces a workflow (tests deploy
  their own definitions) → 200 {"name", "revisionId"}; a DeployError → 400 with its message.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devstack.workflows import interpreter
from devstack.workflows.callbacks import CallbackEndpoints
from devstack.workflows.executions import Executions

_DEPLOY = re.compile(r"^/_dev/workflows/([A-Za-z][A-Za-z0-9_-]{0,63})$")
_DROPPED_HEADERS = ("authorization",)  # a caller's token never reaches workflow data


def _body(raw: bytes, content_type: str) -> Any:
    """The request body as the workflow sees it: decoded JSON, else text (None if empty)."""
    if not raw:
        return None
    if content_type.split(";")[0].strip().lower() == "application/json":
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return raw.decode("utf-8", errors="replace")


def callback_request(method: str, target: str, headers: Any, raw: bytes) -> dict[str, Any]:
    """The map events.await_callback returns for one HTTP request."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query, keep_blank_values=True)
    kept = {name: value for name, value in headers.items()
            if name.lower() not in _DROPPED_HEADERS}
    return {
        "http_request": {"body": _body(raw, headers.get("Content-Type", "")), "headers": kept,
                         "method": method, "query": query, "url": target},
        "received_time": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "type": "HTTP",
    }


def make_handler(executions: Executions, callbacks: CallbackEndpoints) -> type:
    """The request handler class bound to this stand-in's registries."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Log nothing per request (a callback URL is a capability)."""

        def _reply(self, status: int, document: Any) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _raw(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _handle(self) -> None:
            raw = self._raw()
            path = urllib.parse.urlsplit(self.path).path
            deploy = _DEPLOY.match(path)
            if deploy and self.command == "PUT":
                return self._deploy(deploy.group(1), raw)
            request = callback_request(self.command, self.path, self.headers, raw)
            if callbacks.deliver(path, self.command, request):
                return self._reply(200, {})
            self._reply(404, {"error": {"code": 404, "status": "NOT_FOUND",
                                        "message": "Requested entity was not found."}})

        def _deploy(self, workflow_id: str, raw: bytes) -> None:
            try:
                deployed = executions.deploy(workflow_id, raw.decode())
            except (interpreter.DeployError, UnicodeDecodeError) as error:
                return self._reply(400, {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                                   "message": str(error)}})
            self._reply(200, {"name": executions.workflow_name(workflow_id),
                              "revisionId": deployed.revision_id})

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _handle

    return Handler


def serve_http(host: str, port: int, executions: Executions,
               callbacks: CallbackEndpoints) -> ThreadingHTTPServer:
    """Serve on host:port (0: any free) on a daemon thread."""
    server = ThreadingHTTPServer((host, port), make_handler(executions, callbacks))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     daemon=True, name="workflows-http").start()
    return server
