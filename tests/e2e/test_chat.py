"""Chat with Vendor over HTTP: a paid order opens the buyer's room with the vendor (once,
however often order.paid comes), later orders reuse it, both sides write, unread counts and
read markers, non-members 404, bad input 422 with nothing written, the rate limit, blocks."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from common import bootstrap
from common.domain.chat import MESSAGES_PER_WINDOW, WINDOW_S
from tests.integration.ledger.money import eventually, paid_order, settle

pytestmark = pytest.mark.events
POLL_S = 30


def chats(api, user) -> list[dict]:  # noqa: ANN001
    response = api.get("/v1/chats", headers=user.auth)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def the_room(api, user, other_id: str) -> dict | None:  # noqa: ANN001
    return next((c for c in chats(api, user) if c["other_party"]["id"] == other_id), None)


def messages(api, user, chat_id: str, **query) -> list[dict]:  # noqa: ANN001, ANN003
    response = api.get(f"/v1/chats/{chat_id}/messages", headers=user.auth, params=query)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def send(api, user, chat_id: str, body: object):  # noqa: ANN001, ANN201
    return api.post(f"/v1/chats/{chat_id}/messages", headers=user.auth, json=body)


def wait_for_texts(api, user, chat_id: str, count: int) -> list[dict]:  # noqa: ANN001
    """The room's messages once it holds `count` (delivery follows the 201)."""
    return eventually(lambda: messages(api, user, chat_id, page_size=100),
                      lambda found: len(found) >= count, timeout=POLL_S)


def outbox_messages(room_id: str) -> int:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT count(*) FROM outbox_events WHERE type = "
                               "'chat.message_posted' AND payload->>'room_id' = :room"),
                          {"room": room_id}).scalar_one()


@pytest.fixture
def room(api, pubsub, customer, verified_vendor) -> dict:  # noqa: ANN001
    """The room the customer's paid order opened with the vendor, as the customer lists it."""
    paid = paid_order(api, customer, [(verified_vendor, 2500)])
    settle(pubsub)
    found = eventually(lambda: the_room(api, customer, verified_vendor.id),
                       lambda r: r is not None, timeout=POLL_S)
    assert found is not None, "no room opened"
    return {**found, "order_id": paid.order_id}


def test_a_paid_order_opens_one_room_for_buyer_and_vendor_with_its_message(
        api, customer, verified_vendor, room):  # noqa: ANN001
    # Then both see the one room, named, with the order and its system message, unread
    [as_buyer] = chats(api, customer)
    [as_vendor] = chats(api, verified_vendor)
    assert as_buyer["id"] == as_vendor["id"] == room["id"]
    assert as_buyer["other_party"] == {"id": verified_vendor.id, "name": "Test Traders Ltd"}
    assert as_vendor["other_party"] == {"id": customer.id, "name": "Test"}
    assert as_buyer["order_ids"] == [room["order_id"]]
    assert (as_buyer["unread"], as_vendor["unread"]) == (1, 1)
    [system] = messages(api, customer, room["id"])
    assert system["kind"] == "system" and system["sender_id"] is None
    assert system["order_id"] == room["order_id"]
    assert system["text"].startswith(f"Order {room['order_id'].replace('-', '')[:8]} was paid")
    assert as_buyer["last_message"] == system


def test_a_second_order_with_the_vendor_reuses_the_room_and_links_both(
        api, pubsub, customer, verified_vendor, room):  # noqa: ANN001
    second = paid_order(api, customer, [(verified_vendor, 1500)])
    settle(pubsub)
    found = eventually(lambda: the_room(api, customer, verified_vendor.id),
                       lambda r: r is not None and len(r["order_ids"]) == 2, timeout=POLL_S)
    assert [c["id"] for c in chats(api, customer)] == [room["id"]]
    assert found["order_ids"] == [room["order_id"], second.order_id]
    assert found["unread"] == 2
    assert len(messages(api, verified_vendor, room["id"])) == 2


def test_both_sides_write_unread_counts_follow_and_reading_resets_them(
        api, customer, verified_vendor, room):  # noqa: ANN001
    # When the buyer asks and the vendor answers twice
    asked = send(api, customer, room["id"], {"text": "Does it ship to Austria?"})
    assert asked.status_code == 201, asked.text
    assert asked.json()["sender_id"] == customer.id and asked.json()["kind"] == "text"
    for answer in ("Yes.", "Within 3 days.\nTracked."):
        assert send(api, verified_vendor, room["id"], {"text": answer}).status_code == 201
    # Then the room holds them newest first, and each side has its own unread count
    found = wait_for_texts(api, customer, room["id"], 4)
    assert [m["text"] for m in found[:3]] == ["Within 3 days.\nTracked.", "Yes.",
                                              "Does it ship to Austria?"]
    assert found[2]["id"] == asked.json()["id"]
    assert the_room(api, customer, verified_vendor.id)["unread"] == 3
    assert the_room(api, verified_vendor, customer.id)["unread"] == 2
    # When the buyer reads the room / Then only the buyer's count is 0
    read = api.post(f"/v1/chats/{room['id']}:read", headers=customer.auth)
    assert read.status_code == 200, read.text
    assert read.json()["unread"] == 0
    assert the_room(api, customer, verified_vendor.id)["unread"] == 0
    assert the_room(api, verified_vendor, customer.id)["unread"] == 2
    assert the_room(api, customer, verified_vendor.id)["last_message"]["text"] == (
        "Within 3 days.\nTracked.")


def test_messages_page_backwards_with_before(api, customer, verified_vendor, room):  # noqa: ANN001
    for i in range(4):
        assert send(api, customer, room["id"], {"text": f"m{i}"}).status_code == 201
    wait_for_texts(api, customer, room["id"], 5)
    first = api.get(f"/v1/chats/{room['id']}/messages", headers=verified_vendor.auth,
                    params={"page_size": 3}).json()
    rest = api.get(f"/v1/chats/{room['id']}/messages", headers=verified_vendor.auth,
                   params={"page_size": 3, "before": first["next_page_token"]}).json()
    assert [m["text"] for m in first["items"]] == ["m3", "m2", "m1"]
    assert [m["text"] for m in rest["items"]][:1] == ["m0"]
    assert rest["items"][1]["kind"] == "system" and rest["next_page_token"] is None


def test_non_members_get_404_on_every_chat_endpoint(api, room):  # noqa: ANN001
    stranger = api.register("customer")
    for response in (
        api.get(f"/v1/chats/{room['id']}/messages", headers=stranger.auth),
        send(api, stranger, room["id"], {"text": "hello?"}),
        api.post(f"/v1/chats/{room['id']}:read", headers=stranger.auth),
        api.get(f"/v1/chats/{'0' * 32}/messages", headers=stranger.auth),
        api.get("/v1/chats/not-a-room/messages", headers=stranger.auth),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"
    assert chats(api, stranger) == []
    assert outbox_messages(room["id"]) == 0


@pytest.mark.parametrize("body", [
    {"text": ""}, {"text": "   "}, {"text": "x" * 2001}, {"text": "ring\x07"},
    {"text": "esc\x1b[2J"}, {"text": "crlf\r\n"}, {}, {"text": 42}, {"text": "hi", "x": 1},
], ids=["empty", "blank", "2001-chars", "bell", "escape", "carriage-return", "missing",
        "not-a-string", "unknown-field"])
def test_bad_messages_are_422_and_nothing_is_written(api, customer, room, body):  # noqa: ANN001
    response = send(api, customer, room["id"], body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
    assert outbox_messages(room["id"]) == 0
    assert len(messages(api, customer, room["id"])) == 1


def test_the_31st_message_within_a_minute_is_429_with_retry_after(
        api, customer, room):  # noqa: ANN001
    left_in_window = WINDOW_S - time.time() % WINDOW_S
    if left_in_window < 20:  # all 31 within one fixed window
        time.sleep(left_in_window + 0.5)
    for i in range(MESSAGES_PER_WINDOW):
        sent = send(api, customer, room["id"], {"text": f"n{i}"})
        assert sent.status_code == 201, sent.text
    refused = send(api, customer, room["id"], {"text": "one too many"})
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "too_many_messages"
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW_S
    assert outbox_messages(room["id"]) == MESSAGES_PER_WINDOW


def test_a_blocked_sender_is_refused_at_the_door(api, admin, customer, room):  # noqa: ANN001
    blocked = api.post(f"/v1/admin/accounts/{customer.id}:block", headers=admin.auth,
                       json={"reason": "Spam"})
    assert blocked.status_code == 200, blocked.text
    response = send(api, customer, room["id"], {"text": "still here?"})
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "account_blocked"
    assert outbox_messages(room["id"]) == 0
