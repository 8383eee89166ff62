"""Webhook delivery: twice and out of order on request, resumed after a restart, time-scaled."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import stripe

from devstack.stripe import LocalStripe, start_stripe


def _client(twin: LocalStripe) -> stripe.StripeClient:
    return stripe.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url},
                               max_network_retries=0)


def _pay(client: stripe.StripeClient) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(params={
        "amount": 1_000, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True})


def test_duplicate_delivery_sends_every_event_twice_and_out_of_order(
        receiver: Any, data_dir: Path) -> None:
    twin = start_stripe(data_dir, webhook_url=receiver.url, time_scale=0.0001,
                        duplicate_delivery=True)
    try:
        client = _client(twin)
        _pay(client)
        _pay(client)
        twin.wait_until_idle(timeout=5)
        created = [e.id for e in reversed(client.v1.events.list(params={"limit": 100}).data)]
        pending = {e.pending_webhooks for e in client.v1.events.list(params={"limit": 100})}
    finally:
        twin.stop()

    arrived = [stripe.Webhook.construct_event(body, signature, twin.webhook_secret).id
               for body, signature, _ in receiver.received]
    assert len(created) == 6 and Counter(arrived) == {event_id: 2 for event_id in created}
    ranks = [created.index(event_id) for event_id in arrived]
    assert ranks != sorted(ranks)  # some event arrived before one created earlier
    assert pending == {0}  # counted down once per endpoint, not once per copy


def test_without_the_switch_each_event_arrives_once_in_order(receiver: Any,
                                                             data_dir: Path) -> None:
    twin = start_stripe(data_dir, webhook_url=receiver.url, time_scale=0.0001)
    try:
        client = _client(twin)
        pi = _pay(client)
        twin.wait_until_idle(timeout=5)
    finally:
        twin.stop()

    assert [(json.loads(body)["type"], json.loads(body)["data"]["object"]["id"])
            for body, _, _ in receiver.received] == [
        ("payment_intent.created", pi.id), ("charge.succeeded", pi.latest_charge),
        ("payment_intent.succeeded", pi.id)]


def test_a_pending_retry_survives_a_restart(receiver: Any, data_dir: Path) -> None:
    receiver.answers.append(500)
    first = start_stripe(data_dir, webhook_url=receiver.url, time_scale=0.002)  # retry: 0.6 s
    try:
        client = _client(first)
        client.v1.payment_intents.create(params={"amount": 100, "currency": "eur"})
        receiver.wait_for(1)
    finally:
        first.stop()
    delivered_before_restart = len(receiver.received)

    second = start_stripe(data_dir, webhook_url=receiver.url, time_scale=0.002)
    try:
        second.wait_until_idle(timeout=5)
    finally:
        second.stop()

    assert (delivered_before_restart, second.webhook_secret) == (1, first.webhook_secret)
    assert [status for _, _, status in receiver.received] == [500, 200]
    (failed, _, _), (body, signature, _) = receiver.received
    event = stripe.Webhook.construct_event(body, signature, second.webhook_secret)
    assert (event.id, event.type) == (json.loads(failed)["id"], "payment_intent.created")


def test_the_retry_schedule_follows_bazaar_time_scale(receiver: Any, data_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAZAAR_TIME_SCALE", "0.0001")  # the first retry after 0.03 s, not 300
    receiver.answers.append(500)
    twin = start_stripe(data_dir, webhook_url=receiver.url)
    try:
        _client(twin).v1.payment_intents.create(params={"amount": 100, "currency": "eur"})
        twin.wait_until_idle(timeout=3)
    finally:
        twin.stop()

    assert twin.webhooks.time_scale == 0.0001
    assert [status for _, _, status in receiver.received] == [500, 200]


def test_an_invalid_bazaar_time_scale_refuses_to_start(data_dir: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAZAAR_TIME_SCALE", "fast")

    with pytest.raises(ValueError, match="BAZAAR_TIME_SCALE must be a number"):
        start_stripe(data_dir)
