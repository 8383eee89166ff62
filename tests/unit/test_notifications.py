"""What each email says, and when an event is too old to mail."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from common.domain import notifications
from common.domain.events import PasswordResetRequested, VendorProfileUpdated
from common.services.notifications import is_stale

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def test_verification_mail_carries_the_link_and_says_what_follows_for_vendors():
    mail = notifications.verification_mail("v@example.com", "Vi", "https://x/verify?c=1",
                                            True, "event-1")
    assert "https://x/verify?c=1" in mail.text and "business details" in mail.text
    assert (mail.to, mail.dedup_id) == ("v@example.com", "event-1")


def test_rejection_mail_carries_the_reason():
    mail = notifications.vendor_rejected_mail("v@example.com", "Vi", "Vi Ltd", "No registry", "e")
    assert "No registry" in mail.text and "Vi Ltd" in mail.text


def test_a_password_reset_older_than_an_hour_is_stale():
    def reset(age: timedelta) -> PasswordResetRequested:
        return PasswordResetRequested(account_id="a", occurred_at=NOW - age)

    assert not is_stale(reset(timedelta(minutes=59)), NOW)
    assert is_stale(reset(timedelta(minutes=61)), NOW)


def test_events_without_a_useful_life_never_go_stale():
    updated = VendorProfileUpdated(vendor_id="v", fields=("website",),
                                   occurred_at=NOW - timedelta(days=365))
    assert not is_stale(updated, NOW)
