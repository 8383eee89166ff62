"""signal.registration: disposable and generated-looking emails, device and address bursts."""

import dataclasses
import uuid

import pytest

from common.domain.security_signals import EmailShape, email_domain, email_shape
from edge_workers.fraud.event_handlers import HANDLERS, on_registration
from edge_workers.fraud.findings import RULES_VERSION
from edge_workers.fraud.history import MemoryHistory
from edge_workers.fraud.registration_checks import is_disposable, looks_generated
from tests.unit.fraud.signals_given import NOW, event_id, minutes, registration


def test_the_signal_carries_the_domain_and_a_shape_never_the_address():
    shape = email_shape("Qwerty12345@Mailinator.com")
    assert email_domain("Qwerty12345@Mailinator.com") == "mailinator.com"
    assert shape == EmailShape(length=11, digits=5, letters=6, symbols=0, entropy=3.46,
                               keyboard_run=6)
    assert "qwerty" not in str(dataclasses.asdict(shape)).lower()


@pytest.mark.parametrize("domain,disposable", [
    ("mailinator.com", True), ("eu.mailinator.com", True), ("yopmail.fr", True),
    ("example.com", False), ("gmail.com", False), ("notmailinator.com", False)])
def test_disposable_domains_come_from_the_shipped_list(domain, disposable):
    assert is_disposable(domain) is disposable


@pytest.mark.parametrize("email,generated", [
    ("anna.schmidt@example.de", False), ("j.doe1985@example.com", False),
    ("x7k2p9q4m1z8@example.com", True), ("asdfghjk@example.com", True),
    ("user48213977@example.com", True)])
def test_generated_looking_local_parts(email, generated):
    assert bool(looks_generated(dataclasses.asdict(email_shape(email)))) is generated


def test_an_ordinary_registration_is_recorded_and_opens_no_case():
    # Given an empty history
    history = MemoryHistory()
    payload = registration()
    # When an ordinary registration arrives
    cases = HANDLERS["signal.registration"](payload["signal_id"], payload, history, NOW)
    # Then it is history, and no case
    assert cases == []
    assert [(s.kind, s.account_id, s.ip, s.detail["email_domain"]) for s in history.recorded] \
        == [("registration", payload["account_id"], "198.51.100.7", "example.de")]


def test_a_disposable_address_opens_a_case_that_blocks_nothing():
    history = MemoryHistory()
    payload = registration("anna@mailinator.com")
    [case] = on_registration(payload["signal_id"], payload, history, NOW)
    assert (case.kind, case.subject_id, case.account_id, case.action, case.score) == (
        "registration", payload["account_id"], payload["account_id"], "none", 0.5)
    assert case.reasons == ("disposable email domain mailinator.com",)
    assert case.model_version == RULES_VERSION
    assert "anna" not in str(case.evidence)


def test_the_third_registration_from_one_device_within_an_hour_is_a_burst():
    # Given two registrations from one device in the last hour
    history, device = MemoryHistory(), f"device-{uuid.uuid4().hex}"
    for ago in (50, 20):
        earlier = registration(device_id=device, ip=None)
        assert on_registration(event_id(), earlier, history, NOW - minutes(ago)) == []
    # When a third comes from it
    payload = registration(device_id=device, ip=None)
    [case] = on_registration(event_id(), payload, history, NOW)
    # Then a case opens without blocking
    assert case.reasons == ("3 registrations from this device in 1 h",)
    assert (case.action, case.score) == ("none", 0.5)


def test_a_device_burst_of_four_accounts_blocks_the_newest():
    history, device = MemoryHistory(), f"device-{uuid.uuid4().hex}"
    for ago in (40, 30, 20):
        on_registration(event_id(), registration(device_id=device), history, NOW - minutes(ago))
    [case] = on_registration(event_id(), registration(device_id=device), history, NOW)
    assert case.reasons == ("4 registrations from this device in 1 h",
                            "4 accounts on this device in 30 days",
                            "4 registrations from this address in 1 h")
    assert (case.action, case.score) == ("account_blocked", 0.88)


def test_registrations_older_than_the_window_are_no_burst():
    history, device = MemoryHistory(), f"device-{uuid.uuid4().hex}"
    for ago in (180, 120):
        on_registration(event_id(), registration(device_id=device, ip=None), history,
                        NOW - minutes(ago))
    assert on_registration(event_id(), registration(device_id=device, ip=None), history,
                           NOW) == []


def test_the_local_stacks_loopback_address_is_not_counted():
    history = MemoryHistory()
    for ago in (3, 2, 1, 0):
        cases = on_registration(event_id(), registration(ip="127.0.0.1"), history,
                                NOW - minutes(ago))
    assert cases == [] and {s.ip for s in history.recorded} == {None}


def test_a_replayed_registration_records_and_finds_nothing_new():
    history, payload = MemoryHistory(), registration("anna@mailinator.com")
    first = on_registration("event-1", payload, history, NOW)
    again = on_registration("event-1", payload, history, NOW)
    assert (len(first), again, len(history.recorded)) == (1, [], 1)


def test_a_payload_without_its_fields_is_refused():
    with pytest.raises(ValueError, match="payload lacks account_id"):
        on_registration(event_id(), {"email_domain": "x", "email_local_shape": {}},
                        MemoryHistory(), NOW)
