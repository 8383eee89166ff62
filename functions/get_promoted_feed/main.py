"""GET /v1/feed/promoted: active promotions ranked for the caller, with a reason each and
the model's item factors (for re-ranking on the device).

Trigger: HTTP (anyone: personal with a bearer token, else by `X-Device-Id`, else by
popularity). Publishes one feed.served message per page directly (no outbox: telemetry,
best effort) for the impression counts. Settings: database (role bazaar_feed), Firebase
Auth, Pub/Sub, PSEUDONYM_KEYS_<ZONE> (the current key of the client's zone: X-Client-Region, else
RESIDENCY_ZONE), the model store (MODEL_BUCKET).
"""

import flask
import functions_framework

from common import bootstrap, clock
from common.api import feed_presenters as present
from common.api.operations import OPERATIONS
from common.domain.residency import zone_of
from common.http import Call, endpoint
from common.http_caller import client_region, device_id, signed_in_caller
from common.services.promoted_feed import promoted_feed, viewer_of


@functions_framework.http
@endpoint(OPERATIONS["get_promoted_feed"])
def get_promoted_feed(call: Call):
    settings = bootstrap.settings()
    zone = zone_of(client_region(flask.request)) or settings.residency_zone
    viewer = viewer_of(signed_in_caller(flask.request), device_id(flask.request),
                       settings.zone_keys(zone)[0])  # the key the zone's anonymizer uses
    page = promoted_feed(viewer, call.query.page_size, now=clock.now(),
                         promoted=bootstrap.promoted_products(),
                         features=bootstrap.preference_reads(),
                         models=bootstrap.model_store(), publisher=bootstrap.feed_publisher())
    return present.feed(page, settings.media_base_url)
