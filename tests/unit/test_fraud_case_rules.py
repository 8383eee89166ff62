"""What a fraud case makes happen: on opening, and on an admin's confirmation or clearing."""

from __future__ import annotations

import dataclasses

import pytest

from common.domain.errors import CaseAlreadyResolved, InvalidRequest
from common.domain.fraud import CaseDraft
from common.domain.fraud_cases import (
    CaseStatus,
    Effect,
    FraudCase,
    check_draft,
    check_resolvable,
    effects_of_resolution,
    effects_on_open,
)
from tests.unit.fakes import START

ACCOUNT = "6f1c2a9e-0000-4000-8000-000000000001"


def case(action: str, status: CaseStatus = CaseStatus.OPEN, *, kind: str = "order",
         account_id: str | None = ACCOUNT) -> FraudCase:
    return FraudCase("c1", kind, "subject-1", account_id, 0.9, "v1", ("a reason",), {},
                     action, status, START)


@pytest.mark.parametrize("action,effects", [
    ("account_blocked", (Effect.BLOCK_ACCOUNT,)),
    ("review_hidden", (Effect.HIDE_REVIEW,)),
    ("order_held", ()), ("order_rejected", ()), ("none", ()),
], ids=["block", "hide", "held-by-the-order-path", "rejected-by-the-order-path", "none"])
def test_an_open_case_acts_only_on_what_the_detector_could_not_do_itself(action, effects):
    assert effects_on_open(case(action)) == effects


@pytest.mark.parametrize("status", [CaseStatus.CONFIRMED, CaseStatus.CLEARED])
def test_a_case_resolved_before_its_opening_was_acted_on_is_not_acted_on(status):
    assert effects_on_open(case("account_blocked", status)) == ()


@pytest.mark.parametrize("action,effects", [
    ("account_blocked", (Effect.UNBLOCK_ACCOUNT,)),
    ("review_hidden", (Effect.RESTORE_REVIEW,)),
    ("order_held", (Effect.APPROVE_ORDER,)),
    ("order_rejected", ()),
    ("none", ()),
], ids=["unblocks", "restores-the-review", "approves-the-held-order", "rejected-stays",
        "nothing-to-undo"])
def test_clearing_undoes_exactly_the_case_s_own_action(action, effects):
    assert effects_of_resolution(case(action, CaseStatus.CLEARED)) == effects


@pytest.mark.parametrize("action,account_id,effects", [
    ("order_held", ACCOUNT, (Effect.REJECT_ORDER, Effect.BLOCK_ACCOUNT)),
    ("none", ACCOUNT, (Effect.BLOCK_ACCOUNT,)),
    ("account_blocked", ACCOUNT, (Effect.BLOCK_ACCOUNT,)),
    ("none", None, ()),
], ids=["held-order-rejected-and-blocked", "blocked", "blocked-already-is-kept",
        "no-account"])
def test_confirming_rejects_a_held_order_and_blocks_the_account(action, account_id, effects):
    confirmed = case(action, CaseStatus.CONFIRMED, account_id=account_id)

    assert effects_of_resolution(confirmed) == effects


@pytest.mark.parametrize("resolution", ["confirmed", "cleared"])
def test_an_open_case_resolves_to_the_resolution(resolution):
    assert check_resolvable(case("none"), resolution) is CaseStatus(resolution)


@pytest.mark.parametrize("status", [CaseStatus.CONFIRMED, CaseStatus.CLEARED])
def test_a_resolved_case_cannot_be_resolved_again(status):
    with pytest.raises(CaseAlreadyResolved):
        check_resolvable(case("none", status), "cleared")


@pytest.mark.parametrize("resolution", ["open", "Confirmed", ""])
def test_a_resolution_is_confirmed_or_cleared(resolution):
    with pytest.raises(InvalidRequest) as refused:
        check_resolvable(case("none"), resolution)

    assert refused.value.extra == {"errors": [{"field": "resolution",
                                               "message": "is confirmed or cleared"}]}


DRAFT = CaseDraft("order", "o1", ACCOUNT, 0.5, ("r",), "v1", "order_held", {})


@pytest.mark.parametrize("change,message", [
    ({"kind": "refund"}, "unknown case kind"),
    ({"action": "account_deleted"}, "unknown case kind or action"),
    ({"score": 1.5}, r"score is in \[0, 1\]"),
    ({"action": "account_blocked", "account_id": None}, "names its account"),
    ({"action": "review_hidden"}, "only a review case"),
], ids=["kind", "action", "score", "block-without-account", "hide-without-review"])
def test_a_draft_the_table_cannot_hold_is_a_bug_of_its_caller(change, message):
    with pytest.raises(ValueError, match=message):
        check_draft(dataclasses.replace(DRAFT, **change))


def test_a_valid_draft_passes():
    assert check_draft(DRAFT) is None
