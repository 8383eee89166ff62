"""What admins do: verify or reject vendors, page through them, block and unblock."""

from __future__ import annotations

import dataclasses

import pytest

from common.domain.errors import (
    ChecklistIncomplete,
    InvalidRequest,
    InvalidState,
    NotFound,
    ServiceUnavailable,
)
from common.domain.events import AccountBlocked, AccountUnblocked, VendorRejected, VendorVerified
from common.domain.identity import VERIFICATION_CHECKLIST, AccountState, Role, VendorStatus
from common.services.account_blocking import block_account, sync_firebase_state, unblock_account
from common.services.vendor_verification import (
    Review,
    list_vendors,
    reject_vendor,
    verify_vendor,
)
from tests.unit.fakes import AdminAction, FakeDatabase, FakeIdentity, FakeUser, VendorReview
from tests.unit.given import TOKEN_KEY, given_account, new_id

ADMIN = new_id()
CHECKED = dict.fromkeys(VERIFICATION_CHECKLIST, True)
PENDING = VendorStatus.PENDING_VERIFICATION


def test_verifying_a_pending_vendor_records_the_review_and_mails_the_vendor():
    db = FakeDatabase()
    vendor = given_account(db, Role.VENDOR, vendor_status=PENDING)

    review = verify_vendor(vendor.id, CHECKED, "all good", admin_id=ADMIN, uow=db.unit_of_work)

    assert review == Review(vendor.id, VendorStatus.VERIFIED, db.clock.now)
    profile = db.tables.accounts[vendor.id].vendor
    assert profile is not None and profile.status is VendorStatus.VERIFIED
    assert db.tables.vendor_reviews == {
        vendor.id: VendorReview(ADMIN, CHECKED, "all good", None, db.clock.now)}
    assert db.tables.admin_actions == [AdminAction(ADMIN, "vendor.verify", vendor.id, "all good")]
    assert db.events() == [(VendorVerified, {"vendor_id": vendor.id})]


def test_a_checklist_with_an_item_unticked_verifies_nothing():
    db = FakeDatabase()
    vendor = given_account(db, Role.VENDOR, vendor_status=PENDING)

    with pytest.raises(ChecklistIncomplete) as refused:
        verify_vendor(vendor.id, {**CHECKED, "identity": False}, None, admin_id=ADMIN,
                      uow=db.unit_of_work)

    assert refused.value.extra == {"missing": ["identity"]}
    assert (db.tables.vendor_reviews, db.committed_events) == ({}, [])


def test_rejecting_a_pending_vendor_records_the_reason():
    db = FakeDatabase()
    vendor = given_account(db, Role.VENDOR, vendor_status=PENDING)

    review = reject_vendor(vendor.id, "No registry entry", admin_id=ADMIN, uow=db.unit_of_work)

    assert review == Review(vendor.id, VendorStatus.REJECTED, db.clock.now)
    profile = db.tables.accounts[vendor.id].vendor
    assert profile is not None
    assert (profile.status, profile.rejection_reason) == (VendorStatus.REJECTED,
                                                          "No registry entry")
    assert db.tables.admin_actions == [
        AdminAction(ADMIN, "vendor.reject", vendor.id, "No registry entry")]
    assert db.events() == [(VendorRejected, {"vendor_id": vendor.id,
                                             "reason": "No registry entry"})]


def review(decision: str, vendor_id: str, db: FakeDatabase) -> Review:
    if decision == "verify":
        return verify_vendor(vendor_id, CHECKED, None, admin_id=ADMIN, uow=db.unit_of_work)
    return reject_vendor(vendor_id, "no", admin_id=ADMIN, uow=db.unit_of_work)


@pytest.mark.parametrize("decision", ["verify", "reject"])
@pytest.mark.parametrize("status", [VendorStatus.VERIFIED, VendorStatus.REJECTED])
def test_only_a_vendor_pending_verification_is_reviewed(decision, status):
    db = FakeDatabase()
    vendor = given_account(db, Role.VENDOR, vendor_status=status)

    with pytest.raises(InvalidState, match=f"is {status.value}, not pending"):
        review(decision, vendor.id, db)
    assert db.committed_events == []


@pytest.mark.parametrize("decision", ["verify", "reject"])
@pytest.mark.parametrize("target", ["customer", "nobody"])
def test_reviewing_what_is_no_vendor_is_not_found(decision, target):
    db = FakeDatabase()
    target_id = given_account(db, Role.CUSTOMER).id if target == "customer" else new_id()

    with pytest.raises(NotFound, match="No vendor"):
        review(decision, target_id, db)


def test_vendors_are_paged_oldest_first_and_the_token_is_tied_to_the_status():
    db = FakeDatabase()
    pending = [given_account(db, Role.VENDOR, vendor_status=PENDING, age_s=age)
               for age in (400, 300, 200, 100)]
    given_account(db, Role.VENDOR, vendor_status=VendorStatus.VERIFIED)
    given_account(db, Role.VENDOR, vendor_status=PENDING, state=AccountState.REGISTERING)

    def page(token: str | None, status: VendorStatus = PENDING):  # noqa: ANN202
        return list_vendors(status, 2, token, uow=db.unit_of_work, token_key=TOKEN_KEY)

    first, token = page(None)
    second, end = page(token)

    assert [a.id for a in first + second] == [a.id for a in pending]
    assert (len(first), len(second), end) == (2, 2, None)  # a full last page says it is last
    with pytest.raises(InvalidRequest):
        page(token, VendorStatus.VERIFIED)


def admin_action(action: str, account_id: str, db: FakeDatabase, identity: FakeIdentity,
                 admin_id: str = ADMIN) -> AccountState:
    do = block_account if action == "block" else unblock_account
    return do(account_id, "spam", admin_id=admin_id, uow=db.unit_of_work, identity=identity)


def with_user(db: FakeDatabase, identity: FakeIdentity, role: Role = Role.CUSTOMER,
              state: AccountState = AccountState.ACTIVE) -> str:
    account = given_account(db, role, state=state)
    identity.users[account.id] = FakeUser(account.email, "pw", account.name, role.value,
                                          disabled=state is AccountState.BLOCKED)
    return account.id


@pytest.mark.parametrize("action,before,after,event,reason", [
    ("block", AccountState.ACTIVE, AccountState.BLOCKED, AccountBlocked, "spam"),
    ("unblock", AccountState.BLOCKED, AccountState.ACTIVE, AccountUnblocked, None),
])
def test_a_block_or_unblock_commits_and_firebase_follows_at_once(action, before, after, event,
                                                                  reason):
    db, identity = FakeDatabase(), FakeIdentity()
    account_id = with_user(db, identity, Role.VENDOR, before)

    assert admin_action(action, account_id, db, identity) is after

    assert db.tables.accounts[account_id].state is after
    assert db.tables.blocked_reasons == {account_id: reason}
    assert db.tables.admin_actions == [AdminAction(ADMIN, f"account.{action}", account_id,
                                                   "spam")]
    assert db.events() == [(event, {"account_id": account_id})]
    assert identity.users[account_id].disabled is (after is AccountState.BLOCKED)


@pytest.mark.parametrize("error", [ServiceUnavailable("auth"), RuntimeError("user not found")],
                         ids=["firebase-down", "firebase-any-other-error"])
@pytest.mark.parametrize("action,before,after", [
    ("block", AccountState.ACTIVE, AccountState.BLOCKED),
    ("unblock", AccountState.BLOCKED, AccountState.ACTIVE),
])
def test_a_committed_change_answers_even_when_firebase_cannot_follow(action, before, after,
                                                                     error):
    db, identity = FakeDatabase(), FakeIdentity()
    account_id = with_user(db, identity, state=before)
    identity.fail("set_disabled", error)

    assert admin_action(action, account_id, db, identity) is after

    assert db.tables.accounts[account_id].state is after
    assert identity.users[account_id].disabled is (before is AccountState.BLOCKED)
    assert len(db.committed_events) == 1


def target_of(kind: str, db: FakeDatabase, identity: FakeIdentity, admin_id: str) -> str:
    if kind == "nobody":
        return new_id()
    if kind == "self":
        return admin_id
    if kind == "admin":
        return with_user(db, identity, Role.ADMIN)
    return with_user(db, identity, state=AccountState(kind))


@pytest.mark.parametrize("action,target,error,message", [
    ("block", "nobody", NotFound, "No account"),
    ("block", "registering", NotFound, "No account"),
    ("block", "self", InvalidState, "their own account"),
    ("block", "admin", InvalidState, "Firebase console"),
    ("block", "blocked", InvalidState, "already blocked"),
    ("unblock", "nobody", NotFound, "No account"),
    ("unblock", "registering", NotFound, "No account"),
    ("unblock", "active", InvalidState, "not blocked"),
])
def test_what_an_admin_may_not_block_or_unblock(action, target, error, message):
    db, identity = FakeDatabase(), FakeIdentity()
    admin_id = with_user(db, identity, Role.ADMIN)
    account_id = target_of(target, db, identity, admin_id)
    before = dict(db.tables.accounts)

    with pytest.raises(error, match=message):
        admin_action(action, account_id, db, identity, admin_id=admin_id)

    assert (db.tables.accounts, db.committed_events, identity.calls) == (before, [], [])


@pytest.mark.parametrize("state,disabled", [
    (AccountState.BLOCKED, True), (AccountState.ACTIVE, False),
])
def test_the_sync_makes_firebase_agree_with_the_database(state, disabled):
    db, identity = FakeDatabase(), FakeIdentity()
    account_id = with_user(db, identity)
    identity.users[account_id].disabled = not disabled
    db.tables.accounts[account_id] = dataclasses.replace(db.tables.accounts[account_id],
                                                         state=state)

    with db.unit_of_work() as tx:
        sync_firebase_state(account_id, tx, identity=identity)

    assert identity.users[account_id].disabled is disabled


def test_the_sync_leaves_firebase_alone_for_a_registration_or_no_account():
    db, identity = FakeDatabase(), FakeIdentity()
    registering = with_user(db, identity, state=AccountState.REGISTERING)

    with db.unit_of_work() as tx:
        sync_firebase_state(registering, tx, identity=identity)
        sync_firebase_state(new_id(), tx, identity=identity)

    assert identity.calls == []
