"""Chat rooms between a buyer and a vendor: ids, sort keys, unread counts, the system
message of a paid order. Plain values only; the rooms live in Firestore
(common/adapters/firestore_chat.py, docs/decisions/0019-chat-rooms-in-firestore.md)."""

from __future__ import annotations

import enum
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from common.domain import page_tokens

MAX_MESSAGE_CHARS = 2000
PREVIEW_CHARS = 200  # of the last message, kept on the room for the room list
MESSAGES_PER_WINDOW = 30  # per sender ...
WINDOW_S = 60  # ... per fixed window of this many seconds
ROOM_ID = re.compile(r"^[0-9a-f]{32}$")
# f"{microseconds since the epoch:017d}-{message id}": a random hex id or "sys-" + 28 hex.
SORT_KEY = re.compile(r"^[0-9]{17}-(?:[0-9a-f]{32}|sys-[0-9a-f]{28})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class MessageKind(enum.Enum):
    TEXT = "text"
    SYSTEM = "system"


@dataclass(frozen=True)
class Message:
    """One message of a room; `sender_id` is None for the system's."""

    id: str
    kind: MessageKind
    sender_id: str | None
    text: str
    order_id: str | None
    sent_at: datetime
    sort_key: str


@dataclass(frozen=True)
class Room:
    """A buyer–vendor room as the server reads it (`received`: messages each member got)."""

    id: str
    buyer_id: str
    vendor_id: str
    member_names: dict[str, str]
    order_ids: tuple[str, ...]
    last_message: Message | None
    last_message_at: datetime | None
    received: dict[str, int] = field(default_factory=dict)
    reported: bool = False

    @property
    def members(self) -> tuple[str, str]:
        return self.buyer_id, self.vendor_id

    def has_member(self, account_id: str) -> bool:
        return account_id in self.members

    def other_member(self, account_id: str) -> str:
        """The member who is not `account_id` (a member)."""
        return self.vendor_id if account_id == self.buyer_id else self.buyer_id


@dataclass(frozen=True)
class RoomView:
    """A room as one member sees it: the other party and how many messages are unread."""

    room: Room
    other_party_id: str
    other_party_name: str
    unread: int


def room_id(buyer_id: str, vendor_id: str) -> str:
    """The one room of a buyer–vendor pair: the same pair always gets the same id."""
    return hashlib.sha256(f"{buyer_id}:{vendor_id}".encode()).hexdigest()[:32]


def new_message_id() -> str:
    """A member's message: random, never sequential (Firestore spreads random ids)."""
    return uuid.uuid4().hex


def system_message_id(order_id: str, vendor_id: str) -> str:
    """The paid order's system message in the vendor's room: the same for every replay."""
    return "sys-" + hashlib.sha256(f"{order_id}:{vendor_id}".encode()).hexdigest()[:28]


def sort_key(sent_at: datetime, message_id: str) -> str:
    """Orders messages by time, ties by id: unique, and comparable as a string."""
    delta = sent_at - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros:017d}-{message_id}"


def unread(received: int, seen: int) -> int:
    """Messages a member got since their read marker (never negative)."""
    return max(0, received - seen)


def preview(text: str) -> str:
    """What the room list shows of a message."""
    return text[:PREVIEW_CHARS]


def paid_order_text(order_id: str) -> str:
    """The system message that opens (or reopens) a room for a paid order."""
    return (f"Order {order_id.replace('-', '')[:8]} was paid. Ask the vendor here about the "
            "product or the delivery.")


def text_message(room: Room, sender_id: str, text: str, now: datetime) -> Message:
    """A member's new message, as it will be stored."""
    message_id = new_message_id()
    return Message(message_id, MessageKind.TEXT, sender_id, text, None, now,
                   sort_key(now, message_id))


def system_message(order_id: str, vendor_id: str, paid_at: datetime) -> Message:
    """The paid order's message: its id and sort key are the same on every replay."""
    message_id = system_message_id(order_id, vendor_id)
    return Message(message_id, MessageKind.SYSTEM, None, paid_order_text(order_id), order_id,
                   paid_at, sort_key(paid_at, message_id))


def view_of(room: Room, account_id: str, seen: int) -> RoomView:
    """The room as `account_id` (a member) sees it, given their read marker."""
    other = room.other_member(account_id)
    return RoomView(room, other, room.member_names.get(other, ""),
                    unread(room.received.get(account_id, 0), seen))


def display_name(name: str, *, is_vendor: bool, legal_name: str | None) -> str:
    """How a member is named in a room: a vendor by its business name, a customer by first
    name only (the room shows no more of a buyer than a review does)."""
    if is_vendor:
        return legal_name or name
    return name.split()[0] if name.split() else ""


def rooms_token(last: Room, account_id: str, key: bytes) -> str:
    """The page token after `last` in `account_id`'s room list (no one else's list)."""
    assert last.last_message_at is not None, "a listed room has a last_message_at"
    return page_tokens.issue({"t": last.last_message_at.isoformat(), "i": last.id,
                              "u": account_id}, key, purpose="chats")


def rooms_cursor(token: str, account_id: str, key: bytes) -> tuple[datetime, str]:
    """(last_message_at, room id) where the page before ended; InvalidRequest otherwise."""
    fields = page_tokens.read(token, key, purpose="chats")
    if fields.get("u") != account_id:
        raise page_tokens.invalid_token(page_tokens.OTHER_QUERY)
    room = fields.get("i")
    if not isinstance(room, str) or not ROOM_ID.fullmatch(room):
        raise page_tokens.invalid_token(page_tokens.NOT_ISSUED)
    return page_tokens.timestamp_value(fields.get("t")), room
