"""Members' messages: post (through the outbox), deliver (the one writer to Firestore),
list rooms and messages, and move a member's read marker."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from common.domain import chat
from common.domain.errors import NotFound, ServiceUnavailable, TooManyMessages
from common.domain.events import ChatMessagePosted
from common.domain.identity import Principal
from common.ports.chat import ChatRooms
from common.ports.identity import RateLimiter
from common.ports.unit_of_work import UnitOfWorkFactory

NOT_A_ROOM = "There is no such chat room among yours."


def member_room(principal: Principal, room_id: str, rooms: ChatRooms) -> chat.Room:
    """The room, if the caller is one of its two members; NotFound otherwise (an unknown
    room and someone else's answer alike)."""
    room = rooms.get_room(room_id) if chat.ROOM_ID.fullmatch(room_id) else None
    if room is None or not room.has_member(principal.account_id):
        raise NotFound(NOT_A_ROOM)
    return room


def post_message(principal: Principal, room_id: str, text: str, *, rooms: ChatRooms,
                 uow: UnitOfWorkFactory, limiter: RateLimiter,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
                 ) -> chat.Message:
    """Record the member's message in the outbox (its system of record) and answer it as it
    will appear; `deliver_chat_message` writes it to the room. TooManyMessages past the
    sender's limit (nothing recorded)."""
    room = member_room(principal, room_id, rooms)
    bucket = f"chat:sender:{principal.account_id}"
    retry_after = limiter.reserve([(bucket, chat.MESSAGES_PER_WINDOW)])
    if retry_after is not None:
        raise TooManyMessages(TooManyMessages.message, retry_after)
    message = chat.text_message(room, principal.account_id, text, now())
    try:
        with uow() as tx:
            tx.record(posted_event(room, message))
            tx.commit()
    except ServiceUnavailable:
        limiter.release([bucket])  # nothing was sent: the slot is given back
        raise
    return message


def posted_event(room: chat.Room, message: chat.Message) -> ChatMessagePosted:
    assert message.sender_id is not None, "a member's message has its sender"
    return ChatMessagePosted(
        room_id=room.id, message_id=message.id, sender_id=message.sender_id,
        recipient_id=room.other_member(message.sender_id), text=message.text,
        sort_key=message.sort_key, sent_at=message.sent_at.isoformat())


def deliver_message(event: ChatMessagePosted, rooms: ChatRooms) -> bool:
    """Write the posted message into its room and count it for the recipient, exactly once
    however often the event comes (False for a replay)."""
    message = chat.Message(event.message_id, chat.MessageKind.TEXT, event.sender_id,
                           event.text, None, datetime.fromisoformat(event.sent_at),
                           event.sort_key)
    return rooms.add_message(event.room_id, message, (event.recipient_id,))


def room_page(principal: Principal, page_size: int, page_token: str | None, *,
              rooms: ChatRooms, token_key: bytes) -> tuple[list[chat.RoomView], str | None]:
    """The caller's rooms, latest message first, with unread counts; the next page's token."""
    uid = principal.account_id
    after = chat.rooms_cursor(page_token, uid, token_key) if page_token else None
    found = rooms.rooms_of(uid, after, page_size + 1)
    page = found[:page_size]
    seen = rooms.seen(uid, [room.id for room in page])
    views = [chat.view_of(room, uid, seen[room.id]) for room in page]
    more = len(found) > page_size
    return views, chat.rooms_token(page[-1], uid, token_key) if more else None


def message_page(principal: Principal, room_id: str, before: str | None, page_size: int, *,
                 rooms: ChatRooms) -> tuple[list[chat.Message], str | None]:
    """Messages newest first, older than `before`; the `before` of the next page."""
    member_room(principal, room_id, rooms)
    found = rooms.messages(room_id, before, page_size + 1)
    page = found[:page_size]
    return page, page[-1].sort_key if len(found) > page_size else None


def mark_read(principal: Principal, room_id: str, *, rooms: ChatRooms) -> chat.RoomView:
    """Everything the member has received in the room counts as read."""
    room = member_room(principal, room_id, rooms)
    seen = room.received.get(principal.account_id, 0)
    rooms.mark_read(room.id, principal.account_id, seen)
    return chat.view_of(room, principal.account_id, seen)
