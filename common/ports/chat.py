"""Chat rooms and their messages (Firestore: common/adapters/firestore_chat.py), and the
display names of their members (PostgreSQL, inside a unit of work)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from common.domain.chat import Message, Room


class ChatRooms(Protocol):
    def get_room(self, room_id: str) -> Room | None:
        """The room, or None if there is none."""
        ...

    def open_room(self, room: Room) -> bool:
        """Create the room unless it exists (its members, names, no messages); True if
        this call created it."""
        ...

    def add_message(self, room_id: str, message: Message, recipients: tuple[str, ...],
                    order_id: str | None = None) -> bool:
        """Create the message and count it for each recipient, in one atomic write; link
        `order_id` to the room. False (and nothing changed) if the message exists."""
        ...

    def rooms_of(self, account_id: str, after: tuple[datetime, str] | None,
                 limit: int) -> list[Room]:
        """The member's rooms, latest message first, after (last_message_at, room id)."""
        ...

    def messages(self, room_id: str, before: str | None, limit: int) -> list[Message]:
        """Messages newest first, older than the sort key `before`."""
        ...

    def seen(self, account_id: str, room_ids: list[str]) -> dict[str, int]:
        """The member's read marker (`seen`) in each room (0 where none)."""
        ...

    def mark_read(self, room_id: str, account_id: str, seen: int) -> None:
        """Move the member's read marker to `seen` (never backwards)."""
        ...


class MemberNames(Protocol):
    def display_names(self, account_ids: list[str]) -> dict[str, str]:
        """How each account is named in a room (common.domain.chat.display_name)."""
        ...


class ChatAccess(Protocol):
    """What moderation writes in Firestore (common/adapters/firestore_chat_access.py)."""

    def set_blocked(self, account_id: str, blocked: bool) -> None:
        """Write `blocked/{uid}` (the rules deny that uid everything) or delete it."""
        ...

    def mark_reported(self, room_id: str) -> None:
        """Flag the room as reported (idempotent)."""
        ...
