"""The chat rules (common/domain/chat.py): room and message ids, sort keys, unread counts,
the paid order's message, display names, room list tokens; and the message's validation
(common/api/chat_schemas.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from common.api.chat_schemas import MessageListQuery, SendMessage
from common.domain import chat
from common.domain.errors import InvalidRequest

BUYER = "5b0d7a3e-0c4e-4d55-9a43-5e0a1c1d0a01"
VENDOR = "8f2c1e77-3a1b-4c1d-8e2f-9d0b2a3c4d02"
AT = datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=timezone.utc)
KEY = b"unit-test-page-token-key-of-32-bytes!"


def a_room(**changes) -> chat.Room:
    fields = dict(id=chat.room_id(BUYER, VENDOR), buyer_id=BUYER, vendor_id=VENDOR,
                  member_names={BUYER: "Ada", VENDOR: "Lumen Ltd"}, order_ids=(),
                  last_message=None, last_message_at=AT, received={BUYER: 3, VENDOR: 1})
    return chat.Room(**{**fields, **changes})


def test_a_pair_always_gets_the_same_room_and_the_reverse_pair_another():
    # Given a buyer and a vendor / When the room id is computed twice and reversed
    first, again = chat.room_id(BUYER, VENDOR), chat.room_id(BUYER, VENDOR)
    # Then it is 32 lowercase hex, the same each time, and tied to who is who
    assert first == again
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert chat.room_id(VENDOR, BUYER) != first
    assert chat.room_id(BUYER, "another-vendor") != first


def test_the_system_message_of_an_order_has_one_id_per_vendor():
    # Given an order with two vendors
    order_id = "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e"
    # When its system messages are made, twice for one vendor
    one = chat.system_message(order_id, VENDOR, AT)
    # Then a replay makes the same message, another vendor another one
    assert one == chat.system_message(order_id, VENDOR, AT)
    assert re.fullmatch(r"sys-[0-9a-f]{28}", one.id)
    assert chat.system_message(order_id, BUYER, AT).id != one.id
    assert one.kind is chat.MessageKind.SYSTEM and one.sender_id is None
    assert one.order_id == order_id
    assert one.text == ("Order 0c1d2e3f was paid. Ask the vendor here about the product or "
                        "the delivery.")


def test_members_message_ids_are_random_hex():
    ids = {chat.new_message_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_sort_keys_order_by_time_then_id_and_match_their_pattern():
    # Given messages at equal and later times, and one at the epoch's first microsecond
    later = AT + timedelta(microseconds=1)
    keys = [chat.sort_key(AT, "b" * 32), chat.sort_key(later, "0" * 32),
            chat.sort_key(AT, "a" * 32), chat.sort_key(AT, "sys-" + "f" * 28)]
    # When sorted as strings / Then time first, the id breaks ties
    assert sorted(keys) == [keys[2], keys[0], keys[3], keys[1]]
    assert keys[0] == "01796115600123456-" + "b" * 32
    assert chat.sort_key(datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc), "a" * 32) \
        == "00000000000000001-" + "a" * 32
    assert all(chat.SORT_KEY.fullmatch(k) for k in keys)


@pytest.mark.parametrize("received,seen,unread", [
    (0, 0, 0), (5, 0, 5), (5, 5, 0), (7, 3, 4), (2, 4, 0),
], ids=["nothing", "never-read", "all-read", "some-new", "marker-ahead"])
def test_unread_is_received_minus_seen_never_negative(received, seen, unread):
    assert chat.unread(received, seen) == unread


def test_a_member_sees_the_other_party_and_their_own_unread():
    room = a_room()
    as_buyer, as_vendor = chat.view_of(room, BUYER, seen=1), chat.view_of(room, VENDOR, seen=1)
    assert (as_buyer.other_party_id, as_buyer.other_party_name, as_buyer.unread) == (
        VENDOR, "Lumen Ltd", 2)
    assert (as_vendor.other_party_id, as_vendor.other_party_name, as_vendor.unread) == (
        BUYER, "Ada", 0)


@pytest.mark.parametrize("name,is_vendor,legal,shown", [
    ("Ada Lovelace", False, None, "Ada"),
    ("  Ada  ", False, None, "Ada"),
    ("Ada Lovelace", True, "Lumen Ltd", "Lumen Ltd"),
    ("Ada Lovelace", True, None, "Ada Lovelace"),
], ids=["customer-first-name", "customer-spaces", "vendor-legal-name", "vendor-no-profile"])
def test_members_are_named_by_first_name_or_business_name(name, is_vendor, legal, shown):
    assert chat.display_name(name, is_vendor=is_vendor, legal_name=legal) == shown


def test_the_preview_of_a_message_is_its_first_200_characters():
    assert chat.preview("x" * 250) == "x" * 200
    assert chat.preview("short") == "short"


def test_a_room_list_token_resumes_after_its_room_for_its_member_only():
    room = a_room()
    token = chat.rooms_token(room, BUYER, KEY)
    assert chat.rooms_cursor(token, BUYER, KEY) == (AT, room.id)
    with pytest.raises(InvalidRequest):
        chat.rooms_cursor(token, VENDOR, KEY)
    with pytest.raises(InvalidRequest):
        chat.rooms_cursor(token, BUYER, b"another-key-of-thirty-two-bytes!!!!")


@pytest.mark.parametrize("text", [
    "", "   ", "x" * 2001, "bell\x07", "nul\x00", "escape\x1b[31m", "del\x7f", "c1\x85",
    "cr\r\nlf",
], ids=["empty", "blank", "2001-chars", "bell", "nul", "escape", "delete", "c1-next-line",
        "carriage-return"])
def test_a_message_refuses_empty_oversized_and_control_characters(text):
    with pytest.raises(ValidationError):
        SendMessage.model_validate({"text": text})


@pytest.mark.parametrize("text", ["hi", "x" * 2000, "two\nlines", "tab\there", "<b>é 🙂</b>"],
                         ids=["short", "2000-chars", "line-feed", "tab", "markup-unicode"])
def test_a_message_accepts_plain_text_with_line_feeds_and_tabs(text):
    assert SendMessage.model_validate({"text": text}).text == text


def test_a_message_needs_its_text_and_nothing_else():
    with pytest.raises(ValidationError):
        SendMessage.model_validate({})
    with pytest.raises(ValidationError):
        SendMessage.model_validate({"text": "hi", "sender_id": BUYER})


@pytest.mark.parametrize("before,valid", [
    ("01796115600123456-" + "a" * 32, True),
    ("01796115600123456-sys-" + "a" * 28, True),
    ("01796115600123456-" + "A" * 32, False),
    ("1796115600123456-" + "a" * 32, False),
    ("01796115600123456-" + "a" * 32 + "\n", False),
], ids=["member-message", "system-message", "uppercase", "short-time", "trailing-newline"])
def test_before_is_a_sort_key_as_the_api_handed_it_out(before, valid):
    if valid:
        assert MessageListQuery.model_validate({"before": before}).before == before
    else:
        with pytest.raises(ValidationError):
            MessageListQuery.model_validate({"before": before})
