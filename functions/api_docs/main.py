"""GET /healthz, GET /openapi.json, GET /docs (Swagger UI, served offline from the package).

Also the load balancer's default backend: any path no route matches gets a 404 problem.
Trigger: HTTP. Settings: none.
"""

import json
import mimetypes
import uuid

import flask
import functions_framework

from common.domain.errors import MethodNotAllowed, NotFound
from common.http import answer_routing_errors_as_problems, problem_response

ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bazaar API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"});</script></body></html>"""
CACHE = "public, max-age=300"
answer_routing_errors_as_problems()  # also as the load balancer's default backend


@functions_framework.http
def api_docs(request: flask.Request):
    if request.method != "GET":
        return problem_response(MethodNotAllowed("GET"), _request_id())
    if request.path == "/healthz":
        return flask.jsonify(status="ok")
    if request.path == "/openapi.json":
        from common.api.openapi import document  # builds every schema: only when asked

        return flask.Response(json.dumps(document()), mimetype="application/json",
                              headers={"Cache-Control": CACHE})
    if request.path == "/docs":
        return flask.Response(PAGE, mimetype="text/html", headers={"Cache-Control": CACHE})
    asset = request.path.removeprefix("/docs/")
    if asset in ASSETS:
        from swagger_ui_bundle import swagger_ui_path

        body = (swagger_ui_path / asset).read_bytes()
        return flask.Response(body, mimetype=mimetypes.guess_type(asset)[0],
                              headers={"Cache-Control": "public, max-age=86400"})
    return problem_response(NotFound(), _request_id())


def _request_id() -> str:
    return uuid.uuid4().hex
