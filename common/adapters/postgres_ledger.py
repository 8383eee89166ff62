"""PostgresLedger: journals and their entries, append-only, each posted once per key
(common/migrations/versions/0008_ledger.py; the database refuses an unbalanced journal)."""

from __future__ import annotations

import sqlalchemy
from sqlalchemy import text

from common.domain.ledger import CURRENCY, Account, Journal

_JOURNAL = text("""
INSERT INTO ledger_journals (id, idempotency_key, kind, order_id, vendor_id)
VALUES (:id, :key, :kind, :order_id, :vendor_id)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
""")
_ENTRY = text("""
INSERT INTO ledger_entries (journal_id, account, vendor_id, order_id, part_id, amount, currency)
VALUES (:journal_id, :account, :vendor_id, :order_id, :part_id, :amount, :currency)
""")
_SUMS = """
SELECT account, sum(amount) AS total FROM ledger_entries WHERE {where} GROUP BY account
"""


class PostgresLedger:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def post(self, journal: Journal) -> bool:
        """Write the journal and its entries once per key; False if it was posted already."""
        posted = self._db.execute(_JOURNAL, {
            "id": journal.id, "key": journal.key, "kind": journal.kind.value,
            "order_id": journal.order_id, "vendor_id": journal.vendor_id}).first()
        if posted is None:
            return False
        self._db.execute(_ENTRY, [
            {"journal_id": journal.id, "account": entry.account.value,
             "vendor_id": entry.vendor_id, "order_id": journal.order_id,
             "part_id": entry.part_id, "amount": entry.amount, "currency": CURRENCY}
            for entry in journal.entries])
        return True

    def has_journal(self, key: str) -> bool:
        return self._db.execute(text("SELECT 1 FROM ledger_journals WHERE idempotency_key = :k"),
                                {"k": key}).first() is not None

    def vendor_sums(self, vendor_id: str) -> dict[Account, int]:
        return self._sums("vendor_id = :id", vendor_id)

    def part_sums(self, part_id: str) -> dict[Account, int]:
        return self._sums("part_id = :id AND vendor_id IS NOT NULL", part_id)

    def _sums(self, where: str, value: str) -> dict[Account, int]:
        rows = self._db.execute(text(_SUMS.format(where=where)), {"id": value})
        return {Account(row.account): int(row.total) for row in rows}
