"""Away-member emails: who is due a digest of unread chat messages, what it lists, and what
the mail says. Plain values in and out; the adapters read PostgreSQL and Firestore.

A recipient is due once the oldest message they have not been mailed about is older than
CHAT_AWAY (they were away that long) and some room still shows them unread messages (the
Firestore read marker). One digest per recipient lists every such room: never one email per
message. The mail names who wrote and how many messages wait, never what they say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from common.domain.events import ChatDigestDue, DigestRoom
from common.domain.notifications import Mail

CHAT_AWAY_S = 15 * 60
CHAT_AWAY = timedelta(seconds=CHAT_AWAY_S)
# Recipients one run of send_chat_digests mails at most; the next run takes the rest.
DIGEST_BATCH = 200


@dataclass(frozen=True)
class PendingDigest:
    """Messages of one room that one recipient has not been mailed about (chat_digests)."""

    room_id: str
    recipient_id: str
    pending_since: datetime
    last_message_at: datetime
    pending_count: int


@dataclass(frozen=True)
class RoomUnread:
    """What Firestore shows one member of a room: unread messages and who the other is."""

    unread: int
    other_party: str


def due_recipients(pending: list[PendingDigest], now: datetime,
                   away: timedelta = CHAT_AWAY) -> dict[str, list[PendingDigest]]:
    """The pending rooms of each recipient whose oldest pending message is `away` old."""
    by_recipient: dict[str, list[PendingDigest]] = {}
    for row in pending:
        by_recipient.setdefault(row.recipient_id, []).append(row)
    return {recipient: rows for recipient, rows in by_recipient.items()
            if now - min(row.pending_since for row in rows) >= away}


def digest_for(recipient_id: str, pending: list[PendingDigest],
               unread: dict[str, RoomUnread]) -> ChatDigestDue | None:
    """The one digest of a due recipient: the pending rooms that still show unread messages,
    most recent first; None when they read everything in the meantime."""
    rooms = [DigestRoom(room_id=row.room_id, unread=unread[row.room_id].unread,
                        other_party=unread[row.room_id].other_party)
             for row in sorted(pending, key=lambda r: (r.last_message_at, r.room_id),
                               reverse=True)
             if row.room_id in unread and unread[row.room_id].unread > 0]
    return ChatDigestDue(recipient_id=recipient_id, rooms=tuple(rooms)) if rooms else None


def digest_mail(to: str, name: str, writers: list[tuple[str, int]], chats_url: str,
                event_id: str) -> Mail:
    """The away member's mail: who wrote and how many messages wait (no message text)."""
    total = sum(unread for _, unread in writers)
    lines = "\n".join(f"  {writer}: {_messages(unread)}" for writer, unread in writers)
    text = (
        f"Hello {name},\n\nyou have {_messages(total, unread=True)} in your Bazaar chats:"
        f"\n\n{lines}\n\nRead and answer them here:\n\n{chats_url}\n\n"
        "We write at most once in a while, however many messages arrive.\n"
    )
    return Mail(to, f"{_messages(total, unread=True).capitalize()} on Bazaar", text, event_id)


def _messages(count: int, unread: bool = False) -> str:
    kind = "unread message" if unread else "message"
    return f"{count} {kind}" if count == 1 else f"{count} {kind}s"
