"""Events for each state change, newest first, and signed webhooks retried while they fail."""

from __future__ import annotations

import time
from typing import Any

import pytest
import stripe

from devstack.stripe import LocalStripe, start_stripe

TIME_SCALE = 0.0001  # retries after 0.03 s, 0.18 s, 0.72 s


def _events_of(client: stripe.StripeClient, object_id: str) -> list[str]:
    events = client.v1.events.list(params={"limit": 100}).data
    return [e.type for e in events if e.data.object.id == object_id]


def test_events_are_listed_newest_first(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params={
        "amount": 4000, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True,
        "capture_method": "manual"})
    client.v1.payment_intents.capture(pi.id)
    refund = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 500})

    assert _events_of(client, pi.id) == [
        "payment_intent.succeeded", "payment_intent.amount_capturable_updated",
        "payment_intent.created"]
    assert _events_of(client, pi.latest_charge) == [
        "charge.refunded", "charge.captured", "charge.succeeded"]
    assert _events_of(client, refund.id) == ["refund.created"]
    newest = client.v1.events.list(params={"limit": 1}).data[0]
    assert (newest.id[:4], newest.object, newest.type) == ("evt_", "event", "charge.refunded")
    assert client.v1.events.retrieve(newest.id).data.object.amount_refunded == 500


def test_failure_cancel_and_three_d_secure_have_their_events(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params={
        "amount": 4000, "currency": "eur", "payment_method": "pm_card_threeDSecure2Required",
        "confirm": True, "return_url": "https://shop.example/back"})
    client.v1.payment_intents.cancel(pi.id, params={"cancellation_reason": "abandoned"})

    assert _events_of(client, pi.id) == [
        "payment_intent.canceled", "payment_intent.requires_action", "payment_intent.created"]


def test_events_can_be_filtered_by_type(client: stripe.StripeClient) -> None:
    ids = [client.v1.payment_intents.create(params={"amount": 100, "currency": "eur"}).id
           for _ in range(3)]

    listed = client.v1.events.list(params={"type": "payment_intent.created", "limit": 2})
    after = client.v1.events.list(params={"type": "payment_intent.created", "limit": 1,
                                          "starting_after": listed.data[-1].id})

    assert [e.data.object.id for e in [*listed.data, *after.data]] == ids[::-1]
    assert {e.type for e in listed.data} == {"payment_intent.created"} and listed.has_more


def test_webhook_is_signed_and_retried_after_a_500(
        client: stripe.StripeClient, twin: LocalStripe, receiver: Any) -> None:
    receiver.answers.append(500)
    endpoint = client.v1.webhook_endpoints.create(params={
        "url": receiver.url, "enabled_events": ["payment_intent.succeeded"]})
    assert endpoint.secret.startswith("whsec_")
    try:
        pi = client.v1.payment_intents.create(params={
            "amount": 1234, "currency": "eur", "payment_method": "pm_card_visa",
            "confirm": True})
        deadline = time.monotonic() + 5
        while len(receiver.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.v1.webhook_endpoints.delete(endpoint.id)

    assert [status for _, _, status in receiver.received] == [500, 200]
    (first, first_sig, _), (body, signature, _) = receiver.received
    assert first == body
    event = stripe.Webhook.construct_event(body, signature, endpoint.secret)
    assert (event.type, event.data.object.id, event.data.object.status) == (
        "payment_intent.succeeded", pi.id, "succeeded")
    try:
        stripe.Webhook.construct_event(body, signature, "whsec_other")
        raise AssertionError("a wrong secret verified")
    except stripe.SignatureVerificationError:
        pass


def test_retries_are_bounded_for_the_endpoint_of_the_setting(receiver: Any, data_dir: Any) -> None:
    receiver.answers.extend([500] * 10)
    own = start_stripe(data_dir, 0, webhook_url=receiver.url, time_scale=TIME_SCALE)
    try:
        client = stripe.StripeClient(own.secret_key, base_addresses={"api": own.base_url},
                                     max_network_retries=0)
        client.v1.payment_intents.create(params={"amount": 100, "currency": "eur"})
        own.wait_until_idle(timeout=5)
    finally:
        own.stop()

    assert [status for _, _, status in receiver.received] == [500, 500, 500, 500]
    body, signature, _ = receiver.received[-1]
    assert stripe.Webhook.construct_event(body, signature, own.webhook_secret).type == (
        "payment_intent.created")


def test_events_can_be_filtered_by_several_types_and_by_created(
        client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params={
        "amount": 700, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True})
    created = client.v1.events.list(params={"limit": 1}).data[0].created

    listed = client.v1.events.list(params={
        "types": ["charge.succeeded", "payment_intent.created"], "limit": 2,
        "created": {"gte": created}})
    wildcard = client.v1.events.list(params={"type": "payment_intent.*", "limit": 2})
    later = client.v1.events.list(params={"created": {"gt": created}})

    assert [(e.type, e.data.object.id) for e in listed.data] == [
        ("charge.succeeded", pi.latest_charge), ("payment_intent.created", pi.id)]
    assert [e.type for e in wildcard.data] == ["payment_intent.succeeded",
                                               "payment_intent.created"]
    assert later.data == []


def test_type_and_types_together_are_refused(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.events.list(params={"type": "charge.succeeded", "types": ["charge.failed"]})

    assert (raised.value.http_status, raised.value.param) == (400, "types")
