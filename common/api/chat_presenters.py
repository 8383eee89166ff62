"""Chat rooms and messages as the API shows them (common/api/chat_schemas.py)."""

from __future__ import annotations

from common.api import chat_schemas as s
from common.domain.chat import Message, RoomView


def message(found: Message) -> s.ChatMessage:
    return s.ChatMessage(id=found.id, kind=found.kind.value, sender_id=found.sender_id,
                         text=found.text, order_id=found.order_id, sent_at=found.sent_at)


def chat(view: RoomView) -> s.Chat:
    room = view.room
    return s.Chat(
        id=room.id, other_party=s.OtherParty(id=view.other_party_id, name=view.other_party_name),
        order_ids=list(room.order_ids),
        last_message=message(room.last_message) if room.last_message else None,
        last_message_at=room.last_message_at if room.last_message else None,
        unread=view.unread)
