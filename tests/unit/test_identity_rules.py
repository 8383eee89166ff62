"""Identity rules: password policy, authorization, checklist, state transitions."""

from __future__ import annotations

import pytest

from common.domain import errors
from common.domain.identity import (
    AccountState,
    Principal,
    Role,
    VendorStatus,
    authorize,
    check_blockable,
    check_checklist,
    check_vendor_reviewable,
    password_problems,
)

FULL = {"business_registration": True, "identity": True, "address": True, "bank_account": True}


@pytest.mark.parametrize("password,ok", [
    ("Sunny-meadow-42", True),
    ("abcdefghi1", True),
    ("abcdefgh1", False),          # 9 characters
    ("abcdefghijkl", False),       # letters only
    ("1234567890!!", False),       # no letter
    ("x" * 127 + "1", True),
    ("x" * 128 + "1", False),      # 129 characters
    ("margaret-2024", False),      # contains the email's local part
])
def test_password_policy(password, ok):
    assert (password_problems(password, "margaret@example.com") == []) is ok


def _principal(role=Role.CUSTOMER, state=AccountState.ACTIVE, verified=True) -> Principal:
    return Principal("id-1", role, state, verified)


def test_authorize_lets_a_listed_role_through():
    authorize(_principal(Role.VENDOR), frozenset({Role.VENDOR}), verified_email=True)


@pytest.mark.parametrize("principal,roles,verified_email,error", [
    (_principal(state=AccountState.BLOCKED), frozenset(Role), False, errors.AccountBlocked),
    (_principal(Role.CUSTOMER), frozenset({Role.ADMIN}), False, errors.Forbidden),
    (_principal(verified=False), frozenset(Role), True, errors.EmailNotVerified),
    (_principal(state=AccountState.REGISTERING), frozenset(Role), False, errors.Forbidden),
], ids=["blocked", "wrong-role", "unverified-email", "not-active"])
def test_authorize_refuses(principal, roles, verified_email, error):
    with pytest.raises(error):
        authorize(principal, roles, verified_email=verified_email)


def test_blocked_beats_every_other_reason():
    blocked = _principal(Role.CUSTOMER, AccountState.BLOCKED, verified=False)
    with pytest.raises(errors.AccountBlocked):
        authorize(blocked, frozenset({Role.ADMIN}), verified_email=True)


def test_full_checklist_passes():
    check_checklist(FULL)


@pytest.mark.parametrize("missing", sorted(FULL))
def test_each_checklist_item_is_required(missing):
    with pytest.raises(errors.ChecklistIncomplete) as raised:
        check_checklist({**FULL, missing: False})
    assert raised.value.extra["missing"] == [missing]
    assert raised.value.status == 422 and raised.value.code == "checklist_incomplete"


@pytest.mark.parametrize("status,reviewable", [
    (VendorStatus.PENDING_VERIFICATION, True),
    (VendorStatus.VERIFIED, False),
    (VendorStatus.REJECTED, False),
])
def test_only_pending_vendors_are_reviewed(status, reviewable):
    if reviewable:
        check_vendor_reviewable(status)
    else:
        with pytest.raises(errors.InvalidState):
            check_vendor_reviewable(status)


def test_admins_cannot_block_themselves_or_other_admins():
    with pytest.raises(errors.InvalidState):
        check_blockable(Role.CUSTOMER, "a", "a")
    with pytest.raises(errors.InvalidState):
        check_blockable(Role.ADMIN, "a", "b")
    check_blockable(Role.VENDOR, "a", "b")
