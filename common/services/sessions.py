"""Login (with its alternative flows), token refresh, and who is calling."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from common.domain.errors import (
    AccountBlocked,
    EmailNotRegistered,
    Forbidden,
    ServiceUnavailable,
    TooManyAttempts,
    Unauthenticated,
    WrongPassword,
)
from common.domain.identity import Account, AccountState, Principal, Role, Tokens
from common.logs import log
from common.ports.identity import Identity, RateLimiter
from common.ports.unit_of_work import UnitOfWorkFactory
from common.settings import Settings

logger = logging.getLogger(__name__)
BLOCKED = "This account is blocked. Contact support if you think this is wrong."


@dataclass(frozen=True)
class LoggedIn:
    account: Account
    tokens: Tokens


def _limits(email: str, client_address: str, settings: Settings) -> list[tuple[str, int]]:
    return [
        (f"login:email:{email}", settings.login_attempts_per_email),
        (f"login:address:{client_address}", settings.login_attempts_per_address),
    ]


def log_in(email: str, password: str, client_address: str, *, uow: UnitOfWorkFactory,
           identity: Identity, limiter: RateLimiter, settings: Settings) -> LoggedIn:
    """Sign in; failed attempts count against the email and the client address.

    A slot of each is reserved before Firebase sees the password, so parallel guesses
    cannot outrun the limit; an attempt that is not a failed guess gives its slots back.
    """
    limits = _limits(email, client_address, settings)
    retry_after = limiter.reserve(limits)
    if retry_after is not None:
        raise TooManyAttempts("Too many failed attempts: wait before trying again.", retry_after)
    try:
        logged_in = _sign_in(email, password, uow=uow, identity=identity)
    except (EmailNotRegistered, WrongPassword):
        raise  # a failed attempt: its slots stay taken
    except Exception:
        _give_back(limiter, limits)
        raise
    _give_back(limiter, limits)
    return logged_in


def _sign_in(email: str, password: str, *, uow: UnitOfWorkFactory,
             identity: Identity) -> LoggedIn:
    with uow() as tx:
        account = tx.accounts.by_email(email)
    if account is None or account.state is AccountState.REGISTERING:
        raise EmailNotRegistered("No account uses this email: register first.")
    if account.state is AccountState.BLOCKED:
        raise AccountBlocked(BLOCKED)
    return LoggedIn(account, identity.sign_in(email, password))


def _give_back(limiter: RateLimiter, limits: list[tuple[str, int]]) -> None:
    """Best effort: a slot not given back only counts as one failed attempt."""
    try:
        limiter.release([bucket for bucket, _ in limits])
    except ServiceUnavailable:
        log(logger, logging.WARNING, "login slot not given back", dependency="database")


def refresh(refresh_token: str, *, uow: UnitOfWorkFactory, identity: Identity) -> Tokens:
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
