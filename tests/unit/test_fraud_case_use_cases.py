"""Fraud cases' use cases over fakes: opening once, acting as the fraud-detector, one
resolution per case (audited, its label kept), clearing undoing the case's block, paging."""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime, timedelta

import pytest

from common import clock
from common.domain.errors import CaseAlreadyResolved, InvalidRequest, NotFound
from common.domain.events import (
    AccountBlocked,
    AccountUnblocked,
    FraudCaseOpened,
    FraudCaseResolved,
)
from common.domain.fraud import CaseDraft
from common.domain.fraud_cases import FRAUD_DETECTOR_ID, CaseStatus, FraudCase
from common.domain.identity import AccountState, Role
from common.services.fraud_cases import (
    CaseCollaborators,
    act_on_case,
    list_cases,
    open_case,
    resolve_case,
)
from tests.unit.fakes import AdminAction, FakeDatabase, FakeIdentity, FakeUnitOfWork, FakeUser
from tests.unit.given import TOKEN_KEY, given_account, new_id

ADMIN = new_id()


class FakeFraudCases:
    """PostgresFraudCases over a dict: one case per (kind, subject), resolved once."""

    def __init__(self, cases: dict[str, FraudCase], now: datetime) -> None:
        self._cases, self._now = cases, now

    def open(self, draft: CaseDraft, now: datetime) -> str | None:
        if self.by_subject(draft.kind, draft.subject_id) is not None:
            return None
        case_id = new_id()
        self._cases[case_id] = FraudCase(
            case_id, draft.kind, draft.subject_id, draft.account_id, draft.score,
            draft.model_version, draft.reasons, draft.evidence, draft.action, CaseStatus.OPEN,
            now)
        return case_id

    def get(self, case_id: str) -> FraudCase | None:
        return self._cases.get(case_id)

    def by_subject(self, kind: str, subject_id: str) -> FraudCase | None:
        return next((c for c in self._cases.values()
                     if (c.kind, c.subject_id) == (kind, subject_id)), None)

    def page(self, status, kind, after, limit):  # noqa: ANN001, ANN201
        ordered = sorted(self._cases.values(), key=lambda c: (c.created_at, c.id), reverse=True)
        return [c for c in ordered if status in (None, c.status.value)
                and kind in (None, c.kind)
                and (after is None or (c.created_at, c.id) < after)][:limit]

    def resolve(self, case_id, status, admin_id, note, now) -> bool:  # noqa: ANN001
        case = self._cases[case_id]
        if case.status is not CaseStatus.OPEN:
            return False
        self._cases[case_id] = dataclasses.replace(
            case, status=status, resolved_at=now, resolved_by=admin_id, resolution_note=note)
        return True

    def unsettled_orders(self, buyer_id: str) -> list[tuple[str, str]]:
        return []


class FakeFraudDatabase(FakeDatabase):
    def __init__(self) -> None:
        super().__init__()
        self.cases: dict[str, FraudCase] = {}
        self.unit_of_work = lambda: FakeFraudCasesUnitOfWork(self)


class FakeFraudCasesUnitOfWork(FakeUnitOfWork):
    def __enter__(self) -> FakeFraudCasesUnitOfWork:
        super().__enter__()
        self._cases = copy.deepcopy(self._db.cases)
        self.fraud_cases = FakeFraudCases(self._cases, self._db.clock.now)
        return self

    def commit(self) -> None:
        super().commit()
        self._db.cases = copy.deepcopy(self._cases)


def setup(state: AccountState = AccountState.ACTIVE):  # noqa: ANN201
    db, identity = FakeFraudDatabase(), FakeIdentity()
    account = given_account(db, Role.CUSTOMER, state=state)
    identity.users[account.id] = FakeUser(account.email, "pw", account.name, "customer",
                                          disabled=state is AccountState.BLOCKED)
    deps = CaseCollaborators(db.unit_of_work, identity, moderation=None, orders=None)
    return db, identity, account.id, deps


def opened(db: FakeFraudDatabase, account_id: str, action: str = "account_blocked",
           subject: str | None = None) -> str:
    draft = CaseDraft("registration", subject or new_id(), account_id, 0.97,
                      ("5 accounts on this device in 1 h",), "rules-1", action,
                      {"device_accounts": 5})
    with db.unit_of_work() as tx:
        case_id = open_case(tx.fraud_cases, tx.record, draft, db.clock.now)
        tx.commit()
    assert case_id is not None
    return case_id


def test_a_case_opens_once_per_kind_and_subject_with_its_event():
    # Given a finding on one subject
    db, _, account_id, _ = setup()
    case_id = opened(db, account_id, subject="device-7")

    # When the same finding is opened again (a replayed event)
    with db.unit_of_work() as tx:
        again = open_case(tx.fraud_cases, tx.record, CaseDraft(
            "registration", "device-7", account_id, 0.5, (), "rules-1", "none"), db.clock.now)
        tx.commit()

    # Then one case, one fraud.case_opened
    assert again is None and list(db.cases) == [case_id]
    assert db.events() == [(FraudCaseOpened, {
        "case_id": case_id, "kind": "registration", "subject_id": "device-7",
        "account_id": account_id, "action": "account_blocked", "score": 0.97})]


def test_acting_on_a_block_case_blocks_the_account_as_the_fraud_detector():
    db, identity, account_id, deps = setup()
    db.tables.accounts[FRAUD_DETECTOR_ID] = dataclasses.replace(
        db.tables.accounts[account_id], id=FRAUD_DETECTOR_ID, role=Role.ADMIN)
    case_id = opened(db, account_id)
    db.committed_events.clear()

    act_on_case(case_id, deps)
    act_on_case(case_id, deps)  # a replay: already blocked is done, not an error

    assert db.tables.accounts[account_id].state is AccountState.BLOCKED
    assert db.tables.blocked_reasons == {account_id: "fraud"}
    assert db.tables.admin_actions == [
        AdminAction(FRAUD_DETECTOR_ID, "account.block", account_id, "fraud")]
    assert db.events() == [(AccountBlocked, {"account_id": account_id})]
    assert identity.users[account_id].disabled is True


def test_clearing_a_block_case_unblocks_the_account_and_keeps_the_label(monkeypatch):
    # Given an account the detector blocked
    db, identity, account_id, deps = setup(AccountState.BLOCKED)
    monkeypatch.setattr(clock, "now", lambda: db.clock.now)
    case_id = opened(db, account_id)
    db.committed_events.clear()

    # When an admin clears the case
    case = resolve_case(ADMIN, case_id, "cleared", "a family sharing a tablet", deps)

    # Then the account is active again, the resolution audited and kept on the case
    assert (case.status, case.resolved_by, case.resolution_note, case.resolved_at) == (
        CaseStatus.CLEARED, ADMIN, "a family sharing a tablet", db.clock.now)
    assert db.tables.accounts[account_id].state is AccountState.ACTIVE
    assert db.tables.admin_actions == [
        AdminAction(ADMIN, "fraud_case.resolve", case_id, "cleared"),
        AdminAction(ADMIN, "account.unblock", account_id, "fraud case cleared")]
    assert db.events() == [
        (FraudCaseResolved, {"case_id": case_id, "resolution": "cleared",
                             "account_id": account_id}),
        (AccountUnblocked, {"account_id": account_id})]
    assert identity.users[account_id].disabled is False


def test_confirming_a_case_blocks_the_account():
    db, _, account_id, deps = setup()
    case_id = opened(db, account_id, action="none")

    case = resolve_case(ADMIN, case_id, "confirmed", None, deps)

    assert case.status is CaseStatus.CONFIRMED
    assert db.tables.accounts[account_id].state is AccountState.BLOCKED
    assert db.tables.blocked_reasons == {account_id: "fraud"}


def test_a_second_resolution_is_refused_and_changes_nothing():
    db, _, account_id, deps = setup(AccountState.BLOCKED)
    case_id = opened(db, account_id)
    resolve_case(ADMIN, case_id, "confirmed", None, deps)
    before = (copy.deepcopy(db.cases), list(db.committed_events), db.tables.accounts[account_id])

    with pytest.raises(CaseAlreadyResolved):
        resolve_case(ADMIN, case_id, "cleared", "changed my mind", deps)

    assert (db.cases, db.committed_events, db.tables.accounts[account_id]) == before


def test_a_resolved_case_is_not_acted_on_when_its_opening_arrives_late():
    db, _, account_id, deps = setup()
    case_id = opened(db, account_id)
    resolve_case(ADMIN, case_id, "cleared", None, deps)  # unblocking an active one: nothing

    assert act_on_case(case_id, deps) == ()
    assert db.tables.accounts[account_id].state is AccountState.ACTIVE


@pytest.mark.parametrize("case_id", ["not-a-uuid", "6f1c2a9e-0000-4000-8000-00000000dead"],
                         ids=["malformed", "unknown"])
def test_resolving_no_case_is_not_found(case_id):
    db, _, _, deps = setup()

    with pytest.raises(NotFound):
        resolve_case(ADMIN, case_id, "cleared", None, deps)

    assert db.committed_events == []


def test_cases_page_newest_first_by_filter_and_a_token_fits_only_its_filter():
    # Given four cases a minute apart, the oldest cleared
    db, _, account_id, deps = setup()
    ids = []
    for _ in range(4):
        ids.append(opened(db, account_id, action="none"))
        db.clock.advance(60)
    resolve_case(ADMIN, ids[0], "cleared", None, deps)

    # When an admin pages through the open ones two at a time
    first, token = list_cases("open", None, 2, None, uow=db.unit_of_work, token_key=TOKEN_KEY)
    second, last = list_cases("open", None, 2, token, uow=db.unit_of_work, token_key=TOKEN_KEY)

    # Then the newest come first, the cleared one is not among them, and the token is the
    # open list's only
    assert ([c.id for c in first], [c.id for c in second], last) == (
        [ids[3], ids[2]], [ids[1]], None)
    assert token is not None
    with pytest.raises(InvalidRequest):
        list_cases("cleared", None, 2, token, uow=db.unit_of_work, token_key=TOKEN_KEY)
    everything, _ = list_cases(None, "registration", 10, None, uow=db.unit_of_work,
                               token_key=TOKEN_KEY)
    assert [c.id for c in everything] == [ids[3], ids[2], ids[1], ids[0]]
    assert first[0].created_at - everything[-1].created_at == timedelta(seconds=180)
