"""Registration: an account in both Firebase and the database, or in neither."""

from __future__ import annotations

import dataclasses

import pytest

from common.domain.errors import EmailTaken, ServiceUnavailable
from common.domain.events import UserRegistered, VendorRegistered
from common.domain.identity import AccountState, Role, VendorStatus
from common.services.registration import (
    STALE_AFTER_S,
    NewAccount,
    reconcile_stale_registrations,
    register,
)
from tests.unit.fakes import FakeDatabase, FakeIdentity, FakeUser
from tests.unit.given import BUSINESS, given_account, new_id

PASSWORD = "correct-horse-9"


def newcomer(role: Role = Role.CUSTOMER) -> NewAccount:
    email = f"new-{new_id()[:8]}@example.com"
    return NewAccount("Grace Hopper", email, PASSWORD, role,
                      BUSINESS if role is Role.VENDOR else None)


@pytest.mark.parametrize("role,events", [
    (Role.CUSTOMER, [UserRegistered]),
    (Role.VENDOR, [UserRegistered, VendorRegistered]),
], ids=["customer", "vendor"])
def test_a_registration_makes_an_active_account_and_its_firebase_user(role, events):
    db, identity = FakeDatabase(), FakeIdentity()

    account = register(newcomer(role), db.unit_of_work, identity)

    stored = db.tables.accounts[account.id]
    assert (stored.state, stored.email_verified, account.state) == (
        AccountState.ACTIVE, False, AccountState.ACTIVE)
    assert identity.users == {account.id: FakeUser(account.email, PASSWORD, "Grace Hopper",
                                                   role.value, email_verified=False)}
    assert [type(event) for event in db.committed_events] == events
    assert db.events()[0] == (UserRegistered, {"account_id": account.id, "role": role.value})


def test_a_vendor_awaits_verification_and_accepts_cards():
    db = FakeDatabase()

    account = register(newcomer(Role.VENDOR), db.unit_of_work, FakeIdentity())

    vendor = db.tables.accounts[account.id].vendor
    assert vendor is not None
    assert (vendor.status, vendor.business, vendor.payment_methods) == (
        VendorStatus.PENDING_VERIFICATION, BUSINESS, ("card",))


def test_a_vendor_without_business_details_is_a_programming_error():
    db, identity = FakeDatabase(), FakeIdentity()

    with pytest.raises(ValueError, match="business details"):
        register(NewAccount("V", "v@example.com", PASSWORD, Role.VENDOR), db.unit_of_work,
                 identity)
    assert (db.tables.accounts, identity.users) == ({}, {})


@pytest.mark.parametrize("role,events", [
    (Role.CUSTOMER, []), (Role.VENDOR, [(VendorRegistered, "vendor_id")]),
], ids=["customer", "vendor"])
def test_an_account_registered_verified_gets_no_verification_mail(role, events):
    db, identity = FakeDatabase(), FakeIdentity()

    account = register(newcomer(role), db.unit_of_work, identity, email_verified=True)

    assert db.tables.accounts[account.id].email_verified and account.email_verified
    assert identity.users[account.id].email_verified
    assert db.events() == [(kind, {field: account.id}) for kind, field in events]


def test_a_taken_email_is_refused_before_firebase_is_asked():
    db, identity = FakeDatabase(), FakeIdentity()
    existing = given_account(db)
    before = dict(db.tables.accounts)

    with pytest.raises(EmailTaken, match="already registered"):
        register(dataclasses.replace(newcomer(), email=existing.email), db.unit_of_work, identity)

    assert (db.tables.accounts, identity.calls, db.committed_events) == (before, [], [])


@pytest.mark.parametrize("error,after_effect", [
    (ServiceUnavailable("auth"), False),
    (ServiceUnavailable("auth"), True),
    (EmailTaken("in Firebase already"), False),
], ids=["firebase-down", "reply-lost-after-the-user-was-made", "email-taken-in-firebase"])
def test_a_failed_firebase_create_leaves_neither_half(error, after_effect):
    db, identity = FakeDatabase(), FakeIdentity()
    identity.fail("create_user", error, after_effect=after_effect)

    with pytest.raises(type(error)):
        register(newcomer(), db.unit_of_work, identity)

    assert (db.tables.accounts, identity.users, db.committed_events) == ({}, {}, [])
    assert identity.calls == ["create_user", "delete_user"]


def test_an_activation_that_does_not_commit_undoes_the_firebase_user():
    db, identity = FakeDatabase(), FakeIdentity()
    db.fail_commit(after=1)  # the insert commits, the activation does not

    with pytest.raises(ServiceUnavailable):
        register(newcomer(), db.unit_of_work, identity)

    assert (db.tables.accounts, identity.users, db.committed_events) == ({}, {}, [])


def test_a_registration_the_reconciler_removed_meanwhile_is_undone_and_answers_503():
    db = FakeDatabase()

    class ReconcilerRanMeanwhile(FakeIdentity):
        def create_user(self, account_id: str, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().create_user(account_id, *args, **kwargs)
            del db.tables.accounts[account_id]

    identity = ReconcilerRanMeanwhile()

    with pytest.raises(ServiceUnavailable) as raised:
        register(newcomer(), db.unit_of_work, identity)

    assert raised.value.dependency == "database"
    assert (db.tables.accounts, identity.users, db.committed_events) == ({}, {}, [])


def test_when_firebase_cannot_undo_the_row_stays_registering_for_the_reconciler():
    db, identity = FakeDatabase(), FakeIdentity()
    identity.fail("create_user", ServiceUnavailable("auth"), after_effect=True)
    identity.fail("delete_user", ServiceUnavailable("auth"))

    with pytest.raises(ServiceUnavailable):
        register(newcomer(), db.unit_of_work, identity)

    [(account_id, row)] = db.tables.accounts.items()
    assert row.state is AccountState.REGISTERING
    assert list(identity.users) == [account_id]
    assert db.committed_events == []


def test_the_reconciler_removes_both_halves_of_stale_registrations_only():
    db, identity = FakeDatabase(), FakeIdentity()
    stale = given_account(db, state=AccountState.REGISTERING, age_s=STALE_AFTER_S + 1)
    recent = given_account(db, state=AccountState.REGISTERING, age_s=STALE_AFTER_S - 1)
    active = given_account(db, age_s=STALE_AFTER_S * 10)
    for account in (stale, recent, active):
        identity.users[account.id] = FakeUser(account.email, PASSWORD, account.name, "customer")

    removed = reconcile_stale_registrations(db.unit_of_work, identity)

    assert removed == 1
    assert set(db.tables.accounts) == set(identity.users) == {recent.id, active.id}


def test_the_reconciler_keeps_every_row_while_firebase_is_down():
    db, identity = FakeDatabase(), FakeIdentity()
    stale = given_account(db, state=AccountState.REGISTERING, age_s=STALE_AFTER_S + 1)
    identity.fail("delete_user", ServiceUnavailable("auth"))

    with pytest.raises(ServiceUnavailable):
        reconcile_stale_registrations(db.unit_of_work, identity)

    assert list(db.tables.accounts) == [stale.id]
