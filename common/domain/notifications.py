"""What each email says, and how long an event is worth mailing about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    dedup_id: str  # the event id: the same event never makes two different mails


# An event older than this is dropped instead of mailed: its link or news is stale.
USEFUL_LIFE = {
    "user.registered": timedelta(days=3),
    "password_reset.requested": timedelta(hours=1),
    "vendor.verified": timedelta(days=7),
    "vendor.rejected": timedelta(days=7),
    # Order news (common/domain/order_mails.py): a week late it is confusing, not helpful.
    "order.paid": timedelta(days=7),
    "order.payment_failed": timedelta(days=3),
    "order.cancelled": timedelta(days=7),
    "order.part_shipped": timedelta(days=7),
    # An away member's chat digest: a day late, they have most likely been back.
    "chat.digest_due": timedelta(days=1),
}


def verification_mail(to: str, name: str, link: str, is_vendor: bool, event_id: str) -> Mail:
    after = (
        "Once your email is verified, our team reviews your business details; we will write "
        "to you when your shop is verified."
        if is_vendor
        else "Then you can buy, review and chat with vendors."
    )
    text = (
        f"Hello {name},\n\nwelcome to Bazaar! Please confirm your email address by opening "
        f"this link:\n\n{link}\n\n{after}\n\nIf you did not sign up, ignore this mail.\n"
    )
    return Mail(to, "Confirm your email address for Bazaar", text, event_id)


def password_reset_mail(to: str, name: str, link: str, event_id: str) -> Mail:
    text = (
        f"Hello {name},\n\nsomeone asked to reset the password of your Bazaar account. To choose "
        f"a new password, open this link within the hour:\n\n{link}\n\n"
        "If it was not you, ignore this mail: your password stays as it is.\n"
    )
    return Mail(to, "Reset your Bazaar password", text, event_id)


def vendor_verified_mail(to: str, name: str, legal_name: str, event_id: str) -> Mail:
    text = (
        f"Hello {name},\n\ngood news: we verified {legal_name}. You can now list products for "
        "sale on Bazaar.\n"
    )
    return Mail(to, "Your Bazaar vendor account is verified", text, event_id)


def vendor_rejected_mail(to: str, name: str, legal_name: str, reason: str, event_id: str) -> Mail:
    text = (
        f"Hello {name},\n\nwe could not verify {legal_name} as a vendor on Bazaar.\n\n"
        f"Reason: {reason}\n\nReply to this mail or contact an admin if you can provide more "
        "information.\n"
    )
    return Mail(to, "Your Bazaar vendor application", text, event_id)
