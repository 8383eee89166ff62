"""The mail an event calls for, and sending it."""

from __future__ import annotations

import pytest

from common.domain import notifications as templates
from common.domain.errors import ServiceUnavailable
from common.domain.events import (
    AccountBlocked,
    Event,
    PasswordResetRequested,
    UserRegistered,
    VendorProfileUpdated,
    VendorRejected,
    VendorVerified,
)
from common.domain.identity import AccountState, Role
from common.services.notifications import compose, notify
from tests.unit.fakes import FakeDatabase, FakeIdentity, FakeMailer
from tests.unit.given import SETTINGS, given_account, new_id

BASE = SETTINGS.public_base_url


def test_a_registration_mails_a_verification_link_that_verifies_the_email():
    db, identity = FakeDatabase(), FakeIdentity()
    account = given_account(db, Role.VENDOR, email_verified=False)
    event = UserRegistered(account_id=account.id, role="vendor")

    mail = compose(event, account, identity=identity, public_base_url=BASE)

    [code] = identity.oob_codes
    link = f"{BASE}/v1/email-verification?oob_code={code}"
    assert mail == templates.verification_mail(account.email, account.name, link, True, event.id)
    assert identity.oob_codes == {code: account.email}


def test_a_reset_request_mails_firebases_reset_link():
    db, identity = FakeDatabase(), FakeIdentity()
    account = given_account(db)
    event = PasswordResetRequested(account_id=account.id)

    mail = compose(event, account, identity=identity, public_base_url=BASE)

    assert mail == templates.password_reset_mail(
        account.email, account.name, "https://auth.example/reset?code=reset-1", event.id)


@pytest.mark.parametrize("make_event,template", [
    (lambda a: VendorVerified(vendor_id=a.id),
     lambda a, e: templates.vendor_verified_mail(a.email, a.name, "Lumen Ltd", e.id)),
    (lambda a: VendorRejected(vendor_id=a.id, reason="No registry entry"),
     lambda a, e: templates.vendor_rejected_mail(a.email, a.name, "Lumen Ltd",
                                                 "No registry entry", e.id)),
], ids=["verified", "rejected"])
def test_a_vendor_review_mails_the_vendor_its_outcome(make_event, template):
    db = FakeDatabase()
    vendor = given_account(db, Role.VENDOR)
    event = make_event(vendor)

    assert compose(event, vendor, identity=FakeIdentity(), public_base_url=BASE) == template(
        vendor, event)


@pytest.mark.parametrize("role,state,verified,make_event", [
    (Role.CUSTOMER, AccountState.ACTIVE, True,
     lambda a: UserRegistered(account_id=a.id, role="customer")),
    (Role.CUSTOMER, AccountState.BLOCKED, False,
     lambda a: UserRegistered(account_id=a.id, role="customer")),
    (Role.CUSTOMER, AccountState.BLOCKED, True, lambda a: PasswordResetRequested(account_id=a.id)),
    (Role.CUSTOMER, AccountState.ACTIVE, True, lambda a: VendorVerified(vendor_id=a.id)),
    (Role.VENDOR, AccountState.ACTIVE, True,
     lambda a: VendorProfileUpdated(vendor_id=a.id, fields=("website",))),
    (Role.CUSTOMER, AccountState.ACTIVE, True, lambda a: AccountBlocked(account_id=a.id)),
], ids=["verified-already", "blocked-since-registering", "reset-of-a-blocked-account",
        "vendor-event-of-no-vendor", "event-without-a-mail", "account-event-without-a-mail"])
def test_nothing_is_mailed_when_there_is_nothing_to_say(role, state, verified, make_event):
    db, identity = FakeDatabase(), FakeIdentity()
    account = given_account(db, role, state=state, email_verified=verified)

    assert compose(make_event(account), account, identity=identity, public_base_url=BASE) is None
    assert identity.calls == []


def send(event: Event, db: FakeDatabase, mailer: FakeMailer) -> bool:
    with db.unit_of_work() as tx:
        return notify(event, tx, identity=FakeIdentity(), mailer=mailer, public_base_url=BASE)


def test_notify_mails_the_account_the_event_is_about():
    db, mailer = FakeDatabase(), FakeMailer()
    vendor = given_account(db, Role.VENDOR)
    event = VendorVerified(vendor_id=vendor.id)

    assert send(event, db, mailer) is True
    assert mailer.sent == [templates.vendor_verified_mail(vendor.email, vendor.name, "Lumen Ltd",
                                                          event.id)]


@pytest.mark.parametrize("case", ["account-gone", "no-mail-for-this-event"])
def test_notify_sends_nothing_when_there_is_no_one_or_nothing_to_mail(case):
    db, mailer = FakeDatabase(), FakeMailer()
    vendor = given_account(db, Role.VENDOR)
    event: Event = (PasswordResetRequested(account_id=new_id()) if case == "account-gone"
                    else VendorProfileUpdated(vendor_id=vendor.id, fields=("website",)))

    assert send(event, db, mailer) is False
    assert mailer.sent == []


def test_a_relay_that_is_down_fails_the_delivery_so_that_it_is_retried():
    db, mailer = FakeDatabase(), FakeMailer()
    account = given_account(db)
    mailer.fail("send", ServiceUnavailable("smtp"))

    with pytest.raises(ServiceUnavailable):
        send(PasswordResetRequested(account_id=account.id), db, mailer)
