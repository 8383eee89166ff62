"""One WSGI app serving every function of the manifest at its production path.

Each function is loaded the way Cloud Functions loads it (functions_framework.create_app
on its main.py); this router only picks the function by method and path, as the
production load balancer's URL map does. Pub/Sub-triggered functions are reachable at
/_events/<name> (the local Pub/Sub stand-in pushes there), internal ones at
/_internal/<name>, and the local mail sink at /_dev/mail.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

import functions_framework

from devstack import manifest

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def _problem(status: int, code: str, detail: str, start_response: Callable,
             headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    titles = {404: "Not Found", 405: "Method Not Allowed"}
    body = json.dumps({"type": f"https://bazaar.example/problems/{code}",
                       "title": titles[status], "status": status, "detail": detail,
                       "code": code}).encode()
    start_response(f"{status} {titles[status]}",
                   [("Content-Type", "application/problem+json"),
                    ("Content-Length", str(len(body))), *(headers or [])])
    return [body]


class Router:
    def __init__(self, extra_prefixes: dict[str, WsgiApp] | None = None) -> None:
        self.apps: dict[str, WsgiApp] = {}
        self.routes: list[tuple[manifest.Route, str]] = []
        for function in manifest.functions().values():
            self.apps[function.name] = functions_framework.create_app(
                function.name, str(function.source), function.signature_type)
            self.routes.extend((route, function.name) for route in function.routes)
        self.prefixes = dict(extra_prefixes or {})

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        method = environ.get("REQUEST_METHOD", "GET")
        for prefix, app in self.prefixes.items():
            if path == prefix or path.startswith(prefix + "/"):
                environ = {**environ, "SCRIPT_NAME": prefix, "PATH_INFO": path[len(prefix):]}
                return app(environ, start_response)
        for kind in ("/_events/", "/_internal/"):
            if path.startswith(kind):
                return self._internal(kind, path, environ, start_response)
        matching = [(route, name) for route, name in self.routes if route.pattern.match(path)]
        for route, name in matching:
            if route.method == method:
                return self.apps[name](environ, start_response)
        if matching:
            allowed = ", ".join(sorted({route.method for route, _ in matching}))
            return _problem(405, "method_not_allowed", f"Use {allowed} on this path.",
                            start_response, [("Allow", allowed)])
        return _problem(404, "not_found", "No such resource.", start_response)

    def _internal(self, kind: str, path: str, environ: dict, start_response: Callable) -> Any:
        name = path[len(kind):].split("/", 1)[0]
        function = manifest.functions().get(name)
        expected = "pubsub" if kind == "/_events/" else "internal"
        if function is None or function.trigger != expected:
            return _problem(404, "not_found", "No such function.", start_response)
        environ = {**environ, "PATH_INFO": "/"}
        return self.apps[name](environ, start_response)
