"""Flash sale: 100 buyers race for 10 units through the HTTP API."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from common import bootstrap
from common.domain.identity import Role
from common.services.registration import NewAccount, register
from tests.conftest import unique_email
from tests.e2e.client import PASSWORD, User
from tests.e2e.orders import (
    accept_methods,
    card,
    order_body,
    place,
    stocked_product,
    wait_for_status,
)

BUYERS, UNITS = 100, 10


def _buyer(api) -> User:
    """A verified customer, made with the registration use case (as the admin fixture is)."""
    email = unique_email("flash")
    account = register(NewAccount("Flash buyer", email, PASSWORD, Role.CUSTOMER),
                       bootstrap.unit_of_work, bootstrap.identity(), email_verified=True)
    return api.login(User(account.id, email, PASSWORD))


def _place_retrying(api, buyer: User, body: dict):
    key = f"flash-{uuid.uuid4()}"
    for _ in range(20):
        answer = place(api, buyer, body, key)
        if answer.status_code != 503:
            return answer
        time.sleep(0.2)
    return answer


def test_100_buyers_for_10_units_end_in_10_paid_orders_and_no_oversell(api, verified_vendor):
    # Given 10 units and 100 signed-in buyers
    accept_methods(api, verified_vendor)
    product = stocked_product(api, verified_vendor, stock=UNITS)
    with ThreadPoolExecutor(max_workers=20) as pool:
        buyers = list(pool.map(lambda _: _buyer(api), range(BUYERS)))
    body = order_body([(product["id"], 1)], card())
    # When they all order one at once (retrying a 503 with the same key, as Retry-After asks:
    # one local process has a pool of 10 connections per role for all 100)
    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        answers = list(pool.map(lambda buyer: _place_retrying(api, buyer, body), buyers))
    # Then exactly 10 got their order (202, or 200 for a retry that found it already paid)
    # and every other buyer was told insufficient_stock
    accepted = [(b, a.json()["id"]) for b, a in zip(buyers, answers, strict=True)
                if a.status_code in (200, 202)]
    refused = [a for a in answers if a.status_code not in (200, 202)]
    assert len(accepted) == UNITS
    assert {(a.status_code, a.json()["code"]) for a in refused} == {(409, "insufficient_stock")}
    assert all(a.json()["items"] == [{"product_id": product["id"], "available": 0}]
               for a in refused)
    # And all 10 are paid, the stock is 0 and never went below it
    for buyer, order_id in accepted:
        wait_for_status(api, buyer, order_id, "paid", timeout=60)
    with bootstrap.engine().connect() as db:
        stock = db.execute(text("SELECT stock FROM products WHERE id = :id"),
                           {"id": product["id"]}).scalar()
        sold = db.execute(text("SELECT coalesce(sum(l.quantity), 0) FROM order_lines l "
                               "JOIN orders o ON o.id = l.order_id WHERE l.product_id = :id "
                               "AND o.status = 'paid'"), {"id": product["id"]}).scalar()
    assert (stock, sold) == (0, UNITS)
