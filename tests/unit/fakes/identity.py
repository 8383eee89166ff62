"""Fakes of the identity ports: accounts in the fake database, Firebase users, throttles."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from common.domain.errors import (
    AccountBlocked,
    EmailNotRegistered,
    EmailTaken,
    InvalidRefreshToken,
    InvalidVerificationLink,
    Unauthenticated,
    WrongPassword,
)
from common.domain.identity import (
    Account,
    AccountState,
    Principal,
    TokenClaims,
    Tokens,
    VendorStatus,
)
from tests.unit.fakes.base import AdminAction, Breakable, FakeClock, Tables, VendorReview


class FakeAccounts:
    """PostgresAccounts over the tables of one fake transaction."""

    def __init__(self, tables: Tables, clock: FakeClock) -> None:
        self._t = tables
        self._clock = clock

    def add_registering(self, account: Account) -> bool:
        if self.by_email(account.email) is not None:
            return False
        self._t.accounts[account.id] = dataclasses.replace(
            account, state=AccountState.REGISTERING, email_verified=False,
            created_at=self._clock.now)
        return True

    def activate(self, account_id: str) -> bool:
        account = self._t.accounts.get(account_id)
        if account is None or account.state is not AccountState.REGISTERING:
            return False
        self._t.accounts[account_id] = dataclasses.replace(account, state=AccountState.ACTIVE)
        return True

    def delete_registering(self, account_id: str) -> None:
        account = self._t.accounts.get(account_id)
        if account is not None and account.state is AccountState.REGISTERING:
            del self._t.accounts[account_id]

    def stale_registrations(self, older_than_s: int, limit: int = 100) -> list[str]:
        before = self._clock.now - timedelta(seconds=older_than_s)
        stale = [a for a in self._t.accounts.values() if a.state is AccountState.REGISTERING
                 and a.created_at is not None and a.created_at < before]
        return [a.id for a in sorted(stale, key=lambda a: a.created_at or before)][:limit]

    def get(self, account_id: str, *, for_update: bool = False) -> Account | None:
        return self._t.accounts.get(account_id)

    def by_email(self, email: str) -> Account | None:
        return next((a for a in self._t.accounts.values() if a.email == email), None)

    def principal(self, account_id: str) -> Principal | None:
        a = self._t.accounts.get(account_id)
        if a is None:
            return None
        return Principal(a.id, a.role, a.state, a.email_verified,
                         a.vendor.status if a.vendor else None)

    def mark_email_verified(self, account_id: str) -> bool:
        account = self._t.accounts.get(account_id)
        if account is None or account.email_verified:
            return False
        self._t.accounts[account_id] = dataclasses.replace(account, email_verified=True)
        return True

    def set_state(self, account_id: str, state: AccountState, reason: str | None) -> None:
        if account_id in self._t.accounts:
            self._t.accounts[account_id] = dataclasses.replace(
                self._t.accounts[account_id], state=state)
            self._t.blocked_reasons[account_id] = reason

    def review_vendor(self, vendor_id: str, status: VendorStatus, *, admin_id: str,
                      checklist: dict | None, note: str | None,
                      reason: str | None) -> datetime:
        account = self._t.accounts[vendor_id]
        assert account.vendor is not None, "UPDATE ... RETURNING found no vendor profile"
        vendor = dataclasses.replace(account.vendor, status=status, rejection_reason=reason)
        self._t.accounts[vendor_id] = dataclasses.replace(account, vendor=vendor)
        self._t.vendor_reviews[vendor_id] = VendorReview(admin_id, checklist, note, reason,
                                                         self._clock.now)
        return self._clock.now

    def update_vendor_profile(self, vendor_id: str, changes: dict) -> None:
        account = self._t.accounts.get(vendor_id)
        if account is None or account.vendor is None:
            return  # the UPDATE matches no vendor_profiles row
        vendor = account.vendor
        if "payment_methods" in changes:
            vendor = dataclasses.replace(vendor, payment_methods=tuple(changes["payment_methods"]))
        if "website" in changes:
            business = dataclasses.replace(vendor.business, website=changes["website"])
            vendor = dataclasses.replace(vendor, business=business)
        self._t.accounts[vendor_id] = dataclasses.replace(account, vendor=vendor)

    def record_admin_action(self, admin_id: str, action: str, target_id: str,
                            reason: str | None) -> None:
        self._t.admin_actions.append(AdminAction(admin_id, action, target_id, reason))

    def vendors_page(self, status: VendorStatus, after: tuple[datetime, str] | None,
                     limit: int) -> list[Account]:
        def key(a: Account) -> tuple[datetime, str]:
            return (a.created_at or self._clock.now, a.id)

        vendors = sorted((a for a in self._t.accounts.values()
                          if a.vendor is not None and a.vendor.status is status
                          and a.state is not AccountState.REGISTERING), key=key)
        return [a for a in vendors if after is None or key(a) > after][:limit]


@dataclass
class FakeUser:
    email: str
    password: str
    name: str
    role: str | None
    email_verified: bool = False
    disabled: bool = False


class FakeIdentity(Breakable):
    """Firebase Authentication: users by id, the tokens it issued, its one-time codes."""

    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, FakeUser] = {}
        self.id_tokens: dict[str, TokenClaims] = {}
        self.refresh_tokens: dict[str, str] = {}  # token -> account id
        self.oob_codes: dict[str, str] = {}  # code -> email
        self._serial = itertools.count(1)

    def create_user(self, account_id: str, email: str, password: str, name: str, role: str,
                    *, email_verified: bool = False) -> None:
        self._before("create_user")
        if any(u.email == email for uid, u in self.users.items() if uid != account_id):
            raise EmailTaken("This email is already registered: log in or reset your password.")
        self.users[account_id] = FakeUser(email, password, name, role, email_verified)
        self._after("create_user")

    def delete_user(self, account_id: str) -> None:
        self._before("delete_user")
        self.users.pop(account_id, None)
        self.refresh_tokens = {t: a for t, a in self.refresh_tokens.items() if a != account_id}

    def user_exists(self, account_id: str) -> bool:
        self._before("user_exists")
        return account_id in self.users

    def set_disabled(self, account_id: str, disabled: bool) -> None:
        self._before("set_disabled")
        self.users[account_id].disabled = disabled
        if disabled:  # revoked with it
            self.refresh_tokens = {t: a for t, a in self.refresh_tokens.items() if a != account_id}

    def set_email_verified(self, account_id: str) -> None:
        self._before("set_email_verified")
        self.users[account_id].email_verified = True

    def verify_id_token(self, id_token: str) -> TokenClaims:
        self._before("verify_id_token")
        if id_token not in self.id_tokens:
            raise Unauthenticated("The token is invalid or expired: log in again.")
        return self.id_tokens[id_token]

    def sign_in(self, email: str, password: str) -> Tokens:
        self._before("sign_in")
        found = [(uid, u) for uid, u in self.users.items() if u.email == email]
        if not found:
            raise EmailNotRegistered("No account uses this email: register first.")
        account_id, user = found[0]
        if user.password != password:
            raise WrongPassword("The password is not correct: try again or reset it.")
        if user.disabled:
            raise AccountBlocked("This account is blocked.")
        return self._tokens(account_id)

    def refresh(self, refresh_token: str) -> Tokens:
        self._before("refresh")
        account_id = self.refresh_tokens.get(refresh_token)
        if account_id is None:
            raise InvalidRefreshToken("The refresh token is invalid or expired: log in again.")
        return self._tokens(account_id)

    def _tokens(self, account_id: str) -> Tokens:
        n = next(self._serial)
        tokens = Tokens(account_id, f"id-token-{n}", f"refresh-token-{n}", 3600)
        self.id_tokens[tokens.id_token] = TokenClaims(account_id, self.users[account_id].role)
        self.refresh_tokens[tokens.refresh_token] = account_id
        return tokens

    def email_verification_code(self, email: str) -> str:
        self._before("email_verification_code")
        code = f"oob-{next(self._serial)}"
        self.oob_codes[code] = email
        return code

    def apply_email_verification(self, oob_code: str) -> str:
        self._before("apply_email_verification")
        email = self.oob_codes.pop(oob_code, None)
        if email is None:
            raise InvalidVerificationLink("This link is invalid or has expired.")
        for user in self.users.values():
            user.email_verified = user.email_verified or user.email == email
        return email.lower()

    def password_reset_link(self, email: str) -> str:
        self._before("password_reset_link")
        return f"https://auth.example/reset?code=reset-{next(self._serial)}"


class FakeRateLimiter(Breakable):
    """Fixed-window counters in memory: `hits` by bucket; a full bucket answers `retry_after`."""

    def __init__(self, retry_after: int = 42) -> None:
        super().__init__()
        self.hits: dict[str, int] = {}
        self.retry_after = retry_after

    def reserve(self, limits: Sequence[tuple[str, int]]) -> int | None:
        self._before("reserve")
        if any(self.hits.get(bucket, 0) + 1 > limit for bucket, limit in limits):
            return self.retry_after  # all or none: nothing counted
        for bucket, _ in limits:
            self.hits[bucket] = self.hits.get(bucket, 0) + 1
        return None

    def release(self, buckets: Sequence[str]) -> None:
        self._before("release")
        for bucket in set(buckets):
            if self.hits.get(bucket, 0) > 0:
                self.hits[bucket] -= 1
