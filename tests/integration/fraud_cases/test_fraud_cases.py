"""Fraud cases over real PostgreSQL, each use case as its function's database role: the
order path opens a case once, the fraud-detector hides a review (summary corrected) that
clearing restores, six admins resolving at once make one resolution, the list pages."""

from __future__ import annotations

import dataclasses
import threading
import uuid

from sqlalchemy import text

from common import bootstrap, clock
from common.adapters.database import create_engine
from common.adapters.postgres_fraud_cases import FraudCasesUnitOfWork, PostgresFraudCases
from common.domain.errors import CaseAlreadyResolved
from common.domain.fraud import CaseDraft
from common.domain.fraud_cases import FRAUD_DETECTOR_EMAIL, FRAUD_DETECTOR_ID, CaseStatus
from common.domain.reviews import ReviewDraft
from common.services.fraud_cases import (
    CaseCollaborators,
    act_on_case,
    list_cases,
    open_case,
    resolve_case,
)
from common.services.reviews import post_review
from tests.integration.reviews.purchases import new_account, new_product, paid_buyer

ROLE = "bazaar_fraud_cases"
RESOLVERS = 6


def collaborators() -> CaseCollaborators:
    return CaseCollaborators(bootstrap.fraud_cases_unit_of_work, bootstrap.identity(),
                             bootstrap.review_moderation_unit_of_work,
                             bootstrap.order_collaborators)


def draft(account_id: str | None, action: str = "none", kind: str = "registration",
          subject: str | None = None) -> CaseDraft:
    return CaseDraft(kind, subject or str(uuid.uuid4()), account_id, 0.93,  # type: ignore[arg-type]
                     ("3 accounts on this device in 1 h",), "rules-1", action,  # type: ignore[arg-type]
                     {"accounts_on_device": 3})


def opened(case: CaseDraft, role: str = ROLE, *, announced: bool = True) -> str | None:
    """Open the case as `role`, as the order path or the worker does in its transaction;
    unannounced (no fraud.case_opened), the stack's act_on_fraud_case leaves it alone."""
    with bootstrap.database_role(role):
        with bootstrap.unit_of_work() as tx:
            record = tx.record if announced else (lambda event: None)
            case_id = open_case(PostgresFraudCases(tx.connection), record, case, clock.now())
            tx.commit()
    return case_id


def account_row(account_id: str):  # noqa: ANN201
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT email, role, state, blocked_reason FROM accounts "
                               "WHERE id = :id"), {"id": account_id}).one()


def test_the_fraud_detector_is_an_active_admin_account(stack):
    assert tuple(account_row(FRAUD_DETECTOR_ID)) == (FRAUD_DETECTOR_EMAIL, "admin", "active",
                                                     None)


def test_the_order_path_opens_a_case_once_per_subject(stack):
    # Given a held order's finding, opened as the order functions' role
    buyer = new_account("customer")
    order = draft(buyer, "order_held", "order")
    first = opened(order, role="bazaar_orders")

    # When the same subject is opened again (a retried order)
    again = opened(order, role="bazaar_orders")

    # Then one case, open, with what the finding said
    assert first is not None and again is None
    with bootstrap.database_role(ROLE), bootstrap.fraud_cases_unit_of_work() as tx:
        case = tx.fraud_cases.get(first)
    assert case is not None
    assert (case.kind, case.subject_id, case.account_id, case.action, case.status,
            case.reasons, case.evidence, case.score) == (
        "order", order.subject_id, buyer, "order_held", CaseStatus.OPEN,
        ("3 accounts on this device in 1 h",), {"accounts_on_device": 3}, 0.93)


def test_a_fake_review_is_hidden_by_the_detector_and_restored_when_cleared(stack):
    # Given a visible five-star review
    vendor = new_account("vendor")
    product = new_product(vendor)
    buyer = paid_buyer(product, vendor)
    with bootstrap.database_role("bazaar_reviews"):
        review = post_review(buyer, product, ReviewDraft(5, "Great", "Best lamp ever"),
                             uow=bootstrap.reviews_unit_of_work)
    case_id = opened(draft(buyer.account_id, "review_hidden", "review", review.id))
    assert case_id is not None

    # When the fraud-detector acts on the case, and later an admin clears it
    admin = new_account("admin")
    with bootstrap.database_role(ROLE):
        acted = act_on_case(case_id, collaborators())
    hidden = review_state(review.id, product)
    with bootstrap.database_role(ROLE):
        cleared = resolve_case(admin, case_id, "cleared", "a real customer", collaborators())
    restored = review_state(review.id, product)

    # Then hidden (out of the summary) by the fraud-detector, then back
    assert [effect.value for effect in acted] == ["hide_review"]
    assert hidden == ("hidden", "fraud", 0)
    assert (cleared.status, cleared.resolved_by) == (CaseStatus.CLEARED, admin)
    assert restored == ("visible", None, 1)
    assert audit(review.id) == [(FRAUD_DETECTOR_ID, "review.hide"), (admin, "review.restore")]
    assert audit(case_id) == [(admin, "fraud_case.resolve")]


def test_a_clearing_that_lands_while_the_block_is_under_way_leaves_the_account_active(stack):
    # Given an account-blocking case that only this test's detector acts on, and an admin
    # who clears it just after the detector read it open and just before its block commits
    # (the detector's next unit of work)
    customer = new_account("customer")
    case_id = opened(draft(customer, "account_blocked"), announced=False)
    assert case_id is not None
    admin, units = new_account("admin"), []

    def admin_clears_in_between():  # noqa: ANN202
        units.append(None)
        if len(units) == 2:  # after act_on_case's read, before block_account's transaction
            resolve_case(admin, case_id, "cleared", "a real customer", collaborators())
        return bootstrap.fraud_cases_unit_of_work()

    # When the detector acts on the case meanwhile
    with bootstrap.database_role(ROLE):
        acted = act_on_case(case_id, dataclasses.replace(collaborators(),
                                                         uow=admin_clears_in_between))

    # Then the block went through and was undone: the clearing has the last word
    assert [effect.value for effect in acted] == ["block_account"]
    assert tuple(account_row(customer))[2:] == ("active", None)
    assert [action for _, action in audit(customer)] == [
        "account.block", "account.unblock"]


def review_state(review_id: str, product_id: str) -> tuple:
    with bootstrap.engine().connect() as db:
        status, reason = db.execute(text(
            "SELECT status, hidden_reason FROM reviews WHERE id = :id"), {"id": review_id}).one()
        count = db.execute(text("SELECT rating_count FROM product_ratings "
                                "WHERE product_id = :id"), {"id": product_id}).scalar()
    return status, reason, count


def audit(target_id: str) -> list[tuple[str, str]]:
    with bootstrap.engine().connect() as db:
        rows = db.execute(text("SELECT admin_id, action FROM admin_actions "
                               "WHERE target_id = :id ORDER BY id"), {"id": target_id})
        return [(str(row.admin_id), row.action) for row in rows]


def test_six_admins_resolving_one_case_at_once_make_one_resolution(stack):
    # Given an open case and six admins, each in their own function instance
    buyer = new_account("customer")
    case_id = opened(draft(buyer))
    assert case_id is not None
    admins = [new_account("admin") for _ in range(RESOLVERS)]
    start, outcomes = threading.Barrier(RESOLVERS), []

    def resolve(admin_id: str) -> None:
        instance = create_engine(bootstrap._database_settings(ROLE))
        deps = CaseCollaborators(lambda: FraudCasesUnitOfWork(instance, relay=None),
                                 bootstrap.identity(), lambda: None, lambda: None)
        start.wait()
        try:
            resolve_case(admin_id, case_id, "cleared", None, deps)
            outcomes.append("resolved")
        except CaseAlreadyResolved:
            outcomes.append("409")
        finally:
            instance.dispose()

    # When they all clear it at the same moment
    threads = [threading.Thread(target=resolve, args=(admin,)) for admin in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one resolution, audited once
    assert sorted(outcomes) == ["409"] * (RESOLVERS - 1) + ["resolved"]
    assert len(audit(case_id)) == 1


def test_the_list_pages_newest_first_through_cases_opened_in_the_same_instant(stack):
    # Given five registration cases of one fresh account, opened in one transaction
    account = new_account("customer")
    with bootstrap.database_role(ROLE), bootstrap.fraud_cases_unit_of_work() as tx:
        now = clock.now()
        ids = [open_case(tx.fraud_cases, tx.record, draft(account), now) for _ in range(5)]
        tx.commit()

    # When an admin pages through them two at a time
    seen, token = [], None
    with bootstrap.database_role(ROLE):
        while True:
            page, token = list_cases("open", "registration", 2, token,
                                     uow=bootstrap.fraud_cases_unit_of_work,
                                     token_key=bootstrap.settings().page_token_signing_key())
            seen.extend(case.id for case in page if case.account_id == account)
            if token is None:
                break

    # Then each case once, ties broken by id, newest first
    assert seen == sorted(ids, reverse=True)
