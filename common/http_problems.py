"""RFC 9457 problem responses of common/domain/errors.py's problems: the one builder for
the functions' door (common/http.py), the dev router and the edge workers. A light import:
flask and the errors, nothing that connects."""

from __future__ import annotations

import json

import flask

from common.domain.errors import Problem

PROBLEM_BASE = "https://bazaar.example/problems/"


def problem_response(problem: Problem, request_id: str | None = None) -> flask.Response:
    """The problem as application/problem+json, with its headers (Retry-After, Allow)."""
    body = {"type": PROBLEM_BASE + problem.code, "title": problem.title,
            "status": problem.status, "detail": problem.detail, "code": problem.code,
            **({"request_id": request_id} if request_id else {}), **problem.extra}
    response = flask.Response(json.dumps(body), status=problem.status,
                              mimetype="application/problem+json")
    response.headers.update(problem.headers())
    return response
