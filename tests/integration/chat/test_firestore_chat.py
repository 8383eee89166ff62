"""FirestoreChatRooms against Google's Firestore emulator: rooms open once, a replayed or
concurrent delivery writes a message once, counters are exact, pages cover every message
once, the room's summary only moves forward, and an outage is ServiceUnavailable."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from google.cloud import firestore

from common.adapters.firestore_chat import FirestoreChatRooms
from common.domain import chat
from common.domain.errors import ServiceUnavailable
from common.domain.events import ChatMessagePosted, OrderPaid, PaidPart
from common.services.chat_messages import deliver_message
from common.services.chat_rooms import open_rooms_for

AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Names:
    """The consumer's unit of work, as far as opening rooms reads it."""

    def __init__(self) -> None:
        self.member_names = self

    def display_names(self, account_ids: list[str]) -> dict[str, str]:
        return {uid: f"name-{uid[:4]}" for uid in account_ids}


def new_id() -> str:
    return str(uuid.uuid4())


def order_paid(buyer: str, vendor: str, order_id: str | None = None) -> OrderPaid:
    return OrderPaid(order_id=order_id or new_id(), buyer_id=buyer, payment_id=new_id(),
                     total=1000, parts=(PaidPart(new_id(), vendor, 1000, 100),), occurred_at=AT)


def posted(room: chat.Room, sender: str, text: str, at: datetime,
           message_id: str | None = None) -> ChatMessagePosted:
    message_id = message_id or chat.new_message_id()
    return ChatMessagePosted(room_id=room.id, message_id=message_id, sender_id=sender,
                             recipient_id=room.other_member(sender), text=text,
                             sort_key=chat.sort_key(at, message_id), sent_at=at.isoformat())


def a_room(rooms: FirestoreChatRooms) -> chat.Room:
    buyer, vendor = new_id(), new_id()
    open_rooms_for(order_paid(buyer, vendor), Names(), rooms)
    room = rooms.get_room(chat.room_id(buyer, vendor))
    assert room is not None
    return room


def all_messages(client: firestore.Client, room_id: str) -> list[dict]:
    return [s.to_dict() for s in
            client.collection("rooms").document(room_id).collection("messages").stream()]


def test_replaying_order_paid_and_reopening_the_room_changes_nothing(rooms, client):
    # Given a paid order that opened its room
    buyer, vendor = new_id(), new_id()
    event = order_paid(buyer, vendor)
    open_rooms_for(event, Names(), rooms)
    room_id = chat.room_id(buyer, vendor)
    # When the same event is handled twice more and the room opened again
    open_rooms_for(event, Names(), rooms)
    open_rooms_for(event, Names(), rooms)
    reopened = rooms.open_room(chat.Room(room_id, buyer, vendor, {}, (), None, None))
    # Then one room, one system message, each counted once for both members
    room = rooms.get_room(room_id)
    assert reopened is False
    assert room.order_ids == (event.order_id,)
    assert room.received == {buyer: 1, vendor: 1}
    assert room.member_names == {buyer: f"name-{buyer[:4]}", vendor: f"name-{vendor[:4]}"}
    [stored] = all_messages(client, room_id)
    expected = chat.system_message(event.order_id, vendor, AT)
    assert stored == {"kind": "system", "sender_id": None, "text": expected.text,
                      "order_id": event.order_id, "sent_at": AT, "sort_key": expected.sort_key}
    assert room.last_message == expected


def test_a_second_order_reuses_the_room_and_links_both(rooms):
    buyer, vendor = new_id(), new_id()
    first, second = order_paid(buyer, vendor), order_paid(buyer, vendor)
    open_rooms_for(first, Names(), rooms)
    open_rooms_for(second, Names(), rooms)
    room = rooms.get_room(chat.room_id(buyer, vendor))
    assert room.order_ids == (first.order_id, second.order_id)
    assert room.received == {buyer: 2, vendor: 2}
    assert len(rooms.messages(room.id, None, 10)) == 2


def test_ten_threads_delivering_one_message_write_it_once(rooms, client):
    # Given one posted message, delivered by ten consumers at once
    room = a_room(rooms)
    event = posted(room, room.buyer_id, "Is it in stock?", AT + timedelta(seconds=5))
    results: list[bool] = []
    start = threading.Barrier(10)

    def deliver() -> None:
        start.wait()
        results.append(deliver_message(event, rooms))

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly one wrote it, and the vendor's count moved by one
    assert sorted(results) == [False] * 9 + [True]
    after = rooms.get_room(room.id)
    assert after.received == {room.buyer_id: 1, room.vendor_id: 2}
    assert len(all_messages(client, room.id)) == 2
    assert after.last_message.id == event.message_id


def test_concurrent_different_messages_are_all_counted_and_the_newest_is_last(rooms):
    # Given ten messages of the vendor delivered at once, in no particular order
    room = a_room(rooms)
    events = [posted(room, room.vendor_id, f"m{i}", AT + timedelta(seconds=10 + i))
              for i in range(10)]
    threads = [threading.Thread(target=deliver_message, args=(e, rooms)) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every message counts for the buyer, and the room's summary is the newest
    after = rooms.get_room(room.id)
    assert after.received == {room.buyer_id: 11, room.vendor_id: 1}
    assert after.last_message.text == "m9"
    assert after.last_message_at == AT + timedelta(seconds=19)


def test_an_older_message_delivered_late_keeps_the_newest_as_last(rooms):
    room = a_room(rooms)
    older = posted(room, room.buyer_id, "older", AT + timedelta(seconds=1))
    newer = posted(room, room.vendor_id, "newer", AT + timedelta(seconds=2))
    assert deliver_message(newer, rooms) and deliver_message(older, rooms)
    after = rooms.get_room(room.id)
    assert after.last_message.text == "newer"
    assert after.received == {room.buyer_id: 2, room.vendor_id: 2}


def test_paging_backwards_gives_every_message_once_with_equal_timestamps(rooms):
    # Given 25 messages, in groups of three sharing one timestamp
    room = a_room(rooms)
    sent = [posted(room, room.buyer_id, f"m{i}", AT + timedelta(seconds=1 + i // 3))
            for i in range(25)]
    for event in sent:
        deliver_message(event, rooms)
    # When paged backwards 7 at a time by the last sort key
    pages, before = [], None
    while True:
        page = rooms.messages(room.id, before, 7)
        if not page:
            break
        pages.append(page)
        before = page[-1].sort_key
    # Then pages of 7, 7, 7, 5 (the system message last), each message once, newest first
    got = [m for page in pages for m in page]
    assert [len(p) for p in pages] == [7, 7, 7, 5]
    assert [m.id for m in got[:25]] == [e.message_id for e in
                                       sorted(sent, key=lambda e: e.sort_key, reverse=True)]
    assert got[25].kind is chat.MessageKind.SYSTEM
    assert len({m.id for m in got}) == 26


def test_rooms_list_latest_first_and_read_markers_never_go_back(rooms):
    # Given a buyer with three rooms, the middle one with the latest message
    buyer = new_id()
    vendors = [new_id() for _ in range(3)]
    for vendor in vendors:
        open_rooms_for(order_paid(buyer, vendor), Names(), rooms)
    middle = rooms.get_room(chat.room_id(buyer, vendors[1]))
    deliver_message(posted(middle, vendors[1], "hello", AT + timedelta(minutes=5)), rooms)
    # When listed two at a time
    first = rooms.rooms_of(buyer, None, 2)
    last = first[-1]
    rest = rooms.rooms_of(buyer, (last.last_message_at, last.id), 2)
    # Then the middle one first, every room once
    assert first[0].id == middle.id
    assert {r.id for r in first + rest} == {chat.room_id(buyer, v) for v in vendors}
    assert len(first + rest) == 3
    # And a read marker moves forward only
    rooms.mark_read(middle.id, buyer, 2)
    rooms.mark_read(middle.id, buyer, 1)
    assert rooms.seen(buyer, [middle.id, first[1].id]) == {middle.id: 2, first[1].id: 0}


def test_firestore_down_is_service_unavailable_within_the_timeout(monkeypatch):
    # Given a client of an emulator that is not there
    from devstack.ports import free_port

    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{free_port()}")
    rooms = FirestoreChatRooms(firestore.Client(project="demo-chat"), timeout_s=1.0)
    started = time.monotonic()
    # When a room is read / Then 503 for the caller, within a few seconds
    with pytest.raises(ServiceUnavailable) as down:
        rooms.get_room("0" * 32)
    assert down.value.dependency == "firestore"
    assert time.monotonic() - started < 5
