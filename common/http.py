"""The HTTP door of every function: request ids, auth, validation, idempotency, and
RFC 9457 problem responses carrying the contract's `code`.

A function's main.py is `@functions_framework.http` over `@endpoint(OPERATIONS[name])`
over a few lines that call one use case.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import flask
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException

from common import bootstrap
from common.api.operations import Operation
from common.domain.errors import (
    DomainError,
    IdempotencyInProgress,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Problem,
    ServiceUnavailable,
    Unauthenticated,
)
from common.domain.identity import Principal, authorize
from common.http_caller import client_ip
from common.http_inputs import IDEMPOTENCY_KEY_PATTERN, parse_body, parse_query, parse_upload
from common.http_problems import problem_response
from common.logs import log, log_unhandled

logger = logging.getLogger("bazaar.http")
MAX_TOKEN_CHARS = 4096
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


@dataclass(frozen=True)
class Call:
    """What a use case needs from the request, already validated."""

    request_id: str
    principal: Principal | None
    body: Any
    query: Any
    params: dict[str, str]
    client_address: str


def json_response(model: BaseModel, status: int) -> flask.Response:
    return flask.Response(model.model_dump_json(), status=status, mimetype="application/json")


def endpoint(op: Operation) -> Callable[[Callable[[Call], Any]], Callable[[flask.Request], Any]]:
    """Wrap a handler `(Call) -> pydantic model | flask.Response` as a functions-framework view."""

    def decorate(handle: Callable[[Call], Any]) -> Callable[[flask.Request], Any]:
        answer_routing_errors_as_problems()

        @functools.wraps(handle)
        def view(request: flask.Request) -> flask.Response:
            return _serve(op, handle, request)

        view.operation = op  # type: ignore[attr-defined]
        return view

    return decorate


def internal(handle: Callable[[], dict]) -> Callable[[flask.Request], flask.Response]:
    """Wrap a function that Cloud Scheduler calls: JSON result, problem responses, request log."""
    answer_routing_errors_as_problems()

    @functools.wraps(handle)
    def view(request: flask.Request) -> flask.Response:
        started, request_id = time.perf_counter(), _request_id(request)
        try:
            bootstrap.settings()
            response = flask.Response(json.dumps(handle()), mimetype="application/json")
        except Exception as error:
            response = _problem_for(error, request_id)
        _log_request(request, response, request_id, None, started)
        return response

    return view


def answer_routing_errors_as_problems() -> None:
    """What the function's Flask app refuses before our view runs becomes problem JSON too.

    functions-framework routes every path to the function with `/<path:path>`, whose regex
    (`[^/].*?`, no DOTALL) matches no path holding a newline (`%0A`): Flask would answer
    its HTML 404. Decorators run while functions-framework loads main.py, inside the app
    context of the app that serves it.
    """
    if flask.has_app_context():
        flask.current_app.register_error_handler(HTTPException, _routing_problem)


def _routing_problem(error: HTTPException) -> flask.Response:
    problem: Problem
    if error.code == 404:
        problem = NotFound()
    elif error.code == 405:
        problem = MethodNotAllowed(", ".join(getattr(error, "valid_methods", None) or ["GET"]))
    elif error.code == 413:
        problem = PayloadTooLarge()
    else:
        problem = Problem(error.description)
    return problem_response(problem, _request_id(flask.request))


def _serve(op: Operation, handle: Callable[[Call], Any], request: flask.Request) -> flask.Response:
    started = time.perf_counter()
    request_id = _request_id(request)
    principal: Principal | None = None
    try:
        bootstrap.settings()
        params = _route(op, request)
        principal = _authenticate(op, request)
        body = parse_upload(op, request) if op.upload else parse_body(op, request)
        call = Call(request_id, principal, body, parse_query(op, request), params,
                    client_address(request))
        response = _idempotent(op, request, call, lambda: _respond(op, handle(call)))
        if op.cache_s is not None:
            response = _cacheable(op, request, response)
    except Exception as error:  # every failure becomes a problem response, never a stack trace
        response = _problem_for(error, request_id)
    response.headers["X-Request-Id"] = request_id
    _log_request(request, response, request_id, principal, started)
    return response


def _request_id(request: flask.Request) -> str:
    given = request.headers.get("X-Request-Id", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def client_address(request: flask.Request) -> str:
    """The client's address for per-address limits: the one the security signals see
    (http_caller.client_ip), else the peer's (the local stack's loopback)."""
    return client_ip(request) or (request.remote_addr or "unknown")[:64]


def _route(op: Operation, request: flask.Request) -> dict[str, str]:
    match = op.path_pattern.match(request.path)
    if match is None:
        raise NotFound()
    if request.method != op.method:
        raise MethodNotAllowed(op.method)
    params = match.groupdict()
    for name, value in params.items():
        if name.endswith("_id") and not _is_uuid(value):
            raise NotFound()
    return params


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _authenticate(op: Operation, request: flask.Request) -> Principal | None:
    if op.roles is None:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_CHARS:
        raise Unauthenticated("Send `Authorization: Bearer <ID token>`: log in first.")
    from common.services.sessions import authenticate

    principal = authenticate(token.strip(), uow=bootstrap.unit_of_work,
                             identity=bootstrap.identity())
    authorize(principal, op.roles, verified_email=op.verified_email)
    return principal


def _cacheable(op: Operation, request: flask.Request, response: flask.Response) -> flask.Response:
    """Public GETs: Cache-Control, a strong ETag of the body, and 304 for If-None-Match."""
    if response.status_code != 200:
        return response
    etag = hashlib.sha256(response.get_data()).hexdigest()[:32]
    response.headers["Cache-Control"] = f"public, max-age={op.cache_s}"
    response.set_etag(etag)
    if etag in request.if_none_match:
        not_modified = flask.Response(status=304)
        not_modified.headers["Cache-Control"] = response.headers["Cache-Control"]
        not_modified.set_etag(etag)
        return not_modified
    return response


def _respond(op: Operation, result: Any) -> flask.Response:
    if isinstance(result, flask.Response):
        return result
    return json_response(result, op.status)


def _idempotent(op: Operation, request: flask.Request, call: Call,
                run: Callable[[], flask.Response]) -> flask.Response:
    """Replay the stored response of a retried POST carrying the same Idempotency-Key."""
    key = request.headers.get("Idempotency-Key")
    if op.idempotency == "none" or request.method != "POST":
        return run()
    if key is None:
        if op.idempotency in ("required", "required_by_use_case"):
            raise IdempotencyKeyRequired()
        return run()
    if not _IDEMPOTENCY_KEY.match(key):
        raise InvalidRequest.at("Idempotency-Key", "8-255 visible ASCII")
    if op.idempotency == "required_by_use_case":
        # The use case keeps its own record (POST /v1/orders: the order itself, unique per
        # caller and key): no stored response, and no transaction held open across the
        # provider calls it makes after its commit.
        return _run_domain(run, call.request_id)
    from common.adapters.idempotency import ClaimLost, StoredResponse
    from common.adapters.unit_of_work import deferred_commits

    store = bootstrap.idempotency_keys()
    caller = call.principal.account_id if call.principal else "anonymous"
    claim = store.claim(caller, key, _request_digest(request))
    if claim.reason == "reused":
        raise IdempotencyKeyReused()
    if claim.reason == "in_progress":
        raise IdempotencyInProgress()
    if claim.replay is not None:
        response = flask.Response(claim.replay.body, status=claim.replay.status,
                                  mimetype=_mimetype(claim.replay.status))
        response.headers["Idempotent-Replayed"] = "true"
        return response
    lease = claim.lease
    assert lease is not None  # neither a replay nor a conflict: this request holds the key
    with deferred_commits(bootstrap.engine()) as effect:
        try:
            response = _respond(op, _run_domain(run, call.request_id))
        except BaseException:
            effect.finish(lambda db: store.release(db, caller, key, lease))
            raise
        stored = StoredResponse(response.status_code, response.get_data(as_text=True))
        try:
            # The response commits in the effect's transaction: both happen, or neither.
            effect.finish(lambda db: store.release(db, caller, key, lease)
                          if stored.status >= 500
                          else store.complete(db, caller, key, lease, stored))
        except ClaimLost:
            raise IdempotencyInProgress() from None
    return response


def idempotency_of(request: flask.Request) -> tuple[str, str]:
    """The (validated) Idempotency-Key of the request and the digest of what it asks."""
    return request.headers["Idempotency-Key"], _request_digest(request)


def saga_step(handle: Callable[[dict], dict]) -> Callable[[flask.Request], flask.Response]:
    """Wrap a step a workflow calls (internal, JSON in and out): a refusal is its problem
    response (4xx: not retried), an outage 503 (retried by the workflow's http retry)."""
    answer_routing_errors_as_problems()

    @functools.wraps(handle)
    def view(request: flask.Request) -> flask.Response:
        started, request_id = time.perf_counter(), _request_id(request)
        try:
            bootstrap.settings()
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                raise InvalidRequest.at("body", "a JSON object")
            response = flask.Response(json.dumps(handle(body)), mimetype="application/json")
        except Exception as error:
            response = _problem_for(error, request_id)
        _log_request(request, response, request_id, None, started)
        return response

    return view


def _request_digest(request: flask.Request) -> str:
    """What makes a retry "the same request": method, path and body, a JSON body compared
    by value (key order and spacing may differ between a client's attempts)."""
    body = request.get_data(cache=True)
    if request.is_json:
        parsed = request.get_json(silent=True, cache=True)
        if parsed is not None:
            body = json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(request.method.encode() + request.path.encode() + b"\n"
                          + body).hexdigest()


def _run_domain(run: Callable[[], flask.Response], request_id: str) -> flask.Response:
    """Domain refusals are answers too: they are stored and replayed like successes."""
    try:
        return run()
    except DomainError as error:
        return _problem_for(error, request_id)


def _mimetype(status: int) -> str:
    return "application/json" if status < 400 else "application/problem+json"


def _problem_for(error: Exception, request_id: str) -> flask.Response:
    if isinstance(error, ServiceUnavailable):
        log(logger, logging.ERROR, "dependency unavailable", dependency=error.dependency,
            request_id=request_id, cause=type(error.__cause__).__name__)
    if isinstance(error, Problem):
        return problem_response(error, request_id)
    log_unhandled(logger, error, request_id=request_id)
    return problem_response(InternalError(), request_id)


def _log_request(request: flask.Request, response: flask.Response, request_id: str,
                 principal: Principal | None, started: float) -> None:
    latency_s = time.perf_counter() - started
    log(logger, logging.INFO, f"{request.method} {request.path} {response.status_code}",
        request_id=request_id, account_id=principal.account_id if principal else None,
        httpRequest={"requestMethod": request.method, "requestUrl": request.path,
                     "status": response.status_code, "latency": f"{latency_s:.6f}s",
                     "userAgent": request.headers.get("User-Agent", "")[:200]})
