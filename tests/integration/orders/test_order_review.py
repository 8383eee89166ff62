"""Orders held for a fraud review, placed in-process against the session stack (Postgres,
the Stripe twin and its webhooks, the Workflows stand-in) with a fake fraud screening port:
held, refused, approved, rejected, expired, and approve racing reject."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import text

from common import bootstrap
from common.domain.errors import FraudRejected, InvalidState, PaymentDeclined
from common.domain.fraud import FraudDecision, OrderScreening
from common.domain.identity import AccountState, Principal, Role
from common.domain.orders import OrderItem, OrderStatus
from common.services import order_review
from common.services.ordering import Collaborators, OrderRequest, place_order
from tests.e2e.conftest import advance_clock  # noqa: F401
from tests.e2e.orders import ADDRESS, RETURN_URL, accept_methods, stocked_product

REVIEW = FraudDecision("review", 0.55, ("first order of high value",), "test-1")
BLOCK = FraudDecision("block", 0.95, ("5 declined payments on this device in 24 h",), "test-1")


class FakeFraudScreening:
    def __init__(self, decision: FraudDecision) -> None:
        self.decision = decision
        self.asked: list[OrderScreening] = []

    def screen(self, screening: OrderScreening) -> FraudDecision:
        self.asked.append(screening)
        return self.decision


def _deps(screener: FakeFraudScreening | None = None) -> Collaborators:
    return Collaborators(bootstrap.orders_unit_of_work, bootstrap.payments(),
                         bootstrap.workflow_executions(), bootstrap.settings(), screener)


def _buyer(customer) -> Principal:
    return Principal(customer.id, Role.CUSTOMER, AccountState.ACTIVE, True)


def _request(product_id: str, method: str = "card", token: str = "pm_card_visa"
             ) -> OrderRequest:
    return OrderRequest(
        items=(OrderItem(product_id, 1),), method=method, shipping_address=ADDRESS,
        idempotency_key=f"order-{uuid.uuid4()}", request_hash="hash-1",
        payment_method_token=token if method == "card" else None,
        return_url=RETURN_URL if method != "bank_transfer" else None,
        device_id="device-review-1", client_country="US")


def _product(api, vendor, stock: int = 3) -> str:
    accept_methods(api, vendor)
    return stocked_product(api, vendor, stock=stock, price=60_000)["id"]


def _scalar(sql: str, **params):
    with bootstrap.engine().connect() as db:
        return db.execute(text(sql), params).scalar()


def _stock(product_id: str) -> int:
    return _scalar("SELECT stock FROM products WHERE id = :id", id=product_id)


def _case(order_id: str) -> tuple | None:
    with bootstrap.engine().connect() as db:
        row = db.execute(text("SELECT action, status, account_id FROM fraud_cases "
                              "WHERE kind = 'order' AND subject_id = :id"), {"id": order_id})
        return tuple(row.one()) if row.rowcount else None


def _events(order_id: str, type_: str) -> int:
    return _scalar("SELECT count(*) FROM outbox_events WHERE type = :type AND "
                   "(payload->>'order_id' = :id OR payload->>'subject_id' = :id)",
                   type=type_, id=order_id)


def _wait_status(order_id: str, status: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        now = _scalar("SELECT status FROM orders WHERE id = :id", id=order_id)
        if now == status or time.monotonic() > deadline:
            return now
        time.sleep(0.2)


def _held_card_order(api, customer, vendor) -> tuple[str, str]:
    product = _product(api, vendor)
    placed = place_order(_buyer(customer), _request(product), _deps(FakeFraudScreening(REVIEW)))
    return placed.order.id, product


def test_a_held_card_order_is_reserved_and_only_authorized_with_no_saga(api, customer,
                                                                        verified_vendor):
    # Given a worker that sends the order to review
    screener = FakeFraudScreening(REVIEW)
    product = _product(api, verified_vendor)
    # When the buyer places a card order from a US client, shipped to DE
    placed = place_order(_buyer(customer), _request(product), _deps(screener))
    # Then it waits for the review: stock taken, the card authorized, no saga, a case opened
    order = placed.order
    assert order.status is OrderStatus.PENDING_REVIEW
    assert {part.status.value for part in order.parts} == {"pending_review"}
    assert order.payment.status == "authorized"
    assert order.execution_name is None
    assert _stock(product) == 2
    assert _case(order.id) == ("order_held", "open", uuid.UUID(customer.id))
    assert _events(order.id, "fraud.case_opened") == 1
    assert _scalar("SELECT payload->>'screening' FROM outbox_events WHERE type = "
                   "'order.placed' AND payload->>'order_id' = :id", id=order.id) == "done"
    # And the worker was asked about this order, with what the client sent
    assert [(a.subject, a.amount, a.client_country, a.shipping_country, a.device_id)
            for a in screener.asked] == [(order.id, 60_000, "US", "DE", "device-review-1")]


def test_a_replay_of_a_held_order_is_not_screened_again(api, customer, verified_vendor):
    screener = FakeFraudScreening(REVIEW)
    product = _product(api, verified_vendor)
    request = _request(product)
    first = place_order(_buyer(customer), request, _deps(screener))
    again = place_order(_buyer(customer), request, _deps(screener))
    assert (again.order.id, again.replayed, again.order.status) == (
        first.order.id, True, OrderStatus.PENDING_REVIEW)
    assert len(screener.asked) == 1


def test_the_authorized_webhook_leaves_a_held_order_alone(api, customer, verified_vendor):
    # Given a held card order
    order_id, _ = _held_card_order(api, customer, verified_vendor)
    # When the Stripe twin's webhooks for its authorization were delivered
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not _scalar(
            "SELECT count(*) FROM payment_events e JOIN payments p ON p.id = e.payment_id "
            "WHERE p.order_id = :id AND e.provider_event_id IS NOT NULL", id=order_id):
        time.sleep(0.2)
    # Then the order still waits for its review, uncharged
    assert _scalar("SELECT status FROM orders WHERE id = :id", id=order_id) == "pending_review"
    assert _scalar("SELECT status FROM payments WHERE order_id = :id", id=order_id) == (
        "authorized")


def test_a_held_order_whose_card_is_declined_fails_with_its_stock_back(api, customer,
                                                                        verified_vendor):
    # Given a worker that holds the order, and a card its issuer declines
    product = _product(api, verified_vendor)
    request = _request(product, token="pm_card_chargeDeclined")
    # When the buyer places it
    with pytest.raises(PaymentDeclined):
        place_order(_buyer(customer), request, _deps(FakeFraudScreening(REVIEW)))
    # Then the held order failed at once, its stock returned, `order.payment_failed`
    with bootstrap.orders_unit_of_work() as tx:
        order_id = str(tx.orders.order_for_key(customer.id, request.idempotency_key))
    assert _scalar("SELECT status FROM orders WHERE id = :id", id=order_id) == "payment_failed"
    assert _stock(product) == 3
    assert _events(order_id, "order.payment_failed") == 1


def test_a_refused_order_reserves_nothing_and_opens_a_case(api, customer, verified_vendor):
    # Given a worker that blocks the order
    product = _product(api, verified_vendor)
    request = _request(product)
    # When the buyer places it, and retries the same key
    for _ in range(2):
        with pytest.raises(FraudRejected) as refused:
            place_order(_buyer(customer), request, _deps(FakeFraudScreening(BLOCK)))
        assert (refused.value.status, refused.value.code) == (403, "fraud_rejected")
    # Then no order exists, the stock is untouched, and one case was opened
    with bootstrap.orders_unit_of_work() as tx:
        assert tx.orders.order_for_key(customer.id, request.idempotency_key) is None
    assert _stock(product) == 3
    assert _scalar("SELECT count(*) FROM fraud_cases WHERE account_id = :id AND "
                   "action = 'order_rejected'", id=customer.id) == 1


def test_an_approved_card_order_is_captured_and_paid(api, customer, verified_vendor):
    # Given a held card order
    order_id, product = _held_card_order(api, customer, verified_vendor)
    # When an admin's review approves it
    order_review.approve_reviewed_order(order_id, _deps())
    # Then its authorization is captured and its saga makes it paid
    assert _wait_status(order_id, "paid") == "paid"
    assert _scalar("SELECT status FROM payments WHERE order_id = :id", id=order_id) == (
        "succeeded")
    assert _stock(product) == 2
    assert _events(order_id, "order.paid") == 1


def test_a_rejected_card_order_is_voided_cancelled_and_its_stock_back(api, customer,
                                                                      verified_vendor):
    # Given a held card order
    order_id, product = _held_card_order(api, customer, verified_vendor)
    # When an admin's review rejects it
    order = order_review.reject_reviewed_order(order_id, "fraud_rejected", _deps())
    # Then the authorization is voided, the order cancelled, the stock returned
    assert (order.status, order.failure_reason, order.payment.status) == (
        OrderStatus.CANCELLED, "fraud_rejected", "canceled")
    assert _stock(product) == 3
    assert _events(order_id, "order.cancelled") == 1
    # And a second decision is refused, changing nothing
    with pytest.raises(InvalidState):
        order_review.approve_reviewed_order(order_id, _deps())
    with pytest.raises(InvalidState):
        order_review.reject_reviewed_order(order_id, "fraud_rejected", _deps())
    assert _events(order_id, "order.cancelled") == 1


def test_a_held_bank_transfer_has_no_payment_until_approved(api, customer, verified_vendor):
    # Given a bank transfer order held for review
    product = _product(api, verified_vendor)
    placed = place_order(_buyer(customer), _request(product, "bank_transfer"),
                         _deps(FakeFraudScreening(REVIEW)))
    assert (placed.order.status, placed.order.payment.status) == (
        OrderStatus.PENDING_REVIEW, "creating")
    # When it is approved
    order = order_review.approve_reviewed_order(placed.order.id, _deps())
    # Then its payment starts as at placement: transfer instructions, a saga waiting
    assert order.status is OrderStatus.PENDING_PAYMENT
    assert order.payment.status == "requires_action"
    assert order.payment.next_action["type"] == "bank_transfer_instructions"
    assert order.execution_name is not None


def test_approve_racing_reject_lets_exactly_one_win(api, customer, verified_vendor):
    # Given a held card order
    order_id, product = _held_card_order(api, customer, verified_vendor)
    outcomes: dict[str, str] = {}

    def decide(name, call):
        try:
            call()
            outcomes[name] = "won"
        except InvalidState:
            outcomes[name] = "lost"

    # When an approve and a reject run at once
    threads = [threading.Thread(target=decide, args=(
                   "approve", lambda: order_review.approve_reviewed_order(order_id, _deps()))),
               threading.Thread(target=decide, args=(
                   "reject", lambda: order_review.reject_reviewed_order(
                       order_id, "fraud_rejected", _deps())))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one won and the order and its payment agree with it
    assert sorted(outcomes.values()) == ["lost", "won"]
    if outcomes["approve"] == "won":
        assert _wait_status(order_id, "paid") == "paid"
        assert _stock(product) == 2
    else:
        assert _scalar("SELECT status FROM orders WHERE id = :id", id=order_id) == "cancelled"
        assert _scalar("SELECT status FROM payments WHERE order_id = :id",
                       id=order_id) == "canceled"
        assert _stock(product) == 3


def test_a_review_past_its_deadline_is_rejected_by_the_sweep(api, customer, verified_vendor,
                                                             advance_clock):  # noqa: F811
    # Given a held card order
    order_id, product = _held_card_order(api, customer, verified_vendor)
    # When its review outlives FRAUD_REVIEW_MAX_S and the expiry sweep runs
    advance_clock(bootstrap.settings().fraud_review_max_s + 60)
    done = order_review.expire_reviews(_deps())
    # Then it is cancelled as a rejection would, its stock back
    assert done["reviews_expired"] >= 1
    assert _scalar("SELECT status FROM orders WHERE id = :id", id=order_id) == "cancelled"
    assert _scalar("SELECT failure_reason FROM orders WHERE id = :id", id=order_id) == (
        "fraud_review_expired")
    assert _stock(product) == 3
