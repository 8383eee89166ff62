"""The fraud worker (Cloud Run, one per region): decisions on orders within the order path's
budget, and the security and order events pushed by Pub/Sub.

Routes: GET /healthz; POST /v1/decisions:order (an OrderScreening → its FraudDecision);
POST /_events/<subscription> (a Pub/Sub push envelope). Settings: DATABASE_URL or
CLOUD_SQL_INSTANCE (role bazaar_fraud), FRAUD_MODEL_URI (refuses to start without it),
GOOGLE_CLOUD_PROJECT and PUBSUB_EMULATOR_HOST (fraud.case_opened), STORAGE_EMULATOR_HOST.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

import flask
from sqlalchemy import text

from common import clock, logs
from common.adapters.database import create_engine
from common.adapters.outbox import OutboxRelay
from common.domain.errors import InvalidRequest, PayloadTooLarge
from common.http_problems import problem_response
from common.settings import Settings, SettingsError, from_environment
from edge_workers.fraud.event_door import EventDoor, MalformedPush
from edge_workers.fraud.event_handlers import HANDLERS
from edge_workers.fraud.history import PostgresHistory
from edge_workers.fraud.order_handlers import order_handlers
from edge_workers.fraud.order_screening import InvalidScreening, screen_order, screening_from_json
from edge_workers.fraud.scoring import OnnxScorer

logger = logging.getLogger("bazaar.fraud")
MAX_REQUEST_BYTES = 4096
ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


def meta_uri(model_uri: str) -> str:
    """The meta JSON beside a model: `meta.json` beside `model.onnx`, else `<name>.json`."""
    path = PurePosixPath(model_uri.removeprefix("gs://"))
    meta = path.with_name("meta.json") if path.name == "model.onnx" else path.with_suffix(".json")
    return ("gs://" if model_uri.startswith("gs://") else "") + str(meta)


def read_object(uri: str, project_id: str) -> bytes:
    """The bytes of gs://bucket/name (google-cloud-storage; the emulator locally) or a file."""
    if not uri.startswith("gs://"):
        with open(uri, "rb") as file:
            return file.read()
    from google.cloud import storage  # type: ignore[attr-defined]  # untyped package

    bucket, _, name = uri.removeprefix("gs://").partition("/")
    return bytes(storage.Client(project=project_id).bucket(bucket).blob(name).download_as_bytes())


def load_scorer(settings: Settings) -> OnnxScorer:
    """The model at FRAUD_MODEL_URI with its meta; SettingsError without one."""
    if not settings.fraud_model_uri:
        raise SettingsError("FRAUD_MODEL_URI is not set: the fraud worker needs its model")
    meta = json.loads(read_object(meta_uri(settings.fraud_model_uri), settings.project_id))
    return OnnxScorer.from_bytes(read_object(settings.fraud_model_uri, settings.project_id), meta)


def create_app(settings: Settings | None = None) -> flask.Flask:
    """The worker's WSGI app; loads the model first and refuses to start without it."""
    settings = settings or from_environment()
    logs.configure(settings.log_level)
    scorer = load_scorer(settings)
    engine = create_engine(settings)

    @lru_cache(maxsize=1)
    def publisher() -> Any:
        from common.adapters.pubsub_publisher import PubSubPublisher

        return PubSubPublisher(settings.project_id, settings.publish_timeout_s)

    relay = OutboxRelay(engine, publisher)
    door = EventDoor(engine, {**HANDLERS, **order_handlers(scorer)}, relay.publish_now,
                     clock.now)
    app = flask.Flask(__name__)

    @app.get("/healthz")
    def healthz() -> Any:
        return {"status": "ok", "model_version": scorer.version}

    @app.post("/v1/decisions:order")
    def decide_order() -> Any:
        raw = flask.request.stream.read(MAX_REQUEST_BYTES + 1)  # never more, chunked or not
        if len(raw) > MAX_REQUEST_BYTES:
            return problem_response(PayloadTooLarge(
                f"A decision request is at most {MAX_REQUEST_BYTES} bytes."))
        try:
            screening = screening_from_json(json.loads(raw))
        except ValueError as error:
            detail = str(error) if isinstance(error, InvalidScreening) else "not JSON"
            return problem_response(InvalidRequest(detail))
        with engine.begin() as connection:
            # The worker's history is not the system of record: a crash may lose the last
            # decisions (a retry decides again) but no order waits for a disk flush.
            connection.execute(ASYNC_COMMIT)
            decision, _ = screen_order(screening, PostgresHistory(connection), scorer,
                                       clock.now())
        return decision.to_wire()

    @app.post("/_events/<subscription>")
    def pushed_event(subscription: str) -> Any:
        try:
            door.handle(subscription[:100], flask.request.get_json(silent=True))
        except MalformedPush as error:
            return problem_response(error)
        return flask.Response(status=204)

    return app
