"""GET /healthz, GET /openapi.json, GET /docs (Swagger UI, served offline from the package).

Trigger: HTTP. Settings: none.
"""

import json
import mimetypes

import flask
import functions_framework

from common.api.openapi import document

ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bazaar API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"});</script></body></html>"""
CACHE = "public, max-age=300"


@functions_framework.http
def api_docs(request: flask.Request):
    if request.method != "GET":
        return flask.Response(status=405, headers={"Allow": "GET"})
    if request.path == "/healthz":
        return flask.jsonify(status="ok")
    if request.path == "/openapi.json":
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
    return flask.Response(status=404)
