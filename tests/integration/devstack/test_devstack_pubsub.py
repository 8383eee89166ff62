"""The Pub/Sub stand-in, driven by the real PublisherClient, pushing to a local receiver."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.api_core import exceptions
from google.cloud import pubsub_v1

from devstack.ports import free_port
from devstack.pubsub import LocalPubSub, load_events, start_pubsub

PROJECT = "demo-bazaar"
REPO_ROOT = Path(__file__).resolve().parents[3]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def subscription(topic: str, function: str, filter: str = "", attempts: int = 5) -> dict[str, Any]:
    """One events.yaml subscription entry."""
    return {
        "topic": topic,
        "function": function,
        "filter": filter,
        "max_delivery_attempts": attempts,
    }


@pytest.fixture
def started() -> Iterator[list[LocalPubSub]]:
    """Collects stand-ins started by a test and stops them afterwards."""
    servers: list[LocalPubSub] = []
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def start(
    started: list[LocalPubSub], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., LocalPubSub]:
    """start(events_yaml, endpoint_for, **options) -> a stand-in on a free port, env applied."""

    def run(events_yaml: Path, endpoint_for: Callable[[str], str], **options: Any) -> LocalPubSub:
        server = start_pubsub(
            PROJECT, events_yaml, endpoint_for, port=0, state_dir=tmp_path / "state", **options
        )
        started.append(server)
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        return server

    return run


def publish(topic: str, data: bytes, **attributes: str) -> str:
    """Publish with a fresh PublisherClient (it reads PUBSUB_EMULATOR_HOST) and return the id."""
    client = pubsub_v1.PublisherClient()
    return client.publish(client.topic_path(PROJECT, topic), data, **attributes).result(timeout=10)


def test_published_message_is_pushed_as_the_pubsub_envelope(
    start: Any, make_events: Any, receiver: Any
) -> None:
    events = make_events(
        ["identity"], {"identity-mail": subscription("identity", "send_notification")}
    )
    pubsub = start(events, receiver.url)
    message_id = publish("identity", b'{"user": 1}', type="user.registered")
    pubsub.wait_until_idle()
    [body] = receiver.bodies("send_notification")
    message = body["message"]
    assert base64.b64decode(message["data"]) == b'{"user": 1}'
    assert message["attributes"] == {"type": "user.registered"}
    assert message["messageId"] == message["message_id"] == message_id
    assert (
        RFC3339.match(message["publishTime"]) and message["publish_time"] == message["publishTime"]
    )
    assert body["subscription"] == f"projects/{PROJECT}/subscriptions/identity-mail"
    assert body["deliveryAttempt"] == 1


def test_publish_to_unknown_topic_is_not_found(start: Any, make_events: Any, receiver: Any) -> None:
    start(make_events(["identity"], {}), receiver.url)
    with pytest.raises(exceptions.NotFound):
        publish("no-such-topic", b"x")


def test_topics_of_events_yaml_and_dead_letter_topics_exist(
    start: Any, make_events: Any, receiver: Any
) -> None:
    events = make_events(
        ["identity", "vendors"], {"mail": subscription("identity", "send_notification")}
    )
    start(events, receiver.url)
    client = pubsub_v1.PublisherClient()
    names = {topic.name for topic in client.list_topics(project=f"projects/{PROJECT}")}
    assert names == {
        client.topic_path(PROJECT, t) for t in ("identity", "vendors", "identity-dead-letter")
    }
    assert client.get_topic(topic=client.topic_path(PROJECT, "vendors")).name.endswith("/vendors")
    client.create_topic(name=client.topic_path(PROJECT, "scratch"))
    with pytest.raises(exceptions.AlreadyExists):
        client.create_topic(name=client.topic_path(PROJECT, "scratch"))


def test_filters_route_messages_to_matching_subscriptions(
    start: Any, make_events: Any, receiver: Any
) -> None:
    events = make_events(
        ["identity"],
        {
            "mail": subscription(
                "identity", "send_notification", 'attributes.type = "user.registered"'
            ),
            "sync": subscription(
                "identity", "sync_status", 'hasPrefix(attributes.type, "account.")'
            ),
        },
    )
    pubsub = start(events, receiver.url)
    for event_type in (
        "user.registered",
        "account.blocked",
        "account.unblocked",
        "user.email_verified",
    ):
        publish("identity", b"{}", type=event_type)
    pubsub.wait_until_idle()
    mail = [body["message"]["attributes"]["type"] for body in receiver.bodies("send_notification")]
    sync = sorted(body["message"]["attributes"]["type"] for body in receiver.bodies("sync_status"))
    assert mail == ["user.registered"]
    assert sync == ["account.blocked", "account.unblocked"]
    assert pubsub.stats()["published"] == 4 and pubsub.stats()["acked"] == 3


def test_failed_push_is_retried_with_backoff_until_acked(
    start: Any, make_events: Any, receiver: Any
) -> None:
    pubsub = start(
        make_events(["identity"], {"mail": subscription("identity", "fn")}), receiver.url
    )
    receiver.answer("fn", 500, 503)
    message_id = publish("identity", b"retry me", type="t")
    pubsub.wait_until_idle()
    bodies = receiver.bodies("fn")
    assert [body["deliveryAttempt"] for body in bodies] == [1, 2, 3]
    assert {body["message"]["messageId"] for body in bodies} == {message_id}
    first, second, third = receiver.times("fn")
    assert second - first >= 0.09 and third - second >= 0.19
    assert pubsub.stats() | {"pending": 0} == {
        "published": 1,
        "delivered": 3,
        "acked": 1,
        "failed": 2,
        "dead_lettered": 0,
        "pending": 0,
    }


def test_connection_error_is_retried(start: Any, make_events: Any, receiver: Any) -> None:
    dead_url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    calls: list[str] = []

    def endpoint_for(function: str) -> str:
        calls.append(function)
        return dead_url if len(calls) <= 2 else receiver.url(function)

    pubsub = start(
        make_events(["identity"], {"mail": subscription("identity", "fn")}), endpoint_for
    )
    publish("identity", b"x", type="t")
    pubsub.wait_until_idle()
    assert [body["deliveryAttempt"] for body in receiver.bodies("fn")] == [3]


def test_message_is_dead_lettered_after_max_delivery_attempts(
    start: Any, make_events: Any, receiver: Any, tmp_path: Path
) -> None:
    pubsub = start(
        make_events(["identity"], {"mail": subscription("identity", "fn", attempts=5)}),
        receiver.url,
    )
    receiver.always["fn"] = 500
    message_id = publish("identity", b"poison", type="user.registered")
    pubsub.wait_until_idle()
    assert [body["deliveryAttempt"] for body in receiver.bodies("fn")] == [1, 2, 3, 4, 5]
    [dead] = pubsub.messages("identity-dead-letter")
    assert dead.data == b"poison" and dead.attributes["type"] == "user.registered"
    assert dead.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert dead.attributes["CloudPubSubDeadLetterSourceSubscription"] == "mail"
    [line] = (tmp_path / "state" / "dead-letter.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["messageId"] == message_id and record["subscription"] == "mail"
    assert record["deliveryAttempts"] == 5 and record["lastError"] == "HTTP 500"
    assert pubsub.stats()["dead_lettered"] == 1 and pubsub.stats()["acked"] == 0


def test_duplicate_delivery_pushes_every_message_twice_out_of_order(
    start: Any, make_events: Any, receiver: Any
) -> None:
    events = make_events(["identity"], {"mail": subscription("identity", "fn")})
    pubsub = start(events, receiver.url, duplicate_delivery=True)
    client = pubsub_v1.PublisherClient()
    topic = client.topic_path(PROJECT, "identity")
    futures = [client.publish(topic, str(n).encode(), type="t") for n in range(20)]
    published = [future.result(timeout=10) for future in futures]
    pubsub.wait_until_idle()
    arrived = [body["message"]["messageId"] for body in receiver.bodies("fn")]
    assert sorted(arrived) == sorted(published * 2)
    first = {message_id: arrived.index(message_id) for message_id in published}
    second = {
        message_id: len(arrived) - 1 - arrived[::-1].index(message_id) for message_id in published
    }
    assert sorted(published, key=first.__getitem__) != published, (
        "first copies arrived in publish order"
    )
    assert any(first[a] < first[b] < second[a] for a in published for b in published if a != b)


def test_publish_does_not_wait_for_slow_endpoints(
    start: Any, make_events: Any, receiver: Any
) -> None:
    pubsub = start(
        make_events(["identity"], {"mail": subscription("identity", "fn")}), receiver.url
    )
    receiver.delay_s = 0.6
    client = pubsub_v1.PublisherClient()
    topic = client.topic_path(PROJECT, "identity")
    began = time.monotonic()
    for n in range(5):
        client.publish(topic, b"x", n=str(n)).result(timeout=10)
    # Publishing one by one while each push takes 0.6 s: blocking would take 3 s or more.
    assert time.monotonic() - began < 1.5
    pubsub.wait_until_idle(timeout=10)
    assert len(receiver.bodies("fn")) == 5


def test_wait_until_idle_raises_timeout_while_deliveries_pending(
    start: Any, make_events: Any, receiver: Any
) -> None:
    pubsub = start(
        make_events(["identity"], {"mail": subscription("identity", "fn", attempts=10)}),
        receiver.url,
    )
    receiver.always["fn"] = 500
    publish("identity", b"x", type="t")
    with pytest.raises(TimeoutError):
        pubsub.wait_until_idle(timeout=0.3)
    assert pubsub.stats()["pending"] == 1


def test_second_stand_in_on_a_used_port_fails(start: Any, make_events: Any, receiver: Any) -> None:
    events = make_events(["identity"], {})
    first = start(events, receiver.url)
    with pytest.raises(RuntimeError, match="cannot bind"):
        start_pubsub(PROJECT, events, receiver.url, port=first.port)


def test_repository_events_yaml_feeds_pubsub_functions_of_the_manifest() -> None:
    config = load_events(REPO_ROOT / "terraform" / "events.yaml")
    manifest = yaml.safe_load((REPO_ROOT / "functions" / "manifest.yaml").read_text())
    pubsub_functions = {name for name, spec in manifest.items() if spec.get("trigger") == "pubsub"}
    assert config.subscriptions, "events.yaml declares no subscriptions"
    # (`service:` subscriptions go to edge workers: tests/unit/test_declarations.py)
    assert {s.function for s in config.subscriptions if not s.service} <= pubsub_functions
    assert "identity-dead-letter" in config.all_topics()


def test_endpoint_lookup_error_counts_as_failed_delivery(start: Any, make_events: Any) -> None:
    def endpoint_for(function: str) -> str:
        raise KeyError(function)

    pubsub = start(
        make_events(["identity"], {"mail": subscription("identity", "fn")}), endpoint_for
    )
    publish("identity", b"x", type="t")
    pubsub.wait_until_idle(timeout=5)
    assert pubsub.stats()["failed"] == 5 and pubsub.stats()["dead_lettered"] == 1
