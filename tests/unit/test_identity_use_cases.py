"""Email verification, password reset requests and the caller's own profile."""

from __future__ import annotations

import pytest

from common.domain.errors import InvalidVerificationLink, NotFound, TooManyAttempts
from common.domain.events import EmailVerified, PasswordResetRequested, VendorProfileUpdated
from common.domain.identity import AccountState, Role
from common.services.email_verification import confirm_email, verification_link
from common.services.password_reset import request_password_reset
from common.services.profiles import get_profile, update_vendor_profile
from tests.unit.fakes import FakeDatabase, FakeIdentity, FakeRateLimiter
from tests.unit.given import SETTINGS, given_account

ADDRESS = "198.51.100.4"


def test_the_verification_link_carries_a_code_that_verifies_that_email():
    identity = FakeIdentity()

    link = verification_link("ada@example.com", "https://bazaar.example", identity)

    prefix = "https://bazaar.example/v1/email-verification?oob_code="
    assert link.startswith(prefix)
    assert identity.oob_codes == {link.removeprefix(prefix): "ada@example.com"}


def test_confirming_marks_the_account_verified_once():
    db, identity = FakeDatabase(), FakeIdentity()
    account = given_account(db, email_verified=False)
    first = identity.email_verification_code(account.email)
    second = identity.email_verification_code(account.email)

    assert confirm_email(first, uow=db.unit_of_work, identity=identity) == account.id
    assert confirm_email(second, uow=db.unit_of_work, identity=identity) == account.id

    assert db.tables.accounts[account.id].email_verified
    assert db.events() == [(EmailVerified, {"account_id": account.id})]


def test_a_code_for_an_email_of_no_account_is_an_invalid_link():
    db, identity = FakeDatabase(), FakeIdentity()
    code = identity.email_verification_code("gone@example.com")

    with pytest.raises(InvalidVerificationLink, match="no account"):
        confirm_email(code, uow=db.unit_of_work, identity=identity)
    assert db.committed_events == []


def test_a_code_firebase_refuses_never_reaches_the_database():
    db, identity = FakeDatabase(), FakeIdentity()

    with pytest.raises(InvalidVerificationLink):
        confirm_email("oob-forged", uow=db.unit_of_work, identity=identity)
    assert db.transactions == 0


def reset(db, limiter, email, address=ADDRESS):  # noqa: ANN001, ANN201
    return request_password_reset(email, address, uow=db.unit_of_work, limiter=limiter,
                                  settings=SETTINGS)


def test_a_reset_for_an_active_account_records_the_request():
    db, limiter = FakeDatabase(), FakeRateLimiter()
    account = given_account(db)

    reset(db, limiter, account.email)

    assert db.events() == [(PasswordResetRequested, {"account_id": account.id})]


@pytest.mark.parametrize("state", [None, AccountState.BLOCKED, AccountState.REGISTERING],
                         ids=["no-account", "blocked", "registering"])
def test_a_reset_for_no_active_account_is_accepted_alike_and_records_nothing(state):
    db, limiter = FakeDatabase(), FakeRateLimiter()
    email = given_account(db, state=state).email if state else "nobody@example.com"

    assert reset(db, limiter, email) is None

    assert db.committed_events == []


def test_past_the_per_email_limit_the_request_is_accepted_but_nothing_is_mailed():
    db, limiter = FakeDatabase(), FakeRateLimiter()
    account = given_account(db)

    for _ in range(SETTINGS.password_resets_per_email + 1):
        reset(db, limiter, account.email)

    assert len(db.committed_events) == SETTINGS.password_resets_per_email


def test_past_the_per_address_limit_the_request_is_refused():
    db, limiter = FakeDatabase(), FakeRateLimiter(retry_after=30)
    accounts = [given_account(db) for _ in range(SETTINGS.password_resets_per_address + 1)]
    for account in accounts[:-1]:
        reset(db, limiter, account.email)

    with pytest.raises(TooManyAttempts) as refused:
        reset(db, limiter, accounts[-1].email)

    assert refused.value.retry_after_s == 30
    assert len(db.committed_events) == SETTINGS.password_resets_per_address
    assert limiter.hits.get(f"reset:email:{accounts[-1].email}") is None


def test_a_profile_is_the_account_as_stored():
    db = FakeDatabase()
    account = given_account(db, Role.VENDOR)

    assert get_profile(account.id, uow=db.unit_of_work) == account
    with pytest.raises(NotFound):
        get_profile("no-such-account", uow=db.unit_of_work)


def test_a_vendor_updates_payment_methods_and_website():
    db = FakeDatabase()
    vendor = given_account(db, Role.VENDOR)

    updated = update_vendor_profile(
        vendor.id, {"website": "https://lumen.example", "payment_methods": ["paypal", "card"]},
        uow=db.unit_of_work)

    assert updated.vendor is not None and updated == db.tables.accounts[vendor.id]
    assert (updated.vendor.business.website, updated.vendor.payment_methods) == (
        "https://lumen.example", ("paypal", "card"))
    assert db.events() == [(VendorProfileUpdated, {"vendor_id": vendor.id,
                                                   "fields": ["payment_methods", "website"]})]
