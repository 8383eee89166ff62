"""POST /v1/interactions: a client's batch of interactions, published to Pub/Sub (202).

Trigger: HTTP (anyone: a device id, a bearer token, or both). Publishes one
interactions.received message per batch directly (no outbox: telemetry; 503 if Pub/Sub is
down, and the client retries the same batch). Settings: database (role
bazaar_interactions: the caller's account, the rate limit), Firebase Auth, Pub/Sub,
PSEUDONYM_KEY, INTERACTION_BATCHES_PER_WINDOW, INTERACTION_WINDOW_S.
"""

import flask
import functions_framework

from common import bootstrap, clock
from common.api.operations import OPERATIONS
from common.api.schemas import Accepted
from common.domain.errors import PayloadTooLarge
from common.domain.interactions import MAX_BODY_BYTES
from common.http import Call, endpoint
from common.http_caller import device_id, signed_in_caller
from common.services.interactions import Sender
from common.services.interactions import record_interactions as record


@functions_framework.http
@endpoint(OPERATIONS["record_interactions"])
def record_interactions(call: Call):
    if len(flask.request.get_data()) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"An interaction batch is limited to {MAX_BODY_BYTES} bytes.")
    principal = signed_in_caller(flask.request)
    sender = Sender(principal.account_id if principal else None,
                    device_id(flask.request, call.body.device_id))
    settings = bootstrap.settings()
    record(sender, [event.model_dump() for event in call.body.events], now=clock.now(),
           key=settings.pseudonym_hmac_key(), limiter=bootstrap.interaction_limiter(),
           limit=settings.interaction_batches_per_window,
           publisher=bootstrap.interaction_publisher())
    return Accepted()
