"""The stand-in's push envelope is accepted by a functions-framework CloudEvent function."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import functions_framework
from google.cloud import pubsub_v1

from devstack.pubsub import start_pubsub
from devstack.pubsub.config import load_events
from devstack.pubsub.delivery import Delivery, Message, envelope

PROJECT = "demo-bazaar"
FUNCTION_SOURCE = Path(__file__).with_name("cloudevent_echo_function.py")


def echo_app() -> tuple[Any, list[dict[str, Any]]]:
    """A fresh functions-framework app of the echo function and its record of events."""
    app = functions_framework.create_app("echo", str(FUNCTION_SOURCE), signature_type="cloudevent")
    return app, sys.modules["cloudevent_echo_function"].RECEIVED


def test_push_envelope_is_accepted_by_cloudevent_function(make_events: Any) -> None:
    events = make_events(["identity"], {"mail": {"topic": "identity", "function": "echo"}})
    [subscription] = load_events(events).subscriptions
    message = Message(
        "identity", "42", b'{"a": 1}', {"type": "user.registered"}, "2026-01-02T03:04:05.678Z"
    )
    app, received = echo_app()
    response = app.test_client().post("/", json=envelope(PROJECT, Delivery(subscription, message)))
    assert response.status_code == 200, response.get_data(as_text=True)
    [event] = received
    assert event["type"] == "google.cloud.pubsub.topic.v1.messagePublished"
    assert event["id"] == event["message_id"] == "42"
    assert event["data"] == b'{"a": 1}' and event["attributes"] == {"type": "user.registered"}
    assert event["publish_time"] == "2026-01-02T03:04:05.678Z"
    # functions-framework keeps only the message: subscription and deliveryAttempt are dropped,
    # and the source names no topic (it is read from the request path, which has none here).
    assert event["source"] == "//pubsub.googleapis.com/"


def test_published_message_reaches_cloudevent_function_over_http(
    make_events: Any, serve: Any, monkeypatch: Any
) -> None:
    events = make_events(["identity"], {"mail": {"topic": "identity", "function": "echo"}})
    app, received = echo_app()
    with serve(app) as server:
        pubsub = start_pubsub(
            PROJECT, events, lambda fn: f"http://127.0.0.1:{server.server_port}/", port=0
        )
        try:
            monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub.host)
            client = pubsub_v1.PublisherClient()
            message_id = client.publish(
                client.topic_path(PROJECT, "identity"), b"hi", type="t"
            ).result(10)
            pubsub.wait_until_idle()
            assert pubsub.stats()["acked"] == 1
        finally:
            pubsub.stop()
    [event] = received
    assert event["message_id"] == message_id and event["data"] == b"hi"
