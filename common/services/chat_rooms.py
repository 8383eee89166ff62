"""Opening chat rooms: a paid order puts its buyer in one room with each of its vendors."""

from __future__ import annotations

import logging
from typing import Any

from common.domain import chat
from common.domain.events import OrderPaid
from common.logs import log
from common.ports.chat import ChatRooms

logger = logging.getLogger(__name__)


def open_rooms_for(event: OrderPaid, tx: Any, rooms: ChatRooms) -> list[str]:
    """Open (or reuse) the buyer's room with each vendor of the order, link the order and
    post its system message there; a replay of the event changes nothing. The rooms' ids.

    `tx` is the consumer's chat unit of work (member names); Firestore cannot share its
    transaction, so each write is made idempotent by its deterministic document id.
    """
    vendors = sorted({part.vendor_id for part in event.parts})
    names = tx.member_names.display_names([event.buyer_id, *vendors])
    opened = []
    for vendor_id in vendors:
        room = chat.Room(
            id=chat.room_id(event.buyer_id, vendor_id), buyer_id=event.buyer_id,
            vendor_id=vendor_id, order_ids=(), last_message=None, last_message_at=None,
            member_names={uid: names.get(uid, "") for uid in (event.buyer_id, vendor_id)})
        created = rooms.open_room(room)
        message = chat.system_message(event.order_id, vendor_id, event.occurred_at)
        posted = rooms.add_message(room.id, message, room.members, order_id=event.order_id)
        log(logger, logging.INFO, "chat room opened" if created else "chat room reused",
            room_id=room.id, order_id=event.order_id, system_message_posted=posted)
        opened.append(room.id)
    return opened
