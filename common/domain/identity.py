"""Identity rules: roles, account states, password policy, vendor verification."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from common.domain.errors import (
    AccountBlocked,
    ChecklistIncomplete,
    EmailNotVerified,
    Forbidden,
    InvalidState,
)


class Role(str, enum.Enum):
    CUSTOMER = "customer"
    VENDOR = "vendor"
    ADMIN = "admin"


class AccountState(str, enum.Enum):
    REGISTERING = "registering"  # database row written, Firebase user not yet confirmed
    ACTIVE = "active"
    BLOCKED = "blocked"


class VendorStatus(str, enum.Enum):
    PENDING_VERIFICATION = "pending_verification"
    VERIFIED = "verified"
    REJECTED = "rejected"


# How a customer may pay a vendor; each vendor accepts some of them.
PaymentMethod = Literal["card", "paypal", "bank_transfer"]
PAYMENT_METHODS: tuple[PaymentMethod, ...] = ("card", "paypal", "bank_transfer")
DEFAULT_PAYMENT_METHODS: tuple[PaymentMethod, ...] = ("card",)
VERIFICATION_CHECKLIST = ("business_registration", "identity", "address", "bank_account")

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
PASSWORD_POLICY = (
    f"{PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters with at least one letter and "
    "one digit or symbol, and not containing the email's local part"
)


def password_problems(password: str, email: str) -> list[str]:
    """What is wrong with a password under PASSWORD_POLICY (empty when it is acceptable)."""
    problems = []
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        problems.append(f"must be {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters")
    if not any(ch.isalpha() for ch in password):
        problems.append("must contain a letter")
    if not any(not ch.isalpha() for ch in password):
        problems.append("must contain a digit or a symbol")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append("must not contain your email address")
    return problems


@dataclass(frozen=True)
class Principal:
    """Who is calling: taken from a verified token and the account's current row."""

    account_id: str
    role: Role
    state: AccountState
    email_verified: bool
    vendor_status: VendorStatus | None = None


def authorize(principal: Principal, roles: frozenset[Role], *, verified_email: bool) -> None:
    """Refuse a blocked account, a role outside `roles`, or an unverified email when required."""
    if principal.state is AccountState.BLOCKED:
        raise AccountBlocked("This account is blocked. Contact support if you think this is wrong.")
    if principal.state is not AccountState.ACTIVE:
        raise Forbidden("This account is not active.")
    if principal.role not in roles:
        raise Forbidden("Your role may not call this endpoint.")
    if verified_email and not principal.email_verified:
        raise EmailNotVerified("Verify your email address first: follow the link we sent you.")


def check_checklist(checklist: dict[str, bool]) -> None:
    """Every item of the predefined verification checklist must be ticked."""
    missing = [item for item in VERIFICATION_CHECKLIST if checklist.get(item) is not True]
    if missing:
        raise ChecklistIncomplete(
            "Every checklist item must be confirmed before verifying a vendor.",
            missing=missing,
        )


def check_vendor_reviewable(status: VendorStatus) -> None:
    """Only a vendor awaiting verification can be verified or rejected."""
    if status is not VendorStatus.PENDING_VERIFICATION:
        raise InvalidState(f"The vendor is {status.value}, not pending verification.")


def check_blockable(target_role: Role, actor_id: str, target_id: str) -> None:
    """Admins block customers and vendors, never themselves or other admins."""
    if actor_id == target_id:
        raise InvalidState("An admin cannot block their own account.")
    if target_role is Role.ADMIN:
        raise InvalidState("Admin accounts are managed in the Firebase console, not blocked here.")


@dataclass(frozen=True)
class Business:
    legal_name: str
    registration_number: str
    country: str
    address: str
    website: str | None = None


@dataclass(frozen=True)
class VendorProfile:
    status: VendorStatus
    business: Business
    payment_methods: tuple[PaymentMethod, ...]
    rejection_reason: str | None = None


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    name: str
    role: Role
    state: AccountState
    email_verified: bool
    created_at: datetime | None  # None until the row exists
    vendor: VendorProfile | None = None


@dataclass(frozen=True)
class Tokens:
    """A signed-in session: a short-lived ID token and the refresh token that renews it."""

    account_id: str
    id_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class TokenClaims:
    """What a verified ID token says: whose it is, and the role claim it carries."""

    account_id: str
    role: str | None
