"""The anonymizer app against the real Pub/Sub stand-in: what it accepts reaches the central
topic anonymized; with Pub/Sub unreachable it buffers, then answers 503 with Retry-After."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone

from common import bootstrap
from common import settings as settings_module
from common.domain.pseudonyms import pseudonym
from devstack.ports import free_port
from edge_workers.anonymizer.buffer import BufferedPublisher, PubSubSink
from edge_workers.anonymizer.keys import ZoneKeys
from edge_workers.anonymizer.limits import MemoryRateLimiter
from edge_workers.anonymizer.main import Parts, create_app
from tests.unit.test_anonymizer_app import FakeTokens


def app(settings: settings_module.Settings, capacity: int = 100):  # noqa: ANN201
    keys = ZoneKeys({z: settings.zone_keys(z) for z in ("eu", "americas", "asia")}, "eu")
    publisher = BufferedPublisher(PubSubSink(settings.project_id, 1.0), capacity, 3600)
    return create_app(Parts(settings, keys, publisher, MemoryRateLimiter(60), FakeTokens()))


def bodies_on(pubsub, topic: str) -> list[dict]:  # noqa: ANN001
    return [json.loads(m.data) for m in pubsub.messages(topic)]


def event(text: str) -> dict:
    return {"events": [{"type": "search", "at": datetime.now(timezone.utc).isoformat(),
                        "text": text, "properties": {"results": 3, "city": "Lyon"}}]}


def test_an_accepted_event_reaches_the_analytics_topic_anonymized(stack, pubsub):
    # Given the anonymizer publishing to the stack's Pub/Sub
    client = app(bootstrap.settings()).test_client()
    device = f"device-{uuid.uuid4()}"

    # When a device in France sends an event with personal text
    response = client.post("/v1/analytics/events", json=event("call me on +33 6 12 34 56 78"),
                           headers={"X-Device-Id": device, "X-Client-Region": "FR"})

    # Then it is accepted and its message on `analytics` is the anonymized one
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 10
    who = pseudonym("device", device, bootstrap.settings().zone_keys("eu")[0])
    while not (mine := [b for b in bodies_on(pubsub, "analytics")
                        if b["payload"]["pseudonym"] == who]):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    bodies = bodies_on(pubsub, "analytics")
    assert len(mine) == 1
    payload = mine[0]["payload"]
    assert (payload["country"], payload["zone"], payload["properties"]) == (
        "FR", "eu", {"results": 3, "text": "call me on <PHONE>"})
    assert device not in json.dumps(bodies)


def test_with_pub_sub_unreachable_events_are_buffered_then_refused_with_503(stack, monkeypatch):
    # Given the anonymizer's Pub/Sub client pointed at a port where nothing listens
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", f"127.0.0.1:{free_port()}")
    client = app(settings_module.from_environment(), capacity=1).test_client()
    headers = {"X-Device-Id": f"device-{uuid.uuid4()}"}

    # When two batches of one event come
    first = client.post("/v1/analytics/events", json=event("a"), headers=headers)
    second = client.post("/v1/analytics/events", json=event("b"), headers=headers)

    # Then the first waits in the buffer, the second is refused with a retryable answer
    assert first.status_code == 202
    assert second.status_code == 503 and second.json["code"] == "service_unavailable"
    assert int(second.headers["Retry-After"]) >= 1
