"""A `service:` subscription of events.yaml is pushed to `<service url>/_events/<name>`."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
import yaml
from google.cloud import pubsub_v1

from devstack.edge_workers import EdgeWorker
from devstack.ports import open_local
from devstack.pubsub import load_events, start_pubsub

PROJECT = "demo-bazaar"


def _events_yaml(folder: Path, subscriptions: dict[str, dict]) -> Path:
    path = folder / "events.yaml"
    document = {"topics": {"orders": {"events": ["order.placed", "order.paid"]}},
                "subscriptions": subscriptions}
    path.write_text(yaml.safe_dump(document))
    return path


def _received(worker: EdgeWorker, count: int, timeout: float = 10.0) -> list[dict]:
    """What the sample service's event door has kept, once it holds count envelopes."""
    deadline = time.monotonic() + timeout
    while True:
        with open_local(f"{worker.url}/_events", timeout=5) as response:
            received = json.loads(response.read())
        if len(received) >= count or time.monotonic() > deadline:
            return list(received)
        time.sleep(0.05)


@pytest.mark.events
def test_a_service_subscription_pushes_to_the_services_event_door(
        sample_worker: EdgeWorker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Given a subscription of the sample service, filtered on the event type
    events = _events_yaml(tmp_path, {"sample-orders": {
        "topic": "orders", "service": "sample", "max_delivery_attempts": 5,
        "filter": 'attributes.type = "order.placed"'}})
    pubsub = start_pubsub(PROJECT, events, lambda function: "http://127.0.0.1:9", port=0,
                          service_endpoint_for=lambda service, subscription:
                          f"{sample_worker.url}/_events/{subscription}")
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub.host)
    try:
        # When an order.placed and an order.paid are published
        client = pubsub_v1.PublisherClient()
        topic = client.topic_path(PROJECT, "orders")
        placed = client.publish(topic, b'{"order": 1}', type="order.placed").result(timeout=10)
        client.publish(topic, b'{"order": 1}', type="order.paid").result(timeout=10)
        pubsub.wait_until_idle()
    finally:
        pubsub.stop()

    # Then the service received the placed one, once, at its subscription's door, acked
    [delivery] = [d for d in _received(sample_worker, 1)
                  if d["subscription"] == "sample-orders"]
    message = delivery["envelope"]["message"]
    assert message["messageId"] == placed
    assert message["attributes"] == {"type": "order.placed"}
    assert base64.b64decode(message["data"]) == b'{"order": 1}'
    assert delivery["envelope"]["subscription"] == (
        f"projects/{PROJECT}/subscriptions/sample-orders")
    assert pubsub.stats()["acked"] == 1


@pytest.mark.parametrize("spec, complaint", [
    ({"topic": "orders", "function": "f", "service": "sample"}, "one of them"),
    ({"topic": "orders"}, "one of them"),
    ({"topic": "orders", "service": "sample", "via": "eventarc"}, "push subscriptions only"),
], ids=["both", "neither", "service-via-eventarc"])
def test_a_subscription_names_a_function_or_a_push_service(tmp_path: Path, spec: dict,
                                                            complaint: str):
    # Given a subscription that names both a function and a service, or neither
    events = _events_yaml(tmp_path, {"bad": spec})

    # When events.yaml is read, Then it is refused, saying why
    with pytest.raises(ValueError, match=complaint):
        load_events(events)

