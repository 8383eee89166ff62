"""What chat moderation keeps in PostgreSQL, inside a unit of work: members' reports of rooms
(chat_reports) and the account state the block mirror follows (ChatUnitOfWork has both,
common/adapters/chat_unit_of_work.py)."""

from __future__ import annotations

import sqlalchemy
from sqlalchemy import text


class PostgresChatReports:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def add(self, room_id: str, reporter_id: str, reason: str) -> bool:
        """Record the member's report; False if they reported this room before."""
        return self._db.execute(
            text("INSERT INTO chat_reports (room_id, reporter_id, reason) "
                 "VALUES (:room, :reporter, :reason) ON CONFLICT DO NOTHING RETURNING 1"),
            {"room": room_id, "reporter": reporter_id, "reason": reason}).first() is not None

    def is_reported(self, room_id: str) -> bool:
        """Whether any member reported the room (what lets an admin read it)."""
        return bool(self._db.execute(
            text("SELECT EXISTS (SELECT FROM chat_reports WHERE room_id = :room)"),
            {"room": room_id}).scalar())


class PostgresAccountBlocks:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def is_blocked(self, account_id: str) -> bool | None:
        """Whether the account is blocked now (None: no such account, or still registering).

        Takes a transaction-scoped advisory lock on the account first, so that mirrors of
        one account take turns: each reads the state only after the one before has written
        it (a row lock would need UPDATE on accounts, which the chat role does not have).
        """
        self._db.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                         {"key": f"chat-block:{account_id}"})
        state = self._db.execute(text("SELECT state FROM accounts WHERE id = :id"),
                                 {"id": account_id}).scalar()
        return None if state in (None, "registering") else state == "blocked"
