"""Login with its throttle, token refresh, and who is calling."""

from __future__ import annotations

import dataclasses

import pytest

from common.domain.errors import (
    AccountBlocked,
    EmailNotRegistered,
    Forbidden,
    InvalidRefreshToken,
    ServiceUnavailable,
    TooManyAttempts,
    Unauthenticated,
    WrongPassword,
)
from common.domain.identity import AccountState, Principal, Role, TokenClaims, VendorStatus
from common.services.sessions import authenticate, log_in, refresh
from tests.unit.fakes import FakeDatabase, FakeIdentity, FakeRateLimiter, FakeUser
from tests.unit.given import SETTINGS, given_account, new_id

PASSWORD = "correct-horse-9"
ADDRESS = "203.0.113.7"


def signed_up(db: FakeDatabase, identity: FakeIdentity, role: Role = Role.CUSTOMER,
              state: AccountState = AccountState.ACTIVE):  # noqa: ANN201
    account = given_account(db, role, state=state)
    identity.users[account.id] = FakeUser(account.email, PASSWORD, account.name, role.value)
    return account


def buckets(email: str) -> tuple[str, str]:
    return f"login:email:{email}", f"login:address:{ADDRESS}"


def attempt(db, identity, limiter, email, password=PASSWORD):  # noqa: ANN001, ANN201
    return log_in(email, password, ADDRESS, uow=db.unit_of_work, identity=identity,
                  limiter=limiter, settings=SETTINGS)


def test_a_login_answers_the_account_and_its_tokens_and_gives_its_slots_back():
    db, identity, limiter = FakeDatabase(), FakeIdentity(), FakeRateLimiter()
    account = signed_up(db, identity)

    logged_in = attempt(db, identity, limiter, account.email)

    assert logged_in.account == account
    assert logged_in.tokens.account_id == account.id
    assert limiter.hits == dict.fromkeys(buckets(account.email), 0)


@pytest.mark.parametrize("state,password,error", [
    (AccountState.ACTIVE, "wrong-password-1", WrongPassword),
    (None, PASSWORD, EmailNotRegistered),
    (AccountState.REGISTERING, PASSWORD, EmailNotRegistered),
], ids=["wrong-password", "no-account", "registration-unfinished"])
def test_a_failed_guess_keeps_its_slots(state, password, error):
    db, identity, limiter = FakeDatabase(), FakeIdentity(), FakeRateLimiter()
    email = signed_up(db, identity, state=state).email if state else "nobody@example.com"

    with pytest.raises(error):
        attempt(db, identity, limiter, email, password)

    assert limiter.hits == dict.fromkeys(buckets(email), 1)


@pytest.mark.parametrize("state,failure,error", [
    (AccountState.BLOCKED, None, AccountBlocked),
    (AccountState.ACTIVE, ServiceUnavailable("auth"), ServiceUnavailable),
    (AccountState.ACTIVE, TooManyAttempts("Firebase throttles", 300), TooManyAttempts),
], ids=["blocked-account", "firebase-down", "firebase-throttles"])
def test_an_attempt_that_is_no_failed_guess_gives_its_slots_back(state, failure, error):
    db, identity, limiter = FakeDatabase(), FakeIdentity(), FakeRateLimiter()
    account = signed_up(db, identity, state=state)
    if failure:
        identity.fail("sign_in", failure)

    with pytest.raises(error):
        attempt(db, identity, limiter, account.email)

    assert limiter.hits == dict.fromkeys(buckets(account.email), 0)
    assert identity.calls == ([] if failure is None else ["sign_in"])


@pytest.mark.parametrize("full_bucket,limit", [
    ("email", SETTINGS.login_attempts_per_email),
    ("address", SETTINGS.login_attempts_per_address),
], ids=["per-email", "per-address"])
def test_past_the_limit_firebase_never_sees_the_password(full_bucket, limit):
    db, identity, limiter = FakeDatabase(), FakeIdentity(), FakeRateLimiter(retry_after=17)
    account = signed_up(db, identity)
    email_bucket, address_bucket = buckets(account.email)
    limiter.hits[email_bucket if full_bucket == "email" else address_bucket] = limit

    with pytest.raises(TooManyAttempts) as refused:
        attempt(db, identity, limiter, account.email)

    assert refused.value.retry_after_s == 17
    assert identity.calls == []


def test_a_login_succeeds_when_its_slots_cannot_be_given_back():
    db, identity, limiter = FakeDatabase(), FakeIdentity(), FakeRateLimiter()
    account = signed_up(db, identity)
    limiter.fail("release", ServiceUnavailable("database"))

    logged_in = attempt(db, identity, limiter, account.email)

    assert logged_in.account.id == account.id
    assert limiter.hits == dict.fromkeys(buckets(account.email), 1)


def test_a_refresh_answers_new_tokens_for_an_active_account():
    db, identity = FakeDatabase(), FakeIdentity()
    account = signed_up(db, identity)
    first = identity.sign_in(account.email, PASSWORD)

    tokens = refresh(first.refresh_token, uow=db.unit_of_work, identity=identity)

    assert tokens.account_id == account.id and tokens.id_token != first.id_token


@pytest.mark.parametrize("change,error", [
    ("block", AccountBlocked), ("delete", Unauthenticated),
], ids=["blocked-since", "account-gone"])
def test_a_refresh_is_refused_when_the_account_changed_since_the_login(change, error):
    db, identity = FakeDatabase(), FakeIdentity()
    account = signed_up(db, identity)
    first = identity.sign_in(account.email, PASSWORD)
    if change == "block":
        db.tables.accounts[account.id] = dataclasses.replace(account, state=AccountState.BLOCKED)
    else:
        del db.tables.accounts[account.id]

    with pytest.raises(error):
        refresh(first.refresh_token, uow=db.unit_of_work, identity=identity)


def test_an_unknown_refresh_token_is_refused_by_firebase():
    db, identity = FakeDatabase(), FakeIdentity()

    with pytest.raises(InvalidRefreshToken):
        refresh("refresh-token-forged", uow=db.unit_of_work, identity=identity)
    assert db.transactions == 0


@pytest.mark.parametrize("state", [AccountState.ACTIVE, AccountState.BLOCKED],
                         ids=["active", "blocked"])
def test_authenticate_answers_the_callers_current_state_from_the_database(state):
    db, identity = FakeDatabase(), FakeIdentity()
    account = given_account(db, Role.VENDOR, state=state,
                            vendor_status=VendorStatus.PENDING_VERIFICATION)
    identity.id_tokens["t"] = TokenClaims(account.id, "vendor")

    principal = authenticate("t", uow=db.unit_of_work, identity=identity)

    assert principal == Principal(account.id, Role.VENDOR, state, True,
                                  VendorStatus.PENDING_VERIFICATION)


@pytest.mark.parametrize("state", [None, AccountState.REGISTERING], ids=["gone", "registering"])
def test_authenticate_refuses_a_token_of_no_account(state):
    db, identity = FakeDatabase(), FakeIdentity()
    account_id = given_account(db, state=state).id if state else new_id()
    identity.id_tokens["t"] = TokenClaims(account_id, "customer")

    with pytest.raises(Unauthenticated):
        authenticate("t", uow=db.unit_of_work, identity=identity)


@pytest.mark.parametrize("claim", [None, "superuser", "admin"],
                         ids=["no-role-claim", "unknown-role", "other-role-than-the-account"])
def test_authenticate_refuses_a_token_whose_role_is_not_the_accounts(claim):
    db, identity = FakeDatabase(), FakeIdentity()
    account = given_account(db, Role.CUSTOMER)
    identity.id_tokens["t"] = TokenClaims(account.id, claim)

    with pytest.raises(Forbidden, match="no valid role"):
        authenticate("t", uow=db.unit_of_work, identity=identity)


def test_authenticate_refuses_a_token_firebase_does_not_accept():
    db, identity = FakeDatabase(), FakeIdentity()

    with pytest.raises(Unauthenticated):
        authenticate("forged", uow=db.unit_of_work, identity=identity)
    assert db.transactions == 0
