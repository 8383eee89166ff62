"""The promoted feed over HTTP: an anonymous device's views change its next feed within
seconds, impressions and clicks are counted per promotion, and a buyer no longer sees
what it bought. Promotions are inserted active with the owner engine (their payment and
lifecycle are the promotions tests' subject), each test with fresh vendors and products."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from common import bootstrap, clock
from tests.e2e.catalog import list_product
from tests.e2e.client import CHECKLIST, Api
from tests.integration.refunds.orders import eventually, paid_order

pytestmark = pytest.mark.events

OUTDOOR = {"category_id": "furniture", "subcategory_id": "furniture--outdoor-furniture"}
EARRINGS = {"category_id": "jewellery-watches", "subcategory_id": "jewellery-watches--earrings"}
PAGE = {"page_size": 50}


def promoted(api: Api, vendor, **kind) -> tuple[str, str]:
    """A new listed product of the vendor with a promotion active for the next 90 days:
    (product id, promotion id)."""
    product = list_product(api, vendor, name=f"Thing {uuid.uuid4().hex[:8]}", stock=20,
                           price={"amount": 2500, "currency": "EUR"}, **kind)
    promotion_id = str(uuid.uuid4())
    with bootstrap.engine().begin() as db:
        db.execute(text(
            "INSERT INTO promotions (id, product_id, vendor_id, status, starts_at, ends_at, days, "
            "daily_rate, fee_amount, paid_with, idempotency_key, request_hash) VALUES (:id, "
            ":product, :vendor, 'active', :start, "
            "CAST(:start AS timestamptz) + make_interval(days => 90), 90, 500, 45000, 'balance', "
            ":key, 'e2e')"),
            {"id": promotion_id, "product": product["id"], "vendor": vendor.id,
             "start": clock.now() - timedelta(hours=1), "key": f"e2e-{promotion_id}"})
    return product["id"], promotion_id


def feed(api: Api, **headers) -> list[dict]:
    response = api.get("/v1/feed/promoted", params=PAGE, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def item_of(items: list[dict], promotion_id: str) -> dict | None:
    return next((item for item in items if item["promotion_id"] == promotion_id), None)


def stats(promotion_id: str) -> tuple[int, int]:
    """(impressions, clicks) of the promotion over all days."""
    with bootstrap.engine().connect() as db:
        row = db.execute(text(
            "SELECT COALESCE(sum(impressions), 0) AS i, COALESCE(sum(clicks), 0) AS c "
            "FROM promotion_stats WHERE promotion_id = :id"), {"id": promotion_id}).one()
    return int(row.i), int(row.c)


def test_a_devices_views_change_its_next_feed_and_impressions_and_clicks_are_counted(
        api, verified_vendor, admin):
    # Given an outdoor-furniture and an earrings promotion of two vendors, and a new device
    earring_vendor = api.register("vendor")
    verified = api.post(f"/v1/admin/vendors/{earring_vendor.id}:verify", headers=admin.auth,
                        json={"checklist": CHECKLIST})
    assert verified.status_code == 200, verified.text
    chair, chair_promotion = promoted(api, verified_vendor, **OUTDOOR)
    _, earring_promotion = promoted(api, earring_vendor, **EARRINGS)
    device = {"X-Device-Id": f"device-{uuid.uuid4().hex}"}
    served = 0

    def next_feed() -> list[dict]:
        nonlocal served
        items = feed(api, **device)
        served += 1 if item_of(items, chair_promotion) else 0
        return items

    # (the feed reads active promotions at most every FEED_CANDIDATES_TTL_S: poll)
    before = item_of(eventually(next_feed, lambda items: item_of(items, chair_promotion)
                                is not None, timeout=10), chair_promotion)
    assert before is not None and before["reason"] != "because you viewed Outdoor Furniture"
    # When the device views and clicks the chair
    at = clock.now().isoformat()
    response = api.post("/v1/interactions", headers=device, json={"events": [
        {"type": "view", "product_id": chair, "at": at},
        {"type": "click", "product_id": chair, "at": at},
        {"type": "dwell", "product_id": chair, "at": at, "dwell_ms": 20000}]})
    assert response.status_code == 202, response.text

    # Then within seconds its feed ranks the chair first of the two, for that reason
    items = eventually(next_feed, lambda items: (item_of(items, chair_promotion) or {}).get(
        "reason") == "because you viewed Outdoor Furniture", timeout=15)
    chair_item, earring_item = item_of(items, chair_promotion), item_of(items, earring_promotion)
    assert chair_item is not None
    assert chair_item["reason"] == "because you viewed Outdoor Furniture"
    assert earring_item is None or items.index(chair_item) < items.index(earring_item)
    assert chair_item["product"]["id"] == chair
    # And each page that showed the chair is one impression; its click is counted once
    assert eventually(lambda: stats(chair_promotion), lambda s: s == (served, 1)) == (served, 1)
    assert stats(earring_promotion)[1] == 0


def test_a_buyer_no_longer_sees_a_promoted_product_it_bought(api, verified_vendor):
    # Given a promoted product in a signed-in customer's feed
    lamp, lamp_promotion = promoted(api, verified_vendor, **OUTDOOR)
    buyer = api.register("customer")
    shown = eventually(lambda: feed(api, **buyer.auth),
                       lambda items: item_of(items, lamp_promotion) is not None, timeout=10)
    assert item_of(shown, lamp_promotion) is not None
    # When the customer buys and pays for it
    paid_order(api, buyer, [(lamp, 1)])
    # Then it leaves the customer's feed, and stays in an anonymous one
    items = eventually(lambda: feed(api, **buyer.auth),
                       lambda items: item_of(items, lamp_promotion) is None, timeout=15)
    assert item_of(items, lamp_promotion) is None
    assert item_of(feed(api), lamp_promotion) is not None


def test_a_malformed_device_id_is_a_422_and_an_empty_page_size_too(api):
    response = api.get("/v1/feed/promoted", headers={"X-Device-Id": "bad id!"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
    response = api.get("/v1/feed/promoted", params={"page_size": 0})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")


def test_the_feed_reads_its_candidates_in_one_statement_and_a_warm_instance_not_again(stack):
    # Given the feed function in this process (the session stack's too: its cached read is
    # dropped), a device, and a first (cold) request
    from tests.e2e.test_query_counts import client, statements_of_this_thread

    bootstrap.promoted_products.cache_clear()  # type: ignore[attr-defined]
    feed_function, device = client("get_promoted_feed"), {"X-Device-Id": f"d-{uuid.uuid4()}"}
    with statements_of_this_thread() as cold:
        assert feed_function.get("/v1/feed/promoted", headers=device).status_code == 200
    # When it asks again at once
    with statements_of_this_thread() as warm:
        assert feed_function.get("/v1/feed/promoted", headers=device).status_code == 200
    # Then the active promotions were one statement, then none; the features one each time
    def reading(seen: list[str], table: str) -> int:
        return sum(f"FROM {table}" in statement for statement in seen)

    assert (reading(cold, "promotions pr"), reading(cold, "user_features")) == (1, 1)
    assert (reading(warm, "promotions pr"), reading(warm, "user_features")) == (0, 1)
