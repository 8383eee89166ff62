"""A held order's fraud case resolved by an admin, as resolve_fraud_case's database role,
against the session stack: clearing approves it (captured, paid), confirming rejects it
(voided, cancelled) and blocks the buyer; a blocked buyer's held order is rejected by
settle_orders_of_blocked_customer."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import text

from common import bootstrap
from common.domain.fraud import FraudDecision
from common.domain.fraud_cases import FRAUD_DETECTOR_ID
from common.domain.identity import AccountState, Principal, Role
from common.domain.orders import OrderItem
from common.services.account_blocking import block_account
from common.services.fraud_cases import resolve_case
from common.services.ordering import Collaborators, OrderRequest, place_order
from tests.e2e.orders import ADDRESS, RETURN_URL, accept_methods, stocked_product
from tests.integration.reviews.purchases import new_account

ROLE = "bazaar_fraud_cases"
REVIEW = FraudDecision("review", 0.55, ("first order of high value",), "test-1")


class HoldEverything:
    def screen(self, screening):  # noqa: ANN001, ANN201
        return REVIEW


def held_order(api, customer, vendor) -> str:  # noqa: ANN001
    """A card order of €600 the worker sent to review (the order path opens its case)."""
    accept_methods(api, vendor)
    product = stocked_product(api, vendor, stock=3, price=60_000)["id"]
    buyer = Principal(customer.id, Role.CUSTOMER, AccountState.ACTIVE, True)
    request = OrderRequest(
        items=(OrderItem(product, 1),), method="card", shipping_address=ADDRESS,
        idempotency_key=f"order-{uuid.uuid4()}", request_hash="hash-1",
        payment_method_token="pm_card_visa", return_url=RETURN_URL,
        device_id="device-held-1", client_country="US")
    placed = place_order(buyer, request, Collaborators(
        bootstrap.orders_unit_of_work, bootstrap.payments(), bootstrap.workflow_executions(),
        bootstrap.settings(), HoldEverything()))
    assert placed.order.status.value == "pending_review"
    return placed.order.id


def scalar(sql: str, **params):  # noqa: ANN003, ANN201
    with bootstrap.engine().connect() as db:
        return db.execute(text(sql), params).scalar()


def case_of(order_id: str) -> str:
    return str(scalar("SELECT id FROM fraud_cases WHERE kind = 'order' AND subject_id = :id",
                      id=order_id))


def eventually_status(order_id: str, status: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        now = scalar("SELECT status FROM orders WHERE id = :id", id=order_id)
        if now == status or time.monotonic() > deadline:
            return now
        time.sleep(0.2)


def resolved(case_id: str, resolution: str):  # noqa: ANN201
    admin = new_account("admin")
    with bootstrap.database_role(ROLE):
        return resolve_case(admin, case_id, resolution, None,
                            bootstrap.fraud_case_collaborators())


def test_clearing_a_held_order_s_case_approves_it(api, customer, verified_vendor):
    # Given an order held for review, its case open
    order_id = held_order(api, customer, verified_vendor)

    # When an admin clears the case
    case = resolved(case_of(order_id), "cleared")

    # Then the authorization is captured and the order is paid
    assert case.status.value == "cleared"
    assert eventually_status(order_id, "paid") == "paid"
    assert scalar("SELECT status FROM payments WHERE order_id = :id", id=order_id) == "succeeded"
    assert scalar("SELECT state FROM accounts WHERE id = :id", id=customer.id) == "active"


@pytest.mark.events
def test_confirming_a_held_order_s_case_rejects_it_and_blocks_the_buyer(api, customer,
                                                                        verified_vendor):
    order_id = held_order(api, customer, verified_vendor)

    case = resolved(case_of(order_id), "confirmed")

    assert case.status.value == "confirmed"
    assert scalar("SELECT status FROM orders WHERE id = :id", id=order_id) == "cancelled"
    assert scalar("SELECT status FROM payments WHERE order_id = :id", id=order_id) == "canceled"
    assert (scalar("SELECT state FROM accounts WHERE id = :id", id=customer.id),
            scalar("SELECT blocked_reason FROM accounts WHERE id = :id", id=customer.id)) == (
        "blocked", "fraud")


@pytest.mark.events
def test_a_blocked_buyer_s_held_order_is_rejected(api, customer, verified_vendor):
    # Given a held order
    order_id = held_order(api, customer, verified_vendor)

    # When the buyer is blocked (here by the fraud-detector, as another case would)
    block_account(customer.id, "fraud", admin_id=FRAUD_DETECTOR_ID,
                  uow=bootstrap.unit_of_work, identity=bootstrap.identity())

    # Then settle_orders_of_blocked_customer rejects it: voided, cancelled
    assert eventually_status(order_id, "cancelled") == "cancelled"
    assert scalar("SELECT failure_reason FROM orders WHERE id = :id", id=order_id) == (
        "account_blocked")
