"""Fakes of the chat ports: rooms, messages and read markers in memory (FirestoreChatRooms'
behaviour: create-if-absent, counters per message, a summary that only moves forward), and
members' display names from the fake tables."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from common.domain.chat import Message, Room, display_name
from common.domain.errors import NotFound
from common.domain.identity import Role
from tests.unit.fakes.base import Breakable, FakeClock, Tables


class FakeChatRooms(Breakable):
    """`rooms` by id, `messages` by room id then message id, `reads` by (room id, uid)."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        super().__init__()
        self._clock = clock or FakeClock()
        self.rooms: dict[str, Room] = {}
        self.messages_of: dict[str, dict[str, Message]] = {}
        self.reads: dict[tuple[str, str], int] = {}

    def get_room(self, room_id: str) -> Room | None:
        self._before("get_room")
        return self.rooms.get(room_id)

    def open_room(self, room: Room) -> bool:
        self._before("open_room")
        if room.id in self.rooms:
            return False
        self.rooms[room.id] = dataclasses.replace(
            room, order_ids=(), last_message=None, last_message_at=self._clock.now,
            received={uid: 0 for uid in room.members}, reported=False)
        self.messages_of[room.id] = {}
        self._after("open_room")
        return True

    def add_message(self, room_id: str, message: Message, recipients: tuple[str, ...],
                    order_id: str | None = None) -> bool:
        self._before("add_message")
        room = self.rooms.get(room_id)
        if room is None:
            raise NotFound(f"There is no chat room {room_id}.")
        if message.id in self.messages_of[room_id]:
            return False
        self.messages_of[room_id][message.id] = message
        received = {uid: n + (1 if uid in recipients else 0) for uid, n in room.received.items()}
        orders = room.order_ids + ((order_id,) if order_id and order_id not in room.order_ids
                                   else ())
        newer = room.last_message is None or room.last_message.sort_key < message.sort_key
        self.rooms[room_id] = dataclasses.replace(
            room, received=received, order_ids=orders,
            last_message=message if newer else room.last_message,
            last_message_at=message.sent_at if newer else room.last_message_at)
        self._after("add_message")
        return True

    def rooms_of(self, account_id: str, after: tuple[datetime, str] | None,
                 limit: int) -> list[Room]:
        self._before("rooms_of")
        mine = sorted((r for r in self.rooms.values() if r.has_member(account_id)),
                      key=lambda r: (r.last_message_at, r.id), reverse=True)
        if after is not None:
            mine = [r for r in mine if (r.last_message_at, r.id) < after]
        return mine[:limit]

    def messages(self, room_id: str, before: str | None, limit: int) -> list[Message]:
        self._before("messages")
        found = sorted(self.messages_of.get(room_id, {}).values(), key=lambda m: m.sort_key,
                       reverse=True)
        return [m for m in found if before is None or m.sort_key < before][:limit]

    def seen(self, account_id: str, room_ids: list[str]) -> dict[str, int]:
        self._before("seen")
        return {room_id: self.reads.get((room_id, account_id), 0) for room_id in room_ids}

    def mark_read(self, room_id: str, account_id: str, seen: int) -> None:
        self._before("mark_read")
        self.reads[(room_id, account_id)] = max(seen, self.reads.get((room_id, account_id), 0))


class FakeMemberNames:
    """PostgresMemberNames over the accounts of one fake transaction."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables

    def display_names(self, account_ids: list[str]) -> dict[str, str]:
        found = (self._t.accounts[i] for i in account_ids if i in self._t.accounts)
        return {a.id: display_name(a.name, is_vendor=a.role is Role.VENDOR,
                                   legal_name=a.vendor.business.legal_name if a.vendor else None)
                for a in found}
