"""A tiny edge service for the platform's tests: health, an echo of what reached it, and an
event door that keeps what Pub/Sub pushed (GET /_events returns them)."""

from __future__ import annotations

import threading

import flask


def create_app() -> flask.Flask:
    """The sample service's app (gunicorn runs `main:create_app()`)."""
    app = flask.Flask(__name__)
    received: list[dict] = []
    lock = threading.Lock()

    @app.get("/healthz")
    def healthz() -> tuple[str, int]:
        return "ok", 200

    @app.post("/_events/<subscription>")
    def event(subscription: str) -> tuple[str, int]:
        with lock:
            received.append({"subscription": subscription, "envelope": flask.request.json})
        return "", 204

    @app.get("/_events")
    def events() -> flask.Response:
        with lock:
            return flask.jsonify(list(received))

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE"])
    def echo(path: str) -> tuple[flask.Response, int, dict[str, str]]:
        seen = {"method": flask.request.method, "path": "/" + path,
                "query": flask.request.query_string.decode(),
                "headers": dict(flask.request.headers),
                "body": flask.request.get_data(as_text=True)}
        return flask.jsonify(seen), 201, {"X-Sample-Service": "echo"}

    return app
