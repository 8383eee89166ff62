"""Chat moderation: a member reports a room, and only then may an admin read it, each read
recorded in the audit log before any message is shown."""

from __future__ import annotations

import logging
from typing import Any, Callable

from common.domain.chat import ROOM_ID, Message
from common.domain.errors import NotFound
from common.domain.events import ChatReported
from common.domain.identity import Principal
from common.logs import log
from common.ports.chat import ChatAccess, ChatRooms
from common.services.chat_messages import member_room

logger = logging.getLogger(__name__)
ADMIN_READ = "chat.read"  # the audit log's action of an admin's read of a reported room


def report_chat(principal: Principal, room_id: str, reason: str, *, rooms: ChatRooms,
                access: ChatAccess, uow: Callable[[], Any]) -> bool:
    """Record the member's report (once: a second one changes nothing) and flag the room;
    True if this call reported it. chat.reported tells moderation."""
    member_room(principal, room_id, rooms)
    with uow() as tx:
        reported = tx.chat_reports.add(room_id, principal.account_id, reason)
        if reported:
            tx.record(ChatReported(room_id=room_id, reporter_id=principal.account_id,
                                   reason=reason))
        tx.commit()
    access.mark_reported(room_id)  # a retry sets it again: the report row is the record
    log(logger, logging.INFO, "chat room reported", room_id=room_id,
        reporter_id=principal.account_id, first_report=reported)
    return reported


def admin_read_chat(principal: Principal, room_id: str, before: str | None, page_size: int, *,
                    rooms: ChatRooms, uow: Callable[[], Any]) -> tuple[list[Message], str | None]:
    """A page of a reported room's messages (newest first) for an admin, and the `before` of
    the next page; NotFound for a room nobody reported. The read is committed to the audit
    log before any message is read."""
    with uow() as tx:
        if not ROOM_ID.fullmatch(room_id) or not tx.chat_reports.is_reported(room_id):
            raise NotFound("No reported chat room has this id.")
        tx.accounts.record_admin_action(principal.account_id, ADMIN_READ, room_id,
                                        f"messages before {before}" if before else
                                        "latest messages")
        tx.commit()
    found = rooms.messages(room_id, before, page_size + 1)
    page = found[:page_size]
    return page, page[-1].sort_key if len(found) > page_size else None
