"""Away-member emails: each message is queued for its recipient, a job every 5 minutes turns
what waited CHAT_AWAY into one digest event per recipient, and send_notification mails it.

The job reads Firestore outside any transaction (who still has unread messages), then
clears the covered rows and records the digest in one transaction: a run that finds the
rows already cleared (another run's) records nothing, so no recipient gets two digests.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from common.domain import chat
from common.domain.chat_digests import (
    CHAT_AWAY,
    DIGEST_BATCH,
    PendingDigest,
    RoomUnread,
    digest_for,
    digest_mail,
    due_recipients,
)
from common.domain.events import ChatDigestDue, ChatMessagePosted
from common.domain.identity import Account, AccountState
from common.logs import log
from common.ports.chat import ChatRooms
from common.ports.messaging import Mailer

logger = logging.getLogger(__name__)


def queue_digest(event: ChatMessagePosted, tx: Any) -> None:
    """Count the message as pending for its recipient (whatever order messages arrive in)."""
    tx.chat_digests.add_message(event.room_id, event.recipient_id,
                                datetime.fromisoformat(event.sent_at))


def send_due_digests(*, uow: Callable[[], Any], rooms: ChatRooms, now: datetime | None = None,
                     away: timedelta = CHAT_AWAY, batch: int = DIGEST_BATCH) -> dict[str, int]:
    """Record one chat.digest_due per recipient away `away` with unread messages, and clear
    what it covers (also for those who read everything meanwhile). Counts for the log."""
    now = now or datetime.now(timezone.utc)
    with uow() as tx:
        pending = tx.chat_digests.due(now - away, batch)
    due = due_recipients(pending, now, away)
    digests = 0
    for recipient_id, rows in due.items():
        digest = digest_for(recipient_id, rows, unread_in(rooms, recipient_id, rows))
        with uow() as tx:
            if tx.chat_digests.clear(recipient_id, rows) and digest is not None:
                tx.record(digest)
                digests += 1
            tx.commit()
    result = {"recipients_due": len(due), "digests": digests}
    log(logger, logging.INFO, "chat digests", **result)
    return result


def unread_in(rooms: ChatRooms, recipient_id: str,
              pending: list[PendingDigest]) -> dict[str, RoomUnread]:
    """What Firestore shows the recipient of each pending room (rooms gone are left out)."""
    room_ids = [row.room_id for row in pending]
    seen = rooms.seen(recipient_id, room_ids)
    found: dict[str, RoomUnread] = {}
    for room_id in room_ids:
        room = rooms.get_room(room_id)
        if room is not None and room.has_member(recipient_id):
            found[room_id] = RoomUnread(
                chat.unread(room.received.get(recipient_id, 0), seen.get(room_id, 0)),
                room.other_member(recipient_id))
    return found


def mail_digest(event: ChatDigestDue, tx: Any, *, mailer: Mailer, public_base_url: str) -> bool:
    """Mail the away member who wrote and how many messages wait; True if a mail went out
    (none to an account that is gone or blocked)."""
    recipient = tx.accounts.get(event.recipient_id)
    if recipient is None or recipient.state is not AccountState.ACTIVE:
        return False
    writers = [(_display_name(tx.accounts.get(room.other_party)), room.unread)
               for room in event.rooms]
    mailer.send(digest_mail(recipient.email, recipient.name, writers,
                            f"{public_base_url.rstrip('/')}/chats", event.id))
    return True


def _display_name(account: Account | None) -> str:
    if account is None:
        return "A former member"
    legal_name = account.vendor.business.legal_name if account.vendor else None
    return chat.display_name(account.name, is_vendor=account.vendor is not None,
                             legal_name=legal_name)
