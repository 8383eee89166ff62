"""Chat use cases (common/services/chat_rooms.py, chat_messages.py) over fake ports: rooms
open once per pair, messages go through the outbox, membership, rate limit, unread, pages."""

from __future__ import annotations

import pytest

from common.domain import chat
from common.domain.errors import NotFound, ServiceUnavailable, TooManyMessages
from common.domain.events import ChatMessagePosted, OrderPaid, PaidPart
from common.domain.identity import Role
from common.services import chat_messages as messages
from common.services.chat_rooms import open_rooms_for
from tests.unit.fakes import FakeChatRooms, FakeDatabase, FakeMemberNames, FakeRateLimiter
from tests.unit.given import TOKEN_KEY, given_account, new_id, principal_of


def paid(db: FakeDatabase, buyer_id: str, *vendor_ids: str) -> OrderPaid:
    return OrderPaid(order_id=new_id(), buyer_id=buyer_id, payment_id=new_id(), total=1000,
                     parts=tuple(PaidPart(new_id(), v, 500, 50) for v in vendor_ids),
                     occurred_at=db.clock.now)


def open_rooms(db: FakeDatabase, rooms: FakeChatRooms, event: OrderPaid) -> list[str]:
    with db.unit_of_work() as tx:
        tx.member_names = FakeMemberNames(tx.tables)  # type: ignore[attr-defined]
        return open_rooms_for(event, tx, rooms)


@pytest.fixture
def world():
    db = FakeDatabase()
    rooms = FakeChatRooms(db.clock)
    buyer, vendor = given_account(db), given_account(db, Role.VENDOR)
    [room_id] = open_rooms(db, rooms, paid(db, buyer.id, vendor.id))
    db.clock.advance(1)  # members write after the order's message
    return db, rooms, buyer, vendor, room_id


def post(world, sender, text="Is it in stock?", limiter=None) -> chat.Message:
    db, rooms, *_ , room_id = world
    return messages.post_message(principal_of(sender), room_id, text, rooms=rooms,
                                 uow=db.unit_of_work, limiter=limiter or FakeRateLimiter(),
                                 now=lambda: db.clock.now)


def test_a_paid_order_opens_one_room_per_vendor_with_its_system_message():
    # Given a buyer who paid an order from two vendors
    db, rooms = FakeDatabase(), FakeChatRooms()
    buyer = given_account(db)
    v1, v2 = given_account(db, Role.VENDOR), given_account(db, Role.VENDOR)
    event = paid(db, buyer.id, v1.id, v2.id, v1.id)
    # When the event is handled
    opened = open_rooms(db, rooms, event)
    # Then one room per vendor, named, with the order linked and counted for both members
    assert sorted(opened) == sorted([chat.room_id(buyer.id, v1.id), chat.room_id(buyer.id, v2.id)])
    room = rooms.rooms[chat.room_id(buyer.id, v1.id)]
    assert room.member_names == {buyer.id: "Ada", v1.id: "Lumen Ltd"}
    assert room.order_ids == (event.order_id,)
    assert room.received == {buyer.id: 1, v1.id: 1}
    [message] = rooms.messages_of[room.id].values()
    assert message == chat.system_message(event.order_id, v1.id, event.occurred_at)
    assert room.last_message == message


def test_replaying_order_paid_changes_nothing_and_a_second_order_reuses_the_room(world):
    db, rooms, buyer, vendor, room_id = world
    first_order = rooms.rooms[room_id].order_ids[0]
    replay = OrderPaid(order_id=first_order, buyer_id=buyer.id, payment_id=new_id(), total=1,
                       parts=(PaidPart(new_id(), vendor.id, 1, 0),), occurred_at=db.clock.now)
    # When the same order is delivered again, then a second order comes
    open_rooms(db, rooms, replay)
    assert rooms.rooms[room_id].received == {buyer.id: 1, vendor.id: 1}
    second = paid(db, buyer.id, vendor.id)
    open_rooms(db, rooms, second)
    # Then the room is the same, both orders linked, one system message each
    assert list(rooms.rooms) == [room_id]
    assert rooms.rooms[room_id].order_ids == (first_order, second.order_id)
    assert rooms.rooms[room_id].received == {buyer.id: 2, vendor.id: 2}
    assert len(rooms.messages_of[room_id]) == 2


def test_posting_records_the_message_in_the_outbox_and_writes_nothing_to_the_room(world):
    db, rooms, buyer, vendor, room_id = world
    # When the buyer posts
    message = post(world, buyer, "Is it in stock?")
    # Then one chat.message_posted is committed and the room is untouched until delivery
    assert db.events() == [(ChatMessagePosted, {
        "room_id": room_id, "message_id": message.id, "sender_id": buyer.id,
        "recipient_id": vendor.id, "text": "Is it in stock?", "sort_key": message.sort_key,
        "sent_at": message.sent_at.isoformat()})]
    assert message.sort_key == chat.sort_key(message.sent_at, message.id)
    assert len(rooms.messages_of[room_id]) == 1


def test_delivering_a_posted_message_counts_it_once_for_the_recipient(world):
    db, rooms, buyer, vendor, room_id = world
    post(world, vendor, "Yes, ships tomorrow")
    [event] = db.committed_events
    # When the event is delivered three times
    results = [messages.deliver_message(event, rooms) for _ in range(3)]
    # Then the message is written once and only the buyer's count moved
    assert results == [True, False, False]
    assert rooms.rooms[room_id].received == {buyer.id: 2, vendor.id: 1}
    assert rooms.rooms[room_id].last_message.text == "Yes, ships tomorrow"


def test_a_late_older_message_does_not_replace_the_last_message(world):
    db, rooms, buyer, vendor, room_id = world
    post(world, buyer, "first")
    db.clock.advance(1)
    post(world, vendor, "second")
    first, second = db.committed_events
    # When the second is delivered before the first
    messages.deliver_message(second, rooms)
    messages.deliver_message(first, rooms)
    # Then the room's summary stays on the newest; both are counted
    assert rooms.rooms[room_id].last_message.text == "second"
    assert rooms.rooms[room_id].received == {buyer.id: 2, vendor.id: 2}


@pytest.mark.parametrize("who", ["stranger", "admin", "unknown-room", "not-a-room-id"])
def test_non_members_get_not_found_on_every_chat_use_case(world, who):
    db, rooms, buyer, vendor, room_id = world
    caller = given_account(db, Role.ADMIN if who == "admin" else Role.CUSTOMER)
    target = {"unknown-room": "0" * 32, "not-a-room-id": room_id.upper()}.get(who, room_id)
    if who in ("unknown-room", "not-a-room-id"):
        caller = buyer
    p = principal_of(caller)
    with pytest.raises(NotFound):
        messages.post_message(p, target, "hi", rooms=rooms, uow=db.unit_of_work,
                              limiter=FakeRateLimiter())
    with pytest.raises(NotFound):
        messages.message_page(p, target, None, 20, rooms=rooms)
    with pytest.raises(NotFound):
        messages.mark_read(p, target, rooms=rooms)
    assert db.committed_events == [] and rooms.reads == {}


def test_the_31st_message_in_a_window_is_refused_and_recorded_nowhere(world):
    db, *_ = world
    buyer = world[2]
    limiter = FakeRateLimiter(retry_after=17)
    for _ in range(chat.MESSAGES_PER_WINDOW):
        post(world, buyer, limiter=limiter)
    with pytest.raises(TooManyMessages) as refused:
        post(world, buyer, limiter=limiter)
    assert refused.value.headers() == {"Retry-After": "17"}
    assert refused.value.status == 429 and refused.value.code == "too_many_messages"
    assert len(db.committed_events) == chat.MESSAGES_PER_WINDOW
    assert limiter.hits == {f"chat:sender:{buyer.id}": chat.MESSAGES_PER_WINDOW}


def test_a_message_the_outbox_could_not_take_gives_its_slot_back(world):
    db, *_ = world
    buyer, limiter = world[2], FakeRateLimiter()
    db.fail_commit()
    with pytest.raises(ServiceUnavailable):
        post(world, buyer, limiter=limiter)
    assert limiter.hits == {f"chat:sender:{buyer.id}": 0}
    assert db.committed_events == []


def test_unread_counts_follow_messages_and_reading_resets_them(world):
    db, rooms, buyer, vendor, room_id = world
    for text in ("a", "b"):
        post(world, vendor, text)
        db.clock.advance(1)
    for event in db.committed_events:
        messages.deliver_message(event, rooms)
    [as_buyer], _ = messages.room_page(principal_of(buyer), 20, None, rooms=rooms,
                                       token_key=TOKEN_KEY)
    assert as_buyer.unread == 3  # the order's system message and two
    # When the buyer reads the room
    read = messages.mark_read(principal_of(buyer), room_id, rooms=rooms)
    # Then nothing is unread for the buyer; the vendor still has the system message unread
    assert read.unread == 0
    [as_buyer], _ = messages.room_page(principal_of(buyer), 20, None, rooms=rooms,
                                       token_key=TOKEN_KEY)
    [as_vendor], _ = messages.room_page(principal_of(vendor), 20, None, rooms=rooms,
                                        token_key=TOKEN_KEY)
    assert (as_buyer.unread, as_vendor.unread) == (0, 1)


def test_rooms_page_latest_first_and_every_room_once():
    db, rooms = FakeDatabase(), FakeChatRooms()
    buyer = given_account(db)
    for _ in range(5):
        open_rooms(db, rooms, paid(db, buyer.id, given_account(db, Role.VENDOR).id))
        db.clock.advance(1)
    seen, token = [], None
    while True:
        page, token = messages.room_page(principal_of(buyer), 2, token, rooms=rooms,
                                         token_key=TOKEN_KEY)
        seen.extend(view.room for view in page)
        if token is None:
            break
    assert len(seen) == 5 and len({r.id for r in seen}) == 5
    assert [r.last_message_at for r in seen] == sorted((r.last_message_at for r in seen),
                                                      reverse=True)


def test_messages_page_backwards_with_before(world):
    db, rooms, buyer, vendor, room_id = world
    for i in range(6):
        post(world, buyer, f"m{i}")
        db.clock.advance(1)
    for event in db.committed_events:
        messages.deliver_message(event, rooms)
    p = principal_of(vendor)
    first, before = messages.message_page(p, room_id, None, 4, rooms=rooms)
    rest, end = messages.message_page(p, room_id, before, 4, rooms=rooms)
    assert [m.text for m in first] == ["m5", "m4", "m3", "m2"]
    assert [m.text for m in rest][:2] == ["m1", "m0"] and rest[2].kind is chat.MessageKind.SYSTEM
    assert end is None
