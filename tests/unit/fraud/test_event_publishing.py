"""signal.registration and signal.login: what the functions publish for the fraud worker,
and that a publish that fails never fails the registration or login it describes."""

from __future__ import annotations

import logging

from common.domain.errors import ServiceUnavailable
from common.domain.events import Event, SignalLogin, SignalRegistration
from common.domain.identity import Role
from common.domain.security_signals import Origin
from common.services.security_signals import (
    signal_failed_login,
    signal_login,
    signal_registration,
)
from tests.unit.fakes import FakeDatabase
from tests.unit.given import given_account

ORIGIN = Origin(device_id="device-12345678", ip="198.51.100.7", country="DE")


class FakeSignalPublisher:
    def __init__(self, error: Exception | None = None) -> None:
        self.published: list[Event] = []
        self.error = error

    def publish(self, event: Event) -> None:
        if self.error is not None:
            raise self.error
        self.published.append(event)


def test_a_registration_signal_carries_the_domain_and_shape_of_the_email_only():
    # Given a new account
    db, publisher = FakeDatabase(), FakeSignalPublisher()
    account = given_account(db, Role.VENDOR)
    # When its registration is signalled
    signal_registration(account, "Qwerty12345@Mailinator.com", ORIGIN, publisher)
    # Then one event, keyed by its signal id, with no trace of the address
    [event] = publisher.published
    assert isinstance(event, SignalRegistration) and event.id == event.signal_id
    assert event.payload() == {
        "signal_id": event.id, "account_id": account.id, "role": "vendor",
        "email_domain": "mailinator.com",
        "email_local_shape": {"length": 11, "digits": 5, "letters": 6, "symbols": 0,
                              "entropy": 3.46, "keyboard_run": 6},
        "device_id": "device-12345678", "ip": "198.51.100.7", "country": "DE"}
    assert "qwerty" not in str(event.payload()).lower()


def test_a_login_signal_says_the_outcome_and_the_origin():
    publisher = FakeSignalPublisher()
    signal_login("account-1", True, Origin(), publisher)
    [event] = publisher.published
    assert isinstance(event, SignalLogin)
    assert event.payload() == {"signal_id": event.id, "account_id": "account-1",
                               "outcome": "succeeded", "device_id": None, "ip": None,
                               "country": None}


def test_a_failed_login_names_the_account_of_a_known_email_and_none_of_an_unknown_one():
    db, publisher = FakeDatabase(), FakeSignalPublisher()
    account = given_account(db)
    signal_failed_login(account.email, ORIGIN, uow=db.unit_of_work, publisher=publisher)
    signal_failed_login("nobody@example.com", ORIGIN, uow=db.unit_of_work, publisher=publisher)
    assert [(e.account_id, e.outcome) for e in publisher.published] == [
        (account.id, "failed"), (None, "failed")]


def test_a_signal_pubsub_refuses_is_logged_by_ids_and_dropped(caplog):
    # Given Pub/Sub that refuses every message
    db = FakeDatabase()
    publisher = FakeSignalPublisher(ServiceUnavailable("Pub/Sub"))
    account = given_account(db)
    # When a registration and a login are signalled
    with caplog.at_level(logging.WARNING):
        signal_registration(account, account.email, ORIGIN, publisher)
        signal_login(account.id, True, ORIGIN, publisher)
    # Then nothing raises, and the log names the events, never the email
    assert [r.getMessage() for r in caplog.records] == ["security signal not published"] * 2
    assert [r.fields["event_type"] for r in caplog.records] == ["signal.registration",
                                                               "signal.login"]
    assert account.email not in caplog.text and account.email.split("@")[0] not in str(
        [r.fields for r in caplog.records])


def test_a_failed_login_is_not_signalled_when_the_database_is_down(caplog):
    db, publisher = FakeDatabase(), FakeSignalPublisher()
    db.unavailable = True
    with caplog.at_level(logging.WARNING):
        signal_failed_login("a@example.com", ORIGIN, uow=db.unit_of_work, publisher=publisher)
    assert publisher.published == []
    assert [r.fields["dependency"] for r in caplog.records] == ["database"]
