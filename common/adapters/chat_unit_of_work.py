"""The unit of work of chat's PostgreSQL side: the common one (accounts, inbox, outbox)
plus the display names of rooms' members, and moderation's reports, block states and
pending digests (role `bazaar_chat`, migration 0012)."""

from __future__ import annotations

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors
from common.adapters.postgres_chat_digests import PostgresChatDigests
from common.adapters.postgres_chat_reports import PostgresAccountBlocks, PostgresChatReports
from common.adapters.unit_of_work import UnitOfWork
from common.domain.chat import display_name
from common.domain.identity import Role

_NAMES = text(
    "SELECT a.id, a.name, a.role, v.legal_name FROM accounts a "
    "LEFT JOIN vendor_profiles v ON v.account_id = a.id "
    "WHERE a.id = ANY(CAST(:ids AS uuid[]))")


class PostgresMemberNames:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def display_names(self, account_ids: list[str]) -> dict[str, str]:
        with translated_errors():
            rows = self._db.execute(_NAMES, {"ids": list(account_ids)}).all()
        return {str(row.id): display_name(row.name, is_vendor=row.role == Role.VENDOR.value,
                                          legal_name=row.legal_name)
                for row in rows}


class ChatUnitOfWork(UnitOfWork):
    def __enter__(self) -> "ChatUnitOfWork":
        super().__enter__()
        self.member_names = PostgresMemberNames(self.connection)
        self.chat_reports = PostgresChatReports(self.connection)
        self.account_blocks = PostgresAccountBlocks(self.connection)
        self.chat_digests = PostgresChatDigests(self.connection)
        return self
