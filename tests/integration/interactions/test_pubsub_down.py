"""POST /v1/interactions with Pub/Sub down, in a fresh process as Cloud Functions runs it:
503 with Retry-After, and the batch's rate-limit slot is given back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timezone

from sqlalchemy import text

from common import bootstrap
from common.adapters.rate_limits import _stored
from common.domain.pseudonyms import pseudonym
from devstack.ports import free_port
from tests.conftest import ROOT


def call(body: dict, headers: dict, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.call_function", "record_interactions", "POST",
         "/v1/interactions", json.dumps(body), json.dumps(headers)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_pub_sub_down_a_batch_is_503_and_counts_nothing(stack):
    # Given Pub/Sub unreachable for a fresh instance of the function
    env = {**os.environ, "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{free_port()}",
           "PUBLISH_TIMEOUT_S": "1", "INTERACTION_WINDOW_S": "86400"}  # no window ends meanwhile
    device = f"device-{uuid.uuid4()}"
    body = {"events": [{"type": "view", "product_id": str(uuid.uuid4()),
                        "at": datetime.now(timezone.utc).isoformat()}]}

    # When the device sends a batch
    answer = call(body, {"X-Device-Id": device}, env)

    # Then it is told to retry, and its rate-limit slot is free again
    assert answer["status"] == 503
    assert answer["body"]["code"] == "service_unavailable"
    assert "Retry-After" in answer["headers"]
    who = pseudonym("device", device, bootstrap.settings().pseudonym_hmac_key())
    with bootstrap.engine().connect() as db:
        hits = db.execute(text("SELECT coalesce(sum(hits), 0) FROM rate_limit_counters "
                               "WHERE bucket = :bucket"),
                          {"bucket": _stored(f"interactions:pseudonym:{who}")}).scalar_one()
    assert hits == 0
