"""The fraud check of a new order (common/services/order_screening.py) with a fake fraud
screening port: what the worker is asked, which case a decision opens, and the fallback."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from common.domain.errors import ProductUnavailable
from common.domain.fraud import FraudDecision, OrderScreening
from common.domain.orders import Offer, OrderItem
from common.services import order_screening
from common.settings import SettingsError, from_environment

DB = {"DATABASE_URL": "postgresql+pg8000://nobody@unused/bazaar"}
SETTINGS = from_environment(DB)
BUYER = "11111111-1111-4111-8111-111111111111"
PRODUCT = "22222222-2222-4222-8222-222222222222"
OFFER = Offer(PRODUCT, "33333333-3333-4333-8333-333333333333", "Lamp", 25_000, "EUR", 5,
              "lighting", True, True, ("card", "paypal", "bank_transfer"))


class FakeFraudScreening:
    def __init__(self, decision: FraudDecision) -> None:
        self.decision = decision
        self.asked: list[OrderScreening] = []

    def screen(self, screening: OrderScreening) -> FraudDecision:
        self.asked.append(screening)
        return self.decision


class FakeOffers:
    def __init__(self, offers: dict[str, Offer]) -> None:
        self.offers = offers

    def read_offers(self, product_ids: list[str]) -> dict[str, Offer]:
        return {pid: self.offers[pid] for pid in product_ids if pid in self.offers}


@dataclass
class FakeTransaction:
    orders: FakeOffers


@dataclass(frozen=True)
class Request:
    method: str = "card"
    payment_method_token: str | None = "pm_card_visa"
    shipping_address: dict | None = None
    device_id: str | None = "device-0001"
    ip: str | None = "203.0.113.7"
    client_country: str | None = "US"


def _screening(amount: int = 50_000) -> OrderScreening:
    return OrderScreening(subject="order-1", account_id=BUYER, device_id="device-0001",
                          ip="203.0.113.7", client_country="US", shipping_country="DE",
                          amount=amount, currency="EUR", method="card", card="pm_card_visa")


def test_the_worker_is_asked_about_the_order_priced_from_the_catalog():
    # Given two lamps of €250 shipped to DE, ordered from a US client
    tx = FakeTransaction(FakeOffers({PRODUCT: OFFER}))
    request = Request(shipping_address={"country": "DE"})
    # When the screening is built
    asked = order_screening.screening_of("order-1", BUYER, (OrderItem(PRODUCT, 2),), request,
                                         tx, SETTINGS)
    # Then it carries the plan's total and what the client sent
    assert asked == OrderScreening(
        subject="order-1", account_id=BUYER, device_id="device-0001", ip="203.0.113.7",
        client_country="US", shipping_country="DE", amount=50_000, currency="EUR",
        method="card", card="pm_card_visa")


def test_a_bank_transfer_sends_no_card_token():
    tx = FakeTransaction(FakeOffers({PRODUCT: OFFER}))
    request = Request(method="bank_transfer", payment_method_token=None,
                      shipping_address={"country": "FR"})
    asked = order_screening.screening_of("order-1", BUYER, (OrderItem(PRODUCT, 1),), request,
                                         tx, SETTINGS)
    assert (asked.card, asked.method, asked.amount) == (None, "bank_transfer", 25_000)


def test_an_unknown_product_is_refused_before_the_worker_is_asked():
    tx = FakeTransaction(FakeOffers({}))
    with pytest.raises(ProductUnavailable):
        order_screening.screening_of("order-1", BUYER, (OrderItem(PRODUCT, 1),),
                                     Request(shipping_address={"country": "DE"}), tx,
                                     SETTINGS)


@pytest.mark.parametrize(("decision", "action"), [
    pytest.param(FraudDecision("review", 0.6, ("first order of high value",), "v1"),
                 "order_held", id="review-holds"),
    pytest.param(FraudDecision("block", 0.9, ("5 declined payments",), "v1"),
                 "order_rejected", id="block-rejects"),
    pytest.param(FraudDecision("block", 0.99, ("5 declined payments",), "v1",
                               block_account=True),
                 "account_blocked", id="block-account"),
])
def test_a_held_or_refused_order_opens_a_case_with_its_action(decision, action):
    draft = order_screening.case_for(_screening(), decision)
    assert draft is not None
    assert (draft.kind, draft.subject_id, draft.account_id, draft.action, draft.score,
            draft.reasons, draft.model_version) == (
        "order", "order-1", BUYER, action, decision.score, decision.reasons, "v1")
    assert draft.evidence == {"amount": 50_000, "currency": "EUR", "method": "card",
                              "shipping_country": "DE", "client_country": "US",
                              "device_id": "device-0001", "ip": "203.0.113.7",
                              "screened": True}


def test_an_allowed_order_opens_no_case():
    assert order_screening.case_for(
        _screening(), FraudDecision("allow", 0.01, (), "v1")) is None


def test_the_screener_answers_the_decision_and_sees_the_screening():
    # Given a worker that holds every order
    held = FraudDecision("review", 0.5, ("first order of high value",), "v1")
    screener = FakeFraudScreening(held)
    # When an order is screened
    decision = order_screening.screen(_screening(), screener)
    # Then its decision is the worker's, asked once about that order
    assert decision == held
    assert screener.asked == [_screening()]


def test_without_a_screener_the_order_goes_on_and_is_screened_afterwards():
    decision = order_screening.screen(_screening(), None)
    assert (decision.action, decision.screened) == ("allow", False)


def test_a_buyers_key_always_names_the_same_order_and_another_key_another():
    first = order_screening.order_id_for(BUYER, "key-1")
    assert first == order_screening.order_id_for(BUYER, "key-1")
    assert first != order_screening.order_id_for(BUYER, "key-2")
    assert first != order_screening.order_id_for(str(uuid.uuid4()), "key-1")
    assert uuid.UUID(first).version == 5


@pytest.mark.parametrize("seconds", ["59", "518401"])
def test_a_review_longer_than_a_card_hold_or_under_a_minute_is_refused(seconds):
    with pytest.raises(SettingsError, match="FRAUD_REVIEW_MAX_S"):
        from_environment({**DB, "FRAUD_REVIEW_MAX_S": seconds})


def test_a_review_lasts_three_days_by_default():
    assert from_environment(DB).fraud_review_max_s == 3 * 24 * 3600


def test_a_held_order_keeps_its_status_whatever_its_parts_say_and_is_not_settled():
    from common.domain.orders import SETTLED, OrderStatus, PartStatus, order_status_from_parts

    assert order_status_from_parts(OrderStatus.PENDING_REVIEW,
                                   [PartStatus.PENDING_REVIEW]) is OrderStatus.PENDING_REVIEW
    assert OrderStatus.PENDING_REVIEW not in SETTLED


def test_a_deferred_order_is_placed_with_what_screening_it_afterwards_needs():
    # Given an order the worker could not decide in time, and one it decided
    asked = _screening()
    deferred = order_screening.screen(asked, None)
    decided = FraudDecision("allow", 0.01, (), "v1")

    # When their order.placed events are made
    late = order_screening.placed_event("order-1", BUYER, 50_000, asked, deferred)
    done = order_screening.placed_event("order-2", BUYER, 50_000, asked, decided)

    # Then only the deferred one carries the device, the client's country and the card token
    assert (late.screening, late.device_id, late.client_country, late.card) == (
        "deferred", asked.device_id, asked.client_country, asked.card)
    assert (done.screening, done.device_id, done.client_country, done.card) == (
        "done", None, None, None)
