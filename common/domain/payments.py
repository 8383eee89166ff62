"""Payments as the marketplace sees them, whoever the provider is (Stripe today).

Plain values only: no provider SDK types, no HTTP. Amounts are integer minor units and
currencies lowercase ISO 4217 codes. Every `*_ref` is the provider's id of an object; our
own ids (order, payment, account, vendor) travel to the provider as metadata and come
back on its events.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Literal

from common.domain.identity import PAYMENT_METHODS, PaymentMethod


class PaymentStatus(str, enum.Enum):
    REQUIRES_ACTION = "requires_action"  # the buyer must authenticate, approve or transfer
    PROCESSING = "processing"  # the provider has it; the outcome comes by webhook
    AUTHORIZED = "authorized"  # manual capture: held, to capture or cancel
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # declined or not authenticated: a new attempt is needed
    CANCELED = "canceled"


class CaptureMode(str, enum.Enum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"  # authorize now, capture (or cancel) later: fraud review holds


class RefundReason(str, enum.Enum):
    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"


class VendorAccountStatus(str, enum.Enum):
    ONBOARDING = "onboarding"  # details not yet submitted at the provider
    ACTIVE = "active"  # may receive transfers and payouts
    RESTRICTED = "restricted"  # submitted, but the provider wants more or has disabled it


@dataclass(frozen=True)
class Redirect:
    """Send the buyer to `url`: `authenticate` (3-D Secure) or `redirect` (approve at PayPal);
    the provider sends them back to the payment's return_url."""

    type: Literal["authenticate", "redirect"]
    url: str


@dataclass(frozen=True)
class BankTransferInstructions:
    """Where and how the buyer transfers the money; `amount_remaining` shrinks as funds arrive."""

    iban: str
    bic: str
    account_holder: str
    country: str
    reference: str  # the buyer must quote it, or the transfer cannot be matched
    amount_remaining: int
    currency: str
    hosted_instructions_url: str | None = None
    type: ClassVar[str] = "bank_transfer_instructions"


NextAction = Redirect | BankTransferInstructions

# Declines that may succeed if the same card is tried again later, as the issuer says
# (Stripe's decline codes: "try again", "processing error", "issuer unavailable").
RETRYABLE_DECLINES = frozenset({
    "approve_with_id", "issuer_not_available", "processing_error", "reenter_transaction",
    "try_again_later",
})
AUTHENTICATION_REQUIRED = "authentication_required"


@dataclass(frozen=True)
class Decline:
    """Why the provider refused: its decline code, a message fit for the buyer, and whether
    trying the same payment method again later may work."""

    code: str
    message: str
    retryable: bool

    @property
    def needs_authentication(self) -> bool:
        """An off-session charge the issuer wants the cardholder to authenticate: bring them
        back on session (the caller can act on it; another card is not needed)."""
        return self.code == AUTHENTICATION_REQUIRED

    @classmethod
    def of(cls, code: str, message: str) -> Decline:
        return cls(code, message, code in RETRYABLE_DECLINES)


@dataclass(frozen=True)
class NewPayment:
    """What the orders saga asks the provider to collect for one order."""

    order_id: str
    payment_id: str
    amount: int
    currency: str
    method: PaymentMethod
    capture: CaptureMode = CaptureMode.AUTOMATIC
    # card: the id the client tokenized with the provider's client SDK (Stripe.js).
    payment_method_token: str | None = None
    # card (3-D Secure) and paypal: where the provider sends the buyer back.
    return_url: str | None = None
    # bank_transfer: the buyer's provider customer (its cash balance receives the money)
    # and the country of the bank account the buyer transfers to.
    customer_ref: str | None = None
    bank_country: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = payment_problems(self)
        if problems:
            raise ValueError(f"not a payment the provider can take: {'; '.join(problems)}")


def payment_problems(payment: NewPayment) -> list[str]:
    """What a payment lacks for its method (empty when it can be started)."""
    problems = []
    if payment.amount < 1:
        problems.append("amount must be at least 1 minor unit")
    if len(payment.currency) != 3 or not payment.currency.islower():
        problems.append("currency must be a lowercase ISO 4217 code")
    if payment.method not in PAYMENT_METHODS:
        problems.append(f"method must be one of {', '.join(PAYMENT_METHODS)}")
    if payment.method == "card" and not payment.payment_method_token:
        problems.append("a card payment needs the buyer's payment_method_token")
    if payment.method in ("card", "paypal") and not payment.return_url:
        problems.append(f"a {payment.method} payment needs a return_url")
    if payment.method == "bank_transfer" and not (payment.customer_ref and payment.bank_country):
        problems.append("a bank transfer needs the buyer's customer_ref and a bank_country")
    if payment.method == "bank_transfer" and payment.currency != "eur":
        problems.append("bank transfers are EU bank transfers, in eur")
    if payment.method != "card" and payment.capture is CaptureMode.MANUAL:
        problems.append("only card payments can be authorized and captured later")
    return problems


@dataclass(frozen=True)
class PaymentAttempt:
    """A payment at the provider, as it stands."""

    payment_ref: str
    status: PaymentStatus
    amount: int
    currency: str
    amount_received: int = 0
    amount_capturable: int = 0
    next_action: NextAction | None = None
    decline: Decline | None = None  # the last failure, when status is FAILED


@dataclass(frozen=True)
class Refund:
    refund_ref: str
    payment_ref: str
    amount: int
    currency: str
    status: Literal["pending", "succeeded", "failed", "canceled", "requires_action"]
    reason: RefundReason | None = None


@dataclass(frozen=True)
class CardSetup:
    """A vendor's card saved for later off-session charges (promotion fees)."""

    setup_ref: str
    succeeded: bool
    payment_method_ref: str | None
    next_action: Redirect | None = None


@dataclass(frozen=True)
class VendorAccount:
    """A vendor's connected account at the provider, which transfers pay into."""

    account_ref: str
    status: VendorAccountStatus
    payouts_enabled: bool


@dataclass(frozen=True)
class OnboardingLink:
    url: str  # single use: make a new one when the vendor comes back to the refresh url
    expires_at: datetime


@dataclass(frozen=True)
class Transfer:
    transfer_ref: str
    account_ref: str
    amount: int
    currency: str
    transfer_group: str | None
    amount_reversed: int = 0


@dataclass(frozen=True)
class TransferReversal:
    reversal_ref: str
    transfer_ref: str
    amount: int
    currency: str


class ProviderEventType(str, enum.Enum):
    """The provider's events in our vocabulary; anything else is UNKNOWN, recorded all the same."""

    PAYMENT_REQUIRES_ACTION = "payment.requires_action"
    PAYMENT_PROCESSING = "payment.processing"
    PAYMENT_PARTIALLY_FUNDED = "payment.partially_funded"
    PAYMENT_AUTHORIZED = "payment.authorized"
    PAYMENT_SUCCEEDED = "payment.succeeded"
    PAYMENT_FAILED = "payment.failed"
    PAYMENT_CANCELED = "payment.canceled"
    PAYMENT_REFUNDED = "payment.refunded"
    REFUND_FAILED = "refund.failed"
    DISPUTE_OPENED = "dispute.opened"
    TRANSFER_CREATED = "transfer.created"
    TRANSFER_REVERSED = "transfer.reversed"
    VENDOR_ACCOUNT_UPDATED = "vendor_account.updated"
    CARD_SETUP_SUCCEEDED = "card_setup.succeeded"
    CARD_SETUP_FAILED = "card_setup.failed"
    UNKNOWN = "unknown"


# Our ids that may come back in a provider object's metadata.
OUR_REFS = ("order_id", "payment_id", "account_id", "vendor_id", "refund_id", "purpose")


@dataclass(frozen=True)
class ProviderEvent:
    """One event the provider signed, as the inbox records it (before anything reacts)."""

    provider: str
    event_id: str
    type: ProviderEventType
    provider_type: str  # the provider's own name, e.g. payment_intent.succeeded
    object_ref: str | None  # the provider object the event is about
    payment_ref: str | None  # the provider payment it concerns, if any
    order_id: str | None  # ours: from metadata (or the transfer group)
    refs: dict[str, str]  # ours, from metadata: see OUR_REFS
    occurred_at: datetime
    payload: dict  # the whole event as the provider sent it (stored, never logged)
    amount: int | None = None
    amount_received: int | None = None
    amount_refunded: int | None = None
    amount_reversed: int | None = None
    amount_remaining: int | None = None
    currency: str | None = None
