"""Every unit of work hands its one RowLocks to the adapters it adds: a lock taken through
any of them is ordered against the locks of all the others in the same transaction."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy

from common.adapters.money_unit_of_work import MoneyUnitOfWork
from common.adapters.postgres_orders import OrdersUnitOfWork
from common.adapters.postgres_refunds import RefundsUnitOfWork
from common.adapters.row_locks import LockOrderError
from common.adapters.unit_of_work import UnitOfWork

ID = str(uuid.uuid4())


@pytest.fixture
def engine() -> sqlalchemy.Engine:
    """A database the adapters never reach: the lock order is checked before any SQL runs."""
    return sqlalchemy.create_engine("sqlite://")


@pytest.mark.parametrize("unit_of_work,take_lock", [
    (UnitOfWork, lambda tx: tx.accounts.get(ID, for_update=True)),
    (UnitOfWork, lambda tx: tx.catalog.get(ID, for_update=True)),
    (OrdersUnitOfWork, lambda tx: tx.orders.lock_payment(ID)),
    (OrdersUnitOfWork, lambda tx: tx.decisions.mark_paid(ID)),
    (RefundsUnitOfWork, lambda tx: tx.refunds.order(ID, lock=True)),
    (MoneyUnitOfWork, lambda tx: tx.transfers.get(ID, for_update=True)),
    (MoneyUnitOfWork, lambda tx: tx.fulfilment.order(ID, for_update=True)),
], ids=["accounts", "catalog", "orders", "decisions", "refunds", "transfers", "fulfilment"])
def test_a_lock_out_of_order_is_refused_whichever_adapter_takes_it(engine, unit_of_work,
                                                                   take_lock):
    # Given a transaction that holds the last lock of LOCK_ORDER (a refund's row)
    with unit_of_work(engine, None) as tx:
        tx.locks.clause("refunds", [ID])

        # When one of its adapters asks for a row that sorts before it
        # Then that adapter refuses at once: they all keep the transaction's one bookkeeping
        with pytest.raises(LockOrderError):
            take_lock(tx)


def test_each_transaction_starts_with_no_lock_held(engine):
    # Given a transaction that locked a refund's row, then ended
    with OrdersUnitOfWork(engine, None) as first:
        first.locks.clause("refunds", [ID])

    # When the next one locks an earlier table, Then nothing of the first is in its way
    with OrdersUnitOfWork(engine, None) as second:
        assert second.locks.clause("accounts", [ID]) == " FOR UPDATE"
