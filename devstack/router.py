"""One WSGI app serving every function of the manifest at its production path.

Each function is loaded the way Cloud Functions loads it (functions_framework.create_app
on its main.py), connecting to PostgreSQL as its manifest `database_role`
(devstack/loader.py); this router only picks the function by method and path, as the
production load balancer's URL map does. Pub/Sub-triggered functions are reachable at
/_events/<name> (the local Pub/Sub stand-in pushes there), internal ones at
/_internal/<name>, and the local mail sink at /_dev/mail. The `routes` of each edge worker
(edge_workers/services.yaml) go to its process at its `url_setting` (devstack/edge_proxy.py),
as the balancer's URL map sends them to the nearest region's Cloud Run service; they win over
a function's route.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Mapping

from common.domain.errors import MethodNotAllowed, NotFound
from common.http_problems import problem_response
from devstack import manifest
from devstack.edge_proxy import EdgeProxy
from devstack.loader import load

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class Router:
    def __init__(self, extra_prefixes: dict[str, WsgiApp] | None = None,
                 edge_urls: Mapping[str, str] | None = None) -> None:
        """edge_urls: the environment naming each edge worker's URL (default: os.environ)."""
        self.apps: dict[str, WsgiApp] = {}
        self.routes: list[tuple[manifest.Route, str]] = []
        urls = os.environ if edge_urls is None else edge_urls
        for service in manifest.edge_services().values():
            if service.routes and urls.get(service.url_setting):
                self.apps[f"edge:{service.name}"] = EdgeProxy(service.name,
                                                              urls[service.url_setting])
                self.routes.extend((route, f"edge:{service.name}") for route in service.routes)
        for function in manifest.functions().values():
            app = load(function)
            self.apps[function.name] = app
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
            return problem_response(MethodNotAllowed(allowed), None)(environ, start_response)
        return problem_response(NotFound(), None)(environ, start_response)

    def _internal(self, kind: str, path: str, environ: dict, start_response: Callable) -> Any:
        name = path[len(kind):].split("/", 1)[0]
        function = manifest.functions().get(name)
        expected = "pubsub" if kind == "/_events/" else "internal"
        if function is None or function.trigger != expected:
            return problem_response(NotFound("No such function."), None)(environ, start_response)
        environ = {**environ, "PATH_INFO": "/"}
        return self.apps[name](environ, start_response)
