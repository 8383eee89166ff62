"""POST /v1/interactions end to end: a batch flows through Pub/Sub into the sender's
preference features within seconds, keyed by pseudonyms only; signing in merges a device
once; a paid order adds its purchases; bad batches are refused and never published; a
pseudonym past its limit gets 429."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text

from common import bootstrap
from common.domain.pseudonyms import pseudonym
from tests.e2e.catalog import list_product
from tests.e2e.orders import ADDRESS, accept_methods, card, order_body, place, stocked_product

pytestmark = pytest.mark.events
OTHER = "home-kitchen--lighting"


def device() -> str:
    return f"device-{uuid.uuid4()}"


def now() -> datetime:
    return datetime.now(timezone.utc)


def batch(*events: tuple[str, str], **extra: Any) -> dict:
    """A body of (type, product_id) events, each at this moment."""
    return {"events": [{"type": kind, "product_id": product, "at": now().isoformat(), **extra}
                       for kind, product in events]}


def send(api, body: dict, device_id: str | None = None, user=None):  # noqa: ANN001
    headers = {**({"X-Device-Id": device_id} if device_id else {}), **(user.auth if user else {})}
    return api.post("/v1/interactions", json=body, headers=headers)


def key() -> bytes:
    return bootstrap.settings().pseudonym_hmac_key()


def features(who: str):  # noqa: ANN201
    return bootstrap.preference_reads().features_of(who)


def wait_for(read, done, timeout: float = 15):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while not done(value := read()):
        assert time.monotonic() < deadline, value
        time.sleep(0.05)
    return value


def published_by(pubsub, who: str) -> list[dict]:  # noqa: ANN001
    bodies = [json.loads(m.data) for m in pubsub.messages("interactions")]
    return [b for b in bodies if b["payload"]["pseudonym"] == who]


def test_an_anonymous_devices_views_of_audio_lean_its_features_to_audio(
        api, pubsub, verified_vendor):  # noqa: ANN001
    # Given two audio products and a lamp of one vendor, and an anonymous device
    audio = [list_product(api, verified_vendor)["id"] for _ in range(2)]
    lamp = list_product(api, verified_vendor, name="Lamp", category_id="home-kitchen",
                        subcategory_id=OTHER, price={"amount": 3500, "currency": "EUR"})["id"]
    device_id = device()

    # When it views both audio products (and clicks one) and views the lamp once
    response = send(api, batch(("view", audio[0]), ("view", audio[1]), ("click", audio[0]),
                               ("view", lamp)), device_id)

    # Then it is accepted, and within seconds its features lean to Audio
    assert response.status_code == 202, response.text
    assert response.json() == {"status": "accepted"}
    who = pseudonym("device", device_id, key())
    prefs = wait_for(lambda: features(who), lambda f: f is not None)
    assert prefs.category_weights["electronics--audio-headphones"] == pytest.approx(4.0, 1e-3)
    assert prefs.category_weights[OTHER] == pytest.approx(1.0, 1e-3)
    assert {item.product_id for item in prefs.recent} == {*audio, lamp}
    assert len(published_by(pubsub, who)) == 1  # one message per batch


def test_signing_in_with_the_device_merges_its_features_once_and_keeps_no_raw_ids(
        api, customer, verified_vendor):  # noqa: ANN001
    # Given a device that viewed a product anonymously
    product = list_product(api, verified_vendor)["id"]
    device_id = device()
    assert send(api, batch(("view", product)), device_id).status_code == 202
    wait_for(lambda: features(pseudonym("device", device_id, key())), lambda f: f is not None)
    account = pseudonym("account", customer.id, key())

    # When its user signs in and sends two batches with the same device id
    assert send(api, batch(("click", product)), device_id, customer).status_code == 202
    wait_for(lambda: features(account), lambda f: f is not None)
    assert send(api, batch(("click", product)), device_id, customer).status_code == 202

    # Then the account's features count the device's view once, plus its own two clicks
    prefs = wait_for(lambda: features(account),
                     lambda f: f.vendor_weights.get(verified_vendor.id, 0) > 4)
    assert prefs.vendor_weights[verified_vendor.id] == pytest.approx(5.0, 1e-3)
    with bootstrap.engine().connect() as db:
        links = db.execute(text("SELECT count(*) FROM device_links WHERE account_pseudonym = :a"),
                           {"a": account}).scalar_one()
        leaks = db.execute(text(
            "SELECT count(*) FROM user_features f WHERE f::text ILIKE :id OR f::text ILIKE :email "
            "OR f::text ILIKE :device"), {"id": f"%{customer.id}%", "email": f"%{customer.email}%",
                                          "device": f"%{device_id}%"}).scalar_one()
    assert (links, leaks) == (1, 0)


def test_a_paid_order_puts_its_product_in_the_buyers_bought(api, customer, verified_vendor):
    # Given a vendor's product that the customer orders with a card
    accept_methods(api, verified_vendor)
    product = stocked_product(api, verified_vendor, price=2500)["id"]
    response = place(api, customer, order_body([(product, 1)], card()))
    assert response.status_code == 202, response.text

    # When the order is paid (order.paid reaches record_purchase_features)
    prefs = wait_for(lambda: features(pseudonym("account", customer.id, key())),
                     lambda f: f is not None, timeout=30)

    # Then the product is bought, and counts as a purchase (weight 8) of its vendor
    assert prefs.bought == (product,)
    assert prefs.vendor_weights == {verified_vendor.id: 8.0}
    assert [(item.product_id, item.type) for item in prefs.recent] == [(product, "purchase")]


def test_an_order_shipped_in_another_zone_keys_the_purchase_with_that_zones_key(
        api, customer, verified_vendor):
    # Given an order shipped to the United States (the Americas zone)
    accept_methods(api, verified_vendor)
    product = stocked_product(api, verified_vendor, price=2500)["id"]
    address = {**ADDRESS, "postal_code": "10001", "city": "New York", "country": "US"}
    response = place(api, customer, order_body([(product, 1)], card(), shipping_address=address))
    assert response.status_code == 202, response.text

    # When it is paid, its purchase is keyed as the Americas' anonymizer keys the buyer
    americas = bootstrap.settings().zone_keys("americas")[0]
    prefs = wait_for(lambda: features(pseudonym("account", customer.id, americas)),
                     lambda f: f is not None, timeout=30)

    # Then the product is bought there, and nothing is kept under the eu key
    assert prefs.bought == (product,)
    assert features(pseudonym("account", customer.id, key())) is None


@pytest.mark.parametrize("body", [
    {"events": []},
    {"events": [{"type": "view", "product_id": "not-a-uuid", "at": "2026-01-01T00:00:00Z"}]},
    {"events": [{"type": "like", "product_id": str(uuid.uuid4()), "at": "now"}]},
    "too-old",
    "too-many",
    "dwell-without-ms",
    "search-with-product",
], ids=["no-events", "product-not-uuid", "unknown-type", "too-old", "over-50",
        "dwell-without-ms", "search-with-product"])
def test_a_bad_batch_is_refused_with_422_and_never_published(api, pubsub, body):  # noqa: ANN001
    product, device_id = str(uuid.uuid4()), device()
    bodies = {
        "too-old": {"events": [{"type": "view", "product_id": product,
                                "at": (now() - timedelta(hours=25)).isoformat()}]},
        "too-many": batch(*[("view", product)] * 51),
        "dwell-without-ms": batch(("dwell", product)),
        "search-with-product": batch(("search", product), query="headphones"),
    }

    response = send(api, bodies.get(body, body) if isinstance(body, str) else body, device_id)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
    who = pseudonym("device", device_id, key())
    assert published_by(pubsub, who) == [] and features(who) is None


def test_an_anonymous_batch_without_a_device_id_is_refused(api):  # noqa: ANN001
    response = send(api, batch(("view", str(uuid.uuid4()))))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "X-Device-Id"


def test_a_valid_body_over_16_kb_is_refused_with_413(api):  # noqa: ANN001
    # 50 searches of 200 accented characters: each escaped as \u00e9 in the JSON sent
    body = batch(*[("search", None)] * 50, query="\u00e9" * 200)
    body["events"] = [{k: v for k, v in e.items() if v is not None} for e in body["events"]]

    response = send(api, body, device())

    assert response.status_code == 413


def test_past_the_limit_a_device_gets_429_with_retry_after(api):  # noqa: ANN001
    # Given one device sending batch after batch
    device_id, limit = device(), bootstrap.settings().interaction_batches_per_window
    statuses = []

    # When it sends more than twice the limit (at most two windows pass meanwhile)
    for _ in range(2 * limit + 1):
        response = send(api, batch(("view", str(uuid.uuid4()))), device_id)
        statuses.append(response.status_code)
        if response.status_code == 429:
            break

    # Then a batch past the limit is refused, saying when to retry
    assert statuses[-1] == 429 and set(statuses[:-1]) == {202} and len(statuses) > limit
    assert 1 <= int(response.headers["Retry-After"]) <= bootstrap.settings().interaction_window_s
    assert response.json()["code"] == "too_many_attempts"
