"""Login (with its alternative flows), token refresh, and who is calling."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from common.domain.errors import (
    AccountBlocked,
    EmailNotRegistered,
    Forbidden,
    TooManyAttempts,
    Unauthenticated,
    WrongPassword,
)
from common.domain.identity import Account, AccountState, Principal, Role
from common.services.ports import Identity, RateLimiter, UnitOfWorkFactory
from common.settings import Settings

BLOCKED = "This account is blocked. Contact support if you think this is wrong."


@dataclass(frozen=True)
class LoggedIn:
    account: Account
    tokens: object  # adapters.firebase_identity.Tokens


def _buckets(email: str, client_address: str, settings: Settings) -> list[tuple[str, int]]:
    email_key = hashlib.sha256(email.encode()).hexdigest()[:32]  # no raw emails in the table
    return [
        (f"login:email:{email_key}", settings.login_attempts_per_email),
        (f"login:address:{client_address}", settings.login_attempts_per_address),
    ]


def log_in(email: str, password: str, client_address: str, *, uow: UnitOfWorkFactory,
           identity: Identity, limiter: RateLimiter, settings: Settings) -> LoggedIn:
    """Sign in; failed attempts count against the email and the client address."""
    limits = _buckets(email, client_address, settings)
    retry_after = limiter.retry_after(limits)
    if retry_after is not None:
        raise TooManyAttempts("Too many failed attempts: wait before trying again.", retry_after)
    with uow() as tx:
        account = tx.accounts.by_email(email)
    if account is None or account.state is AccountState.REGISTERING:
        limiter.hit([bucket for bucket, _ in limits])
        raise EmailNotRegistered("No account uses this email: register first.")
    if account.state is AccountState.BLOCKED:
        raise AccountBlocked(BLOCKED)
    try:
        tokens = identity.sign_in(email, password)
    except WrongPassword:
        limiter.hit([bucket for bucket, _ in limits])
        raise
    return LoggedIn(account, tokens)


def refresh(refresh_token: str, *, uow: UnitOfWorkFactory, identity: Identity):  # noqa: ANN201
    """A new ID token, unless the account has been blocked since."""
    tokens = identity.refresh(refresh_token)
    with uow() as tx:
        principal = tx.accounts.principal(tokens.account_id)
    if principal is None:
        raise Unauthenticated("The account no longer exists.")
    if principal.state is AccountState.BLOCKED:
        raise AccountBlocked(BLOCKED)
    return tokens


def authenticate(id_token: str, *, uow: UnitOfWorkFactory, identity: Identity) -> Principal:
    """The caller behind a bearer token, with the account's current state from the database.

    Checking the database on every call is what makes a block effective at once, even
    for ID tokens issued before it (they stay cryptographically valid for up to an hour).
    """
    claims = identity.verify_id_token(id_token)
    with uow() as tx:
        principal = tx.accounts.principal(claims.account_id)
    if principal is None or principal.state is AccountState.REGISTERING:
        raise Unauthenticated("No account belongs to this token.")
    if claims.role not in {role.value for role in Role} or claims.role != principal.role.value:
        raise Forbidden("The token carries no valid role: log in again.")
    return principal
