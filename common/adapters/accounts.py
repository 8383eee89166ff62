"""PostgresAccounts: accounts and vendor profiles, inside a unit of work's transaction."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy
from sqlalchemy import text

from common.adapters.row_locks import RowLocks
from common.domain.identity import (
    Account,
    AccountState,
    Business,
    Principal,
    Role,
    VendorProfile,
    VendorStatus,
)

_ACCOUNT_COLUMNS = """
    a.id, a.email, a.name, a.role, a.state, a.email_verified, a.created_at,
    v.status AS vendor_status, v.legal_name, v.registration_number, v.country, v.address,
    v.website, v.payment_methods, v.rejection_reason
"""
_FROM = "FROM accounts a LEFT JOIN vendor_profiles v ON v.account_id = a.id"


def _account(row: sqlalchemy.Row) -> Account:
    vendor = None
    if row.vendor_status is not None:
        vendor = VendorProfile(
            status=VendorStatus(row.vendor_status),
            business=Business(
                row.legal_name, row.registration_number, row.country, row.address, row.website
            ),
            payment_methods=tuple(row.payment_methods),
            rejection_reason=row.rejection_reason,
        )
    return Account(
        id=str(row.id),
        email=row.email,
        name=row.name,
        role=Role(row.role),
        state=AccountState(row.state),
        email_verified=row.email_verified,
        created_at=row.created_at,
        vendor=vendor,
    )


class PostgresAccounts:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db = connection
        self._locks = locks

    def add_registering(self, account: Account) -> bool:
        """Insert a new account in state `registering`; False when the email is taken."""
        inserted = self._db.execute(
            text(
                "INSERT INTO accounts (id, email, name, role, state) "
                "VALUES (:id, :email, :name, :role, 'registering') "
                "ON CONFLICT (email) DO NOTHING RETURNING id"
            ),
            {"id": account.id, "email": account.email, "name": account.name,
             "role": account.role.value},
        ).first()
        if inserted and account.vendor is not None:
            self._add_vendor_profile(account.id, account.vendor)
        return inserted is not None

    def _add_vendor_profile(self, account_id: str, vendor: VendorProfile) -> None:
        b = vendor.business
        self._db.execute(
            text(
                "INSERT INTO vendor_profiles (account_id, legal_name, registration_number, "
                "country, address, website, status, payment_methods) VALUES (:id, :legal_name, "
                ":registration_number, :country, :address, :website, :status, :methods)"
            ),
            {"id": account_id, "legal_name": b.legal_name,
             "registration_number": b.registration_number, "country": b.country,
             "address": b.address, "website": b.website, "status": vendor.status.value,
             "methods": list(vendor.payment_methods)},
        )

    def activate(self, account_id: str) -> bool:
        """Finish a registration; False if it is no longer `registering` (reconciled away)."""
        result = self._db.execute(
            text("UPDATE accounts SET state = 'active', updated_at = now() "
                 "WHERE id = :id AND state = 'registering'"),
            {"id": account_id},
        )
        return result.rowcount == 1

    def delete_registering(self, account_id: str) -> None:
        self._db.execute(
            text("DELETE FROM accounts WHERE id = :id AND state = 'registering'"),
            {"id": account_id},
        )

    def stale_registrations(self, older_than_s: int, limit: int = 100) -> list[str]:
        rows = self._db.execute(
            text("SELECT id FROM accounts WHERE state = 'registering' "
                 "AND created_at < now() - make_interval(secs => :age) "
                 "ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED"),
            {"age": older_than_s, "limit": limit},
        )
        return [str(row.id) for row in rows]

    def get(self, account_id: str, *, for_update: bool = False) -> Account | None:
        lock = self._locks.clause("accounts", [account_id], alias="a") if for_update else ""
        row = self._db.execute(
            text(f"SELECT {_ACCOUNT_COLUMNS} {_FROM} WHERE a.id = :id{lock}"),
            {"id": account_id},
        ).first()
        return _account(row) if row else None

    def email(self, account_id: str) -> str | None:
        """Only the account's email address (for a provider that must write to its owner)."""
        return self._db.execute(text("SELECT email FROM accounts WHERE id = :id"),
                                {"id": account_id}).scalar()

    def by_email(self, email: str) -> Account | None:
        row = self._db.execute(
            text(f"SELECT {_ACCOUNT_COLUMNS} {_FROM} WHERE a.email = :email"), {"email": email}
        ).first()
        return _account(row) if row else None

    def principal(self, account_id: str) -> Principal | None:
        row = self._db.execute(
            text("SELECT a.role, a.state, a.email_verified, v.status AS vendor_status "
                 f"{_FROM} WHERE a.id = :id"),
            {"id": account_id},
        ).first()
        if row is None:
            return None
        vendor_status = VendorStatus(row.vendor_status) if row.vendor_status else None
        return Principal(account_id, Role(row.role), AccountState(row.state),
                         row.email_verified, vendor_status)

    def mark_email_verified(self, account_id: str) -> bool:
        """True when this call changed it (False: it was verified already)."""
        result = self._db.execute(
            text("UPDATE accounts SET email_verified = true, updated_at = now() "
                 "WHERE id = :id AND NOT email_verified"),
            {"id": account_id},
        )
        return result.rowcount == 1

    def set_state(self, account_id: str, state: AccountState, reason: str | None) -> None:
        self._db.execute(
            text("UPDATE accounts SET state = :state, blocked_reason = :reason, "
                 "updated_at = now() WHERE id = :id"),
            {"id": account_id, "state": state.value, "reason": reason},
        )

    def review_vendor(self, vendor_id: str, status: VendorStatus, *, admin_id: str,
                      checklist: dict | None, note: str | None, reason: str | None) -> datetime:
        row = self._db.execute(
            text("UPDATE vendor_profiles SET status = :status, checklist = CAST(:checklist AS "
                 "jsonb), review_note = :note, rejection_reason = :reason, reviewed_by = :admin, "
                 "reviewed_at = now() WHERE account_id = :id RETURNING reviewed_at"),
            {"id": vendor_id, "status": status.value, "admin": admin_id, "note": note,
             "checklist": json.dumps(checklist) if checklist is not None else None,
             "reason": reason},
        ).one()
        return row.reviewed_at

    def update_vendor_profile(self, vendor_id: str, changes: dict) -> None:
        allowed = {"payment_methods", "website"}
        assignments = ", ".join(f"{column} = :{column}" for column in changes if column in allowed)
        if assignments:
            self._db.execute(
                text(f"UPDATE vendor_profiles SET {assignments} WHERE account_id = :id"),
                {**changes, "id": vendor_id},
            )

    def record_admin_action(self, admin_id: str, action: str, target_id: str,
                            reason: str | None) -> None:
        self._db.execute(
            text("INSERT INTO admin_actions (admin_id, action, target_id, reason) "
                 "VALUES (:admin, :action, :target, :reason)"),
            {"admin": admin_id, "action": action, "target": target_id, "reason": reason},
        )

    def vendors_page(self, status: VendorStatus, after: tuple[datetime, str] | None,
                     limit: int) -> list[Account]:
        """Vendors in `status`, oldest registration first, keyset-paginated."""
        cursor = "AND (a.created_at, a.id) > (:after_at, :after_id)" if after else ""
        rows = self._db.execute(
            text(f"SELECT {_ACCOUNT_COLUMNS} {_FROM} WHERE v.status = :status "
                 f"AND a.state <> 'registering' {cursor} ORDER BY a.created_at, a.id LIMIT :limit"),
            {"status": status.value, "limit": limit,
             "after_at": after[0] if after else None, "after_id": after[1] if after else None},
        )
        return [_account(row) for row in rows]
