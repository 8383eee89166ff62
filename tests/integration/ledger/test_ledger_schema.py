"""The ledger in the database: a journal that does not balance cannot commit, no function's
role may rewrite history, and a sale is posted once however often it is announced."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import exc, text

from common import bootstrap
from tests.integration.ledger.money import journals, paid_order, publish, settle

pytestmark = pytest.mark.events


def test_a_journal_whose_entries_do_not_balance_cannot_commit(stack):
    journal = str(uuid.uuid4())
    with pytest.raises(exc.DatabaseError, match="does not balance"):
        with bootstrap.engine().begin() as db:
            db.execute(text("INSERT INTO ledger_journals (id, idempotency_key, kind) "
                            "VALUES (:id, :id, 'sale')"), {"id": journal})
            db.execute(text("INSERT INTO ledger_entries (journal_id, account, amount) "
                            "VALUES (:id, 'customer_funds', 100), "
                            "(:id, 'platform_commission', -99)"), {"id": journal})
    with bootstrap.engine().connect() as db:
        assert db.execute(text("SELECT count(*) FROM ledger_journals WHERE id = :id"),
                          {"id": journal}).scalar_one() == 0


@pytest.mark.parametrize("role", ["bazaar_ledger", "bazaar_balances"])
@pytest.mark.parametrize("statement", [
    "UPDATE ledger_entries SET amount = amount WHERE false",
    "DELETE FROM ledger_journals WHERE false",
], ids=["update", "delete"])
def test_no_function_role_may_rewrite_the_ledger(stack, role, statement):
    with bootstrap.database_role(role), pytest.raises(exc.DatabaseError, match="permission"):
        with bootstrap.engine().begin() as db:
            db.execute(text(statement))


def test_a_sale_announced_twice_is_posted_once(api, stack, pubsub, customer, verified_vendor):
    # Given an order paid through the API (its order.paid published by the saga's step)
    paid = paid_order(api, customer, [(verified_vendor, 3000)])

    # When another order.paid of the same order comes (a new event id)
    publish(dataclasses.replace(paid, id=str(uuid.uuid4())))
    settle(pubsub)

    # Then the sale is journalled once, its four entries balanced

    assert journals(paid.order_id) == {f"sale:{paid.order_id}": 0}
    with bootstrap.engine().connect() as db:
        assert db.execute(text("SELECT count(*) FROM ledger_entries e JOIN ledger_journals j "
                               "ON j.id = e.journal_id WHERE j.order_id = :id"),
                          {"id": paid.order_id}).scalar_one() == 4
