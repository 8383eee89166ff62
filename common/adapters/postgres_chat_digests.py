"""PostgresChatDigests: per room and recipient, the messages not mailed about yet
(chat_digests), upserted by each message and cleared by the digest that covers them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy
from sqlalchemy import text

from common.domain.chat_digests import PendingDigest

_ADD = """
INSERT INTO chat_digests (room_id, recipient_id, pending_since, last_message_at, pending_count)
VALUES (:room, :recipient, :sent_at, :sent_at, 1)
ON CONFLICT (room_id, recipient_id) DO UPDATE SET
    pending_since = LEAST(chat_digests.pending_since, EXCLUDED.pending_since),
    last_message_at = GREATEST(chat_digests.last_message_at, EXCLUDED.last_message_at),
    pending_count = chat_digests.pending_count + 1"""
# Every pending room of the recipients with a message pending since before the cutoff.
_DUE = """
SELECT room_id, recipient_id, pending_since, last_message_at, pending_count
FROM chat_digests WHERE recipient_id IN (
    SELECT DISTINCT recipient_id FROM chat_digests WHERE pending_since <= :cutoff LIMIT :limit)
ORDER BY recipient_id, room_id"""
# Rows as they were read (each message adds one to the count) are covered by the digest; a
# row that later messages changed stays, pending since its newest message.
_CLEAR = """
DELETE FROM chat_digests d
USING unnest(CAST(:rooms AS text[]), CAST(:counts AS integer[])) AS s (room_id, count)
WHERE d.recipient_id = :recipient AND d.room_id = s.room_id AND d.pending_count = s.count
RETURNING d.room_id"""
_RESTART = """
UPDATE chat_digests d SET pending_since = d.last_message_at,
    pending_count = GREATEST(1, d.pending_count - s.count)
FROM unnest(CAST(:rooms AS text[]), CAST(:sinces AS timestamptz[]), CAST(:counts AS integer[]))
    AS s (room_id, since, count)
WHERE d.recipient_id = :recipient AND d.room_id = s.room_id AND d.pending_since = s.since
RETURNING d.room_id"""


class PostgresChatDigests:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def add_message(self, room_id: str, recipient_id: str, sent_at: datetime) -> None:
        """Count one more message pending for the recipient (any delivery order)."""
        self._db.execute(text(_ADD), {"room": room_id, "recipient": recipient_id,
                                      "sent_at": sent_at})

    def due(self, cutoff: datetime, limit: int) -> list[PendingDigest]:
        """The pending rooms of up to `limit` recipients waiting since `cutoff` or before."""
        rows = self._db.execute(text(_DUE), {"cutoff": cutoff, "limit": limit})
        return [PendingDigest(row.room_id, str(row.recipient_id), row.pending_since,
                              row.last_message_at, row.pending_count) for row in rows]

    def clear(self, recipient_id: str, covered: list[PendingDigest]) -> int:
        """Delete what the digest covered (the rows as read); rows a newer message changed
        since are pending from that message on. How many rows this call took: 0 when
        another run cleared them first."""
        if not covered:
            return 0
        cleared = self._db.execute(text(_CLEAR), {
            "recipient": recipient_id, "rooms": [row.room_id for row in covered],
            "counts": [row.pending_count for row in covered]}).all()
        restarted = self._db.execute(text(_RESTART), {
            "recipient": recipient_id, "rooms": [row.room_id for row in covered],
            "sinces": [row.pending_since for row in covered],
            "counts": [row.pending_count for row in covered]}).all()
        return len(cleared) + len(restarted)

    def pending(self, recipient_id: str) -> list[PendingDigest]:
        """The recipient's pending rooms (what operators and tests look at)."""
        rows = self._db.execute(
            text("SELECT room_id, recipient_id, pending_since, last_message_at, pending_count "
                 "FROM chat_digests WHERE recipient_id = :recipient ORDER BY room_id"),
            {"recipient": recipient_id})
        return [PendingDigest(row.room_id, str(row.recipient_id), row.pending_since,
                              row.last_message_at, row.pending_count) for row in rows]
