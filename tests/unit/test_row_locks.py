"""Row locks are taken in one global order, from one module."""

from __future__ import annotations

import re

import pytest

from common.adapters.row_locks import LOCK_ORDER, LockOrderError, RowLocks
from tests.conftest import ROOT

A, B, C, D = (f"00000000-0000-4000-8000-00000000000{n}" for n in "abcd")


def test_rows_of_a_table_are_locked_by_ascending_id():
    locks = RowLocks()
    locks.clause("products", [A])
    locks.clause("products", [C])
    locks.clause("products", [D])
    with pytest.raises(LockOrderError, match="products"):
        locks.clause("products", [B])


def test_tables_are_locked_in_the_declared_order():
    locks = RowLocks()
    locks.clause("accounts", [C])
    locks.clause("products", [A])
    with pytest.raises(LockOrderError, match="accounts"):
        locks.clause("accounts", [B])


def test_a_row_already_held_may_be_locked_again():
    locks = RowLocks()
    locks.clause("accounts", [A])
    locks.clause("products", [B])
    assert locks.clause("accounts", [A.upper()], alias="a") == " FOR UPDATE OF a"


def test_several_rows_in_one_statement_are_checked_from_the_lowest():
    locks = RowLocks()
    locks.clause("products", [B])
    with pytest.raises(LockOrderError):
        locks.clause("products", [C, A])


def test_a_table_outside_the_order_cannot_be_locked():
    with pytest.raises(LockOrderError):
        RowLocks().lock(None, "outbox_events", [A])  # type: ignore[arg-type]
    assert "outbox_events" not in LOCK_ORDER


def test_no_other_module_writes_a_waiting_row_lock():
    waiting = re.compile(r"FOR UPDATE(?! SKIP LOCKED)")
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "common").rglob("*.py")
                 if path.name != "row_locks.py" and "migrations" not in path.parts
                 and waiting.search(path.read_text())]
    assert offenders == []
