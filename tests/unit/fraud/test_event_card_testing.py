"""Card testing: many small authorisations or declines per device or account in an hour."""

import uuid

from edge_workers.fraud.card_testing import card_testing_cases
from edge_workers.fraud.history import MemoryHistory
from edge_workers.fraud.signals import Signal
from tests.unit.fraud.signals_given import NOW, event_id, minutes


def record(history, kind, n, *, device=None, account=None, amount=None, start=NOW):
    for i in range(n):
        history.record(Signal(event_id(), kind, start + minutes(i), account_id=account,
                              device_id=device, amount=amount))


def test_five_authorisations_of_at_most_two_euros_on_a_device_block_the_account():
    history, device, account = MemoryHistory(), "device-card-1", str(uuid.uuid4())
    record(history, "order", 5, device=device, amount=100)
    [case] = card_testing_cases(history, "order-6", account, device, NOW + minutes(10))
    assert (case.kind, case.subject_id, case.action, case.score) == (
        "payment", "order-6", "account_blocked", 0.8)
    assert case.reasons == ("5 payments of at most €2 on this device in 1 h",)


def test_five_declines_on_an_account_block_it():
    history, account = MemoryHistory(), str(uuid.uuid4())
    record(history, "decline", 5, account=account)
    [case] = card_testing_cases(history, "order-x", account, None, NOW + minutes(10))
    assert case.reasons == ("5 declined payments on this account in 1 h",)


def test_ordinary_payments_and_old_declines_are_no_card_testing():
    history, device, account = MemoryHistory(), "device-card-2", str(uuid.uuid4())
    record(history, "order", 6, device=device, amount=2500)
    record(history, "decline", 5, device=device, start=NOW - minutes(120))
    assert card_testing_cases(history, "o", account, device, NOW) == []
