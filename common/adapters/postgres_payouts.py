"""Vendors' transfers, their reversals and connected accounts, inside a unit of work
(common/migrations/versions/0008_ledger.py). Rows of vendor_transfers are locked only
through row_locks, by part id; a part's reversals are changed only under that lock."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

import sqlalchemy
from sqlalchemy import text

from common.adapters.row_locks import RowLocks
from common.domain.payments import VendorAccountStatus
from common.domain.payouts import OwedReversal, PaymentAccount, TransferStatus, VendorTransfer

PROVIDER = "stripe"
_TRANSFER_COLUMNS = ("part_id, order_id, vendor_id, amount, status, provider_transfer_ref, "
                     "amount_reversed, sent_at")
_HOLD = text("""
INSERT INTO vendor_transfers (part_id, order_id, vendor_id, amount, status)
VALUES (:part_id, :order_id, :vendor_id, :amount, 'held')
ON CONFLICT (part_id) DO NOTHING
""")
_OWED = text("""
SELECT t.part_id FROM vendor_transfers t
JOIN vendor_payment_accounts a ON a.vendor_id = t.vendor_id AND a.status = 'active'
WHERE t.status = 'pending' ORDER BY t.created_at LIMIT :limit
""")


def _transfer(row: sqlalchemy.Row) -> VendorTransfer:
    return VendorTransfer(str(row.part_id), str(row.order_id), str(row.vendor_id),
                          int(row.amount), TransferStatus(row.status),
                          row.provider_transfer_ref, int(row.amount_reversed), row.sent_at)


class PostgresVendorTransfers:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db = connection
        self._locks = locks

    def hold(self, transfers: Sequence[VendorTransfer]) -> None:
        if transfers:
            self._db.execute(_HOLD, [{"part_id": t.part_id, "order_id": t.order_id,
                                      "vendor_id": t.vendor_id, "amount": t.amount}
                                     for t in transfers])

    def get(self, part_id: str, *, for_update: bool = False) -> VendorTransfer | None:
        if for_update:
            return self.lock_all([part_id]).get(part_id)
        row = self._db.execute(text(f"SELECT {_TRANSFER_COLUMNS} FROM vendor_transfers "
                                    "WHERE part_id = :id"), {"id": part_id}).first()
        return _transfer(row) if row else None

    def lock_all(self, part_ids: Sequence[str]) -> dict[str, VendorTransfer]:
        if not part_ids:
            return {}
        locking = self._locks.clause("vendor_transfers", part_ids)
        rows = self._db.execute(text(
            f"SELECT {_TRANSFER_COLUMNS} FROM vendor_transfers "
            f"WHERE part_id = ANY(CAST(:ids AS uuid[])) ORDER BY part_id{locking}"),
            {"ids": list(part_ids)})
        return {str(row.part_id): _transfer(row) for row in rows}

    def update(self, part_id: str, *, status: TransferStatus, amount: int | None = None,
               sent_at: datetime | None = None, provider_transfer_ref: str | None = None,
               amount_reversed: int | None = None) -> None:
        self._db.execute(text("""
            UPDATE vendor_transfers SET status = :status,
                amount = coalesce(:amount, amount), sent_at = coalesce(:sent_at, sent_at),
                provider_transfer_ref = coalesce(:ref, provider_transfer_ref),
                amount_reversed = coalesce(:reversed, amount_reversed), updated_at = now()
            WHERE part_id = :id"""),
            {"id": part_id, "status": status.value, "amount": amount, "sent_at": sent_at,
             "ref": provider_transfer_ref, "reversed": amount_reversed})

    def owed_parts(self, limit: int) -> list[str]:
        return [str(row.part_id) for row in self._db.execute(_OWED, {"limit": limit})]

    def owe_reversal(self, reversal: OwedReversal) -> bool:
        return self._db.execute(text("""
            INSERT INTO vendor_transfer_reversals (refund_key, part_id, amount, status)
            VALUES (:key, :part_id, :amount, 'pending')
            ON CONFLICT DO NOTHING RETURNING part_id"""),
            {"key": reversal.refund_key, "part_id": reversal.part_id,
             "amount": reversal.amount}).first() is not None

    def reversals_owed(self, part_id: str) -> int:
        return int(self._db.execute(text(
            "SELECT coalesce(sum(amount), 0) FROM vendor_transfer_reversals "
            "WHERE part_id = :id"), {"id": part_id}).scalar_one())

    def pending_reversals(self, part_id: str) -> list[OwedReversal]:
        rows = self._db.execute(text(
            "SELECT refund_key, part_id, amount FROM vendor_transfer_reversals "
            "WHERE part_id = :id AND status = 'pending' ORDER BY created_at, refund_key"),
            {"id": part_id})
        return [OwedReversal(row.refund_key, str(row.part_id), int(row.amount)) for row in rows]

    def parts_with_pending_reversals(self, limit: int) -> list[str]:
        rows = self._db.execute(text(
            "SELECT DISTINCT r.part_id FROM vendor_transfer_reversals r "
            "JOIN vendor_transfers t ON t.part_id = r.part_id "
            "WHERE r.status = 'pending' AND t.provider_transfer_ref IS NOT NULL "
            "ORDER BY r.part_id LIMIT :limit"), {"limit": limit})
        return [str(row.part_id) for row in rows]

    def reversal_made(self, reversal: OwedReversal, provider_reversal_ref: str) -> bool:
        return self._db.execute(text("""
            UPDATE vendor_transfer_reversals
            SET status = 'made', provider_reversal_ref = :ref, updated_at = now()
            WHERE refund_key = :key AND part_id = :part_id AND status = 'pending'
            RETURNING part_id"""),
            {"ref": provider_reversal_ref, "key": reversal.refund_key,
             "part_id": reversal.part_id}).first() is not None

    def payment_ref(self, order_id: str) -> str | None:
        return self._db.execute(text("SELECT provider_ref FROM payments WHERE order_id = :id"),
                                {"id": order_id}).scalar_one_or_none()


def _account(row: sqlalchemy.Row) -> PaymentAccount:
    return PaymentAccount(str(row.vendor_id), row.provider_account_ref,
                          VendorAccountStatus(row.status), bool(row.payouts_enabled))


_ACCOUNT = "SELECT vendor_id, provider_account_ref, status, payouts_enabled " \
           "FROM vendor_payment_accounts WHERE "


class PostgresPaymentAccounts:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def get(self, vendor_id: str) -> PaymentAccount | None:
        row = self._db.execute(text(_ACCOUNT + "vendor_id = :id"), {"id": vendor_id}).first()
        return _account(row) if row else None

    def by_ref(self, provider_account_ref: str) -> PaymentAccount | None:
        row = self._db.execute(text(_ACCOUNT + "provider_account_ref = :ref"),
                               {"ref": provider_account_ref}).first()
        return _account(row) if row else None

    def add(self, account: PaymentAccount) -> bool:
        return self._db.execute(text("""
            INSERT INTO vendor_payment_accounts (vendor_id, provider, provider_account_ref,
                status, payouts_enabled)
            VALUES (:vendor_id, :provider, :ref, :status, :payouts)
            ON CONFLICT (vendor_id) DO NOTHING RETURNING vendor_id"""),
            {"vendor_id": account.vendor_id, "provider": PROVIDER,
             "ref": account.provider_account_ref, "status": account.status.value,
             "payouts": account.payouts_enabled}).first() is not None

    def set_status(self, provider_account_ref: str, account: PaymentAccount) -> bool:
        return self._db.execute(text("""
            UPDATE vendor_payment_accounts
            SET status = :status, payouts_enabled = :payouts,
                charges_enabled = :active, updated_at = now()
            WHERE provider_account_ref = :ref AND status <> :status RETURNING vendor_id"""),
            {"ref": provider_account_ref, "status": account.status.value,
             "payouts": account.payouts_enabled,
             "active": account.can_receive}).first() is not None

    def vendor_country(self, vendor_id: str) -> str | None:
        return self._db.execute(text(
            "SELECT country FROM vendor_profiles WHERE account_id = :id"),
            {"id": vendor_id}).scalar_one_or_none()

    def refs_to_refresh(self, limit: int) -> list[str]:
        """Accounts the provider spoke of since (unprocessed events), and accounts not yet
        active that vendors' money waits for."""
        rows = self._db.execute(text("""
            SELECT object_ref AS ref FROM provider_events
            WHERE type = 'vendor_account.updated' AND processed_at IS NULL
              AND object_ref IS NOT NULL
            UNION
            SELECT a.provider_account_ref FROM vendor_payment_accounts a
            WHERE a.status <> 'active' AND EXISTS (SELECT 1 FROM vendor_transfers t
                WHERE t.vendor_id = a.vendor_id AND t.status = 'pending')
            LIMIT :limit"""), {"limit": limit})
        return [row.ref for row in rows]

    def mark_account_events_processed(self, provider_account_ref: str) -> None:
        self._db.execute(text("""
            UPDATE provider_events SET processed_at = now()
            WHERE type = 'vendor_account.updated' AND object_ref = :ref
              AND processed_at IS NULL"""), {"ref": provider_account_ref})
