"""The anonymizer: a regional Cloud Run service that takes clients' interaction and analytics
events and forwards them to the central topics anonymized only (docs/anonymization-policy.md).

Routes: POST /v1/interactions (interactions.received on `interactions`), POST
/v1/analytics/events (analytics.event on `analytics`), GET /healthz. No database: tokens are
checked with Firebase (revocation included), the rate limit is per instance. Settings:
PSEUDONYM_KEYS_<ZONE>, RESIDENCY_ZONE, ANONYMIZER_BUFFER_MESSAGES, ANONYMIZER_RETRY_S,
INTERACTION_BATCHES_PER_WINDOW, INTERACTION_WINDOW_S, PUBLISH_TIMEOUT_S, Firebase Auth, Pub/Sub.
Its log lines carry request ids, paths, statuses and counts: never an id, address or agent.
"""

from __future__ import annotations

import atexit
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import flask
from werkzeug.exceptions import HTTPException

from common import clock
from common import settings as settings_module
from common.api.operations import OPERATIONS
from common.domain import errors as e
from common.http_caller import client_region, device_id
from common.http_inputs import parse_body
from common.http_problems import problem_response
from common.logs import configure, log, log_unhandled
from edge_workers.anonymizer.buffer import BufferedPublisher, PubSubSink
from edge_workers.anonymizer.keys import ZoneKeys
from edge_workers.anonymizer.limits import MemoryRateLimiter
from edge_workers.anonymizer.pipeline import (
    Client,
    Message,
    analytics_messages,
    interactions_message,
)
from edge_workers.anonymizer.tokens import FirebaseTokens

logger = logging.getLogger("edge_workers.anonymizer")


@dataclass
class Parts:
    """What the doors use, built once per instance (tests pass their own)."""

    settings: settings_module.Settings
    keys: ZoneKeys
    publisher: BufferedPublisher
    limiter: MemoryRateLimiter
    tokens: Any  # FirebaseTokens or a test double with holder(authorization)


def parts_from(settings: settings_module.Settings) -> Parts:
    """The production parts: Pub/Sub, Firebase, the zone keys of PSEUDONYM_KEYS_<ZONE>."""
    keys = ZoneKeys({z: settings.zone_keys(z) for z in ("eu", "americas", "asia")},
                    settings.residency_zone)
    publisher = BufferedPublisher(PubSubSink(settings.project_id, settings.publish_timeout_s),
                                  settings.anonymizer_buffer_messages, settings.anonymizer_retry_s)
    atexit.register(publisher.stop)  # gunicorn's graceful stop (SIGTERM) drains the buffer
    return Parts(settings, keys, publisher, MemoryRateLimiter(settings.interaction_window_s),
                 FirebaseTokens(settings.project_id))


def create_app(parts: Parts | None = None) -> flask.Flask:
    """The service's WSGI app (gunicorn serves it; Cloud Run routes the LB's paths here)."""
    settings = parts.settings if parts else settings_module.current()
    configure(settings.log_level)
    built = parts or parts_from(settings)
    app = flask.Flask(__name__)
    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok"})
    app.add_url_rule("/v1/interactions", "interactions", _door(built, _interactions),
                     methods=["POST"])
    app.add_url_rule("/v1/analytics/events", "analytics", _door(built, _analytics),
                     methods=["POST"])
    app.register_error_handler(HTTPException, _routing_problem)
    app.extensions["anonymizer"] = built
    return app


def _interactions(parts: Parts, request: flask.Request) -> list[Message]:
    body = parse_body(OPERATIONS["record_interactions"], request)
    client = _client(parts, request, body.device_id)
    key = parts.keys.of(client.country)
    message = interactions_message(client, [ev.model_dump() for ev in body.events],
                                   key=key, now=clock.now())
    return [message]


def _analytics(parts: Parts, request: flask.Request) -> list[Message]:
    body = parse_body(OPERATIONS["record_analytics_events"], request)
    client = _client(parts, request, body.device_id)
    return analytics_messages(client, [ev.model_dump(exclude_none=True) for ev in body.events],
                              key=parts.keys.of(client.country), now=clock.now())


def _door(parts: Parts, handle: Callable[[Parts, flask.Request], list[Message]]):
    def view() -> flask.Response:
        started, request_id = time.perf_counter(), uuid.uuid4().hex
        try:
            messages = handle(parts, flask.request)
            _limited(parts, messages[0].body["payload"]["pseudonym"], messages)
            response = flask.Response('{"status": "accepted"}', status=202,
                                      mimetype="application/json")
        except Exception as error:  # every failure is a problem response, never a trace
            response = _problem_for(error, request_id)
        response.headers["X-Request-Id"] = request_id
        log(logger, logging.INFO, f"{flask.request.method} {flask.request.path} "
            f"{response.status_code}", request_id=request_id,
            latency=f"{time.perf_counter() - started:.6f}s")
        return response
    return view


def _limited(parts: Parts, who: str, messages: list[Message]) -> None:
    """Count the batch against its pseudonym's limit, then publish or buffer it."""
    bucket = f"pseudonym:{who}"
    retry_after = parts.limiter.reserve([(bucket, parts.settings.interaction_batches_per_window)])
    if retry_after is not None:
        raise e.TooManyAttempts("Too many batches: retry later.", retry_after)
    try:
        parts.publisher.submit(messages)
    except Exception:
        parts.limiter.release([bucket])
        raise
    log(logger, logging.INFO, "events accepted", topic=messages[0].topic,
        messages=len(messages))


def _client(parts: Parts, request: flask.Request, in_body: str | None) -> Client:
    device = device_id(request, in_body)
    holder = parts.tokens.holder(request.headers.get("Authorization"))
    known = tuple(v for v in (holder and holder.email, holder and holder.name,
                              *_addresses(request)) if v)
    return Client(holder.account_id if holder else None, device,
                  client_region(request), request.headers.get("User-Agent"), known)


def _addresses(request: flask.Request) -> list[str]:
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
    return [a for a in [*forwarded, request.remote_addr or ""] if a]


def _problem_for(error: Exception, request_id: str) -> flask.Response:
    if isinstance(error, e.ServiceUnavailable):
        log(logger, logging.ERROR, "dependency unavailable", dependency=error.dependency,
            request_id=request_id)
    if not isinstance(error, e.Problem):
        log_unhandled(logger, error, request_id=request_id)
        error = e.InternalError()
    return problem_response(error, request_id)


def _routing_problem(error: HTTPException) -> flask.Response:
    problem: e.Problem
    if error.code == 404:
        problem = e.NotFound()
    elif error.code == 405:
        problem = e.MethodNotAllowed("POST")
    else:
        problem = e.Problem(error.description)
    return problem_response(problem)
