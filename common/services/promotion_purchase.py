"""Buying promotions: the quote, paying the fee (from the vendor's payable balance when it
covers it, else off-session from the saved card), cancelling with a refund of the whole days
not begun, and saving the card (docs/decisions/0021-promotions.md).

Provider calls never run inside a transaction that holds a lock: the card is charged between
a transaction that checks and one that stores, with an idempotency key derived from the
promotion id (itself derived from the vendor and its Idempotency-Key), so a retry charges
once. A card refund is recorded with its journal first, then made at the provider; one the
provider did not take is made later by `settle_card_refunds` (advance_promotions).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from common import clock
from common.domain.catalog import ensure_may_list
from common.domain.errors import (
    Forbidden,
    IdempotencyKeyReused,
    InvalidRequest,
    NotFound,
    PaymentDeclined,
    ProductNotListed,
    PromotionOverlaps,
    ProviderUnavailable,
)
from common.domain.events import PromotionCancelled, PromotionScheduled
from common.domain.identity import Principal
from common.domain.ledger import promotion_fee_journal, promotion_refund_journal
from common.domain.payments import CardSetup, Decline, PaymentStatus
from common.domain.promotions import (
    PaidWith,
    Promotion,
    PromotionStatus,
    Quote,
    daily_rate_for,
    give_back_to_parts,
    quote,
    refund_on_end,
    schedule_of,
    take_from_parts,
)
from common.logs import log
from common.ports.payments import PaymentProvider
from common.ports.promotions import (
    PromotedProduct,
    PromotionsUnitOfWork,
    PromotionsUnitOfWorkFactory,
    SavedCard,
)
from common.settings import Settings

logger = logging.getLogger("bazaar.promotions")
PROMOTION_IDS = uuid.UUID("5d0c6f1e-2b7a-4f43-9a51-0c3e9b7d2a10")  # uuid5 namespace
NO_FUNDS = Decline("insufficient_balance", "Your balance does not cover the fee and no card "
                   "is saved: set up a card for promotions first.", retryable=True)


@dataclass(frozen=True)
class Wanted:
    """What the vendor asks for: {days} from now, or a start with days or an end."""

    product_id: str
    days: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Collaborators:
    uow: PromotionsUnitOfWorkFactory
    payments: PaymentProvider
    settings: Settings


def quote_promotion(principal: Principal, wanted: Wanted, *, uow: PromotionsUnitOfWorkFactory,
                    settings: Settings) -> Quote:
    """What the schedule would cost the vendor for its own product."""
    ensure_may_list(principal)
    with uow() as tx:
        product = _owned(tx.promotions.product(wanted.product_id), principal)
    return _quote(product, wanted, settings)


def promote(principal: Principal, wanted: Wanted, key: str, request_hash: str,
            deps: Collaborators) -> Promotion:
    """Schedule a promotion of the vendor's listed product, its fee paid; the one made
    before with the same key when it is a retry."""
    ensure_may_list(principal)
    vendor_id = principal.account_id
    promotion_id = str(uuid.uuid5(PROMOTION_IDS, f"{vendor_id}:{key}"))
    with deps.uow() as tx:
        earlier = _earlier(tx, vendor_id, key, request_hash)
        if earlier is not None:
            return earlier
        product, priced = _checked(tx, principal, wanted, deps.settings)
        parts = take_from_parts(priced.fee, tx.promotions.unsent_payables(vendor_id))
        if parts:
            promotion = _new(promotion_id, product, priced, PaidWith.BALANCE, None)
            return _store(tx, promotion, key, request_hash, parts)
        card = tx.promotions.card(vendor_id)
    payment_ref = _charge(card, priced.fee, promotion_id, deps.payments)
    promotion = _new(promotion_id, product, priced, PaidWith.CARD, payment_ref)
    try:
        with deps.uow() as tx:
            _checked(tx, principal, wanted, deps.settings)
            return _store(tx, promotion, key, request_hash, None)
    except (PromotionOverlaps, ProductNotListed, NotFound, Forbidden):
        deps.payments.refund(payment_ref, idempotency_key=f"promotion-fee-{promotion_id}-undo")
        raise


def cancel(principal: Principal, promotion_id: str, deps: Collaborators) -> Promotion:
    """Cancel the vendor's promotion: the whole days not begun refunded where the fee came
    from (all of it before it starts). Cancelling a cancelled one answers it as it is."""
    with deps.uow() as tx:
        promotion = tx.promotions.get(promotion_id, for_update=True)
        if promotion is None or promotion.vendor_id != principal.account_id:
            raise NotFound("No such promotion.")
        if promotion.status is PromotionStatus.CANCELLED:
            return promotion
        ended = end_promotion(tx, promotion, clock.now(), status=PromotionStatus.CANCELLED,
                              reason="cancelled")
        tx.record(PromotionCancelled(promotion_id=ended.id, product_id=ended.product_id,
                                     vendor_id=ended.vendor_id, refund=_refund_of(
                                         promotion, ended)))
        tx.commit()
    send_card_refund(ended, uow=deps.uow, payments=deps.payments)
    return ended


def end_promotion(tx: PromotionsUnitOfWork, promotion: Promotion, now: datetime, *,
                  status: PromotionStatus, reason: str) -> Promotion:
    """End a running promotion (locked by the caller) now: record the refund of the whole
    days not begun and its journal. The caller records its event and commits, then calls
    `send_card_refund`. InvalidState if it is over already."""
    refund = refund_on_end(promotion, now)
    if refund:
        to_parts = (give_back_to_parts(refund, tx.promotions.fee_parts(promotion.id))
                    if promotion.paid_with is PaidWith.BALANCE else None)
        tx.ledger.post(promotion_refund_journal(promotion.id, promotion.vendor_id, refund,
                                                to_parts))
    refunded = promotion.refunded_amount + refund
    tx.promotions.end(promotion.id, status=status, refunded=refunded, at=now, reason=reason)
    log(logger, logging.INFO, "promotion ended", promotion_id=promotion.id,
        status=status.value, refund=refund)
    return replace(promotion, status=status, refunded_amount=refunded, ended_at=now,
                   end_reason=reason)


def send_card_refund(promotion: Promotion, *, uow: PromotionsUnitOfWorkFactory,
                     payments: PaymentProvider) -> bool:
    """Make a card-paid promotion's recorded refund at the provider; False if it is down
    (settle_card_refunds retries with the same key)."""
    if promotion.paid_with is not PaidWith.CARD or not promotion.refunded_amount:
        return True
    assert promotion.payment_ref is not None
    try:
        made = payments.refund(promotion.payment_ref, amount=promotion.refunded_amount,
                               idempotency_key=f"promotion-refund-{promotion.id}")
    except ProviderUnavailable:
        log(logger, logging.WARNING, "promotion refund postponed", promotion_id=promotion.id)
        return False
    with uow() as tx:
        tx.promotions.refund_made(promotion.id, made.refund_ref)
        tx.commit()
    return True


def settle_card_refunds(*, uow: PromotionsUnitOfWorkFactory, payments: PaymentProvider,
                        limit: int = 100) -> int:
    """Make the card refunds recorded but not yet made (a provider outage); how many."""
    with uow() as tx:
        owed = tx.promotions.card_refunds_owed(limit)
    return sum(send_card_refund(p, uow=uow, payments=payments) for p in owed)


def setup_card(principal: Principal, payment_method: str, return_url: str | None,
               request_key: str, deps: Collaborators) -> CardSetup:
    """Save the vendor's card for promotion fees (a SetupIntent, confirmed here); it may
    need 3-D Secure first (next_action). A declined card is PaymentDeclined."""
    ensure_may_list(principal)
    vendor_id = principal.account_id
    with deps.uow() as tx:
        earlier = tx.promotions.card(vendor_id)
    customer = earlier.customer_ref if earlier else deps.payments.ensure_customer(
        vendor_id, idempotency_key=f"vendor-customer-{vendor_id}")
    try:
        setup = deps.payments.save_card(customer, payment_method, return_url=return_url,
                                        idempotency_key=f"card-setup-{vendor_id}-{request_key}")
    except NotFound:  # the provider knows no such card id: the request's mistake
        raise InvalidRequest.at("payment_method", "a card id the provider's SDK returned") \
            from None
    if setup.payment_method_ref:
        with deps.uow() as tx:
            tx.promotions.save_card(SavedCard(vendor_id, customer, setup.payment_method_ref,
                                              setup.setup_ref, setup.succeeded))
            tx.commit()
    return setup


def _earlier(tx: PromotionsUnitOfWork, vendor_id: str, key: str,
             request_hash: str) -> Promotion | None:
    found = tx.promotions.for_key(vendor_id, key)
    if found is not None and found[1] != request_hash:
        raise IdempotencyKeyReused()
    return found[0] if found else None


def _checked(tx: PromotionsUnitOfWork, principal: Principal, wanted: Wanted,
             settings: Settings) -> tuple[PromotedProduct, Quote]:
    """The vendor's own listed product and the priced schedule, free of overlaps."""
    product = _owned(tx.promotions.product(wanted.product_id), principal)
    if not product.listed:
        raise ProductNotListed()
    priced = _quote(product, wanted, settings)
    if tx.promotions.overlapping(product.id, priced.schedule):
        raise PromotionOverlaps()
    return product, priced


def _owned(product: PromotedProduct | None, principal: Principal) -> PromotedProduct:
    if product is None:
        raise NotFound("No such product.")
    if product.vendor_id != principal.account_id:
        raise Forbidden("Only the vendor who listed this product can promote it.")
    return product


def _quote(product: PromotedProduct, wanted: Wanted, settings: Settings) -> Quote:
    schedule = schedule_of(clock.now(), days=wanted.days, starts_at=wanted.starts_at,
                           ends_at=wanted.ends_at, max_days=settings.promotion_max_days)
    rate = daily_rate_for(product.category_id, settings.promotion_daily_rates,
                          settings.promotion_daily_rate)
    return quote(schedule, rate)


def _new(promotion_id: str, product: PromotedProduct, priced: Quote, paid_with: PaidWith,
         payment_ref: str | None) -> Promotion:
    schedule = priced.schedule
    return Promotion(id=promotion_id, product_id=product.id, vendor_id=product.vendor_id,
                     status=PromotionStatus.SCHEDULED, starts_at=schedule.starts_at,
                     ends_at=schedule.ends_at, days=schedule.days,
                     daily_rate=priced.daily_rate, fee_amount=priced.fee,
                     paid_with=paid_with, payment_ref=payment_ref)


def _store(tx: PromotionsUnitOfWork, promotion: Promotion, key: str, request_hash: str,
           parts: dict[str, int] | None) -> Promotion:
    """The promotion, its fee journal and promotion.scheduled, in one commit."""
    if not tx.promotions.add(promotion, idempotency_key=key, request_hash=request_hash):
        twin = _earlier(tx, promotion.vendor_id, key, request_hash)
        assert twin is not None
        return twin
    tx.ledger.post(promotion_fee_journal(promotion.id, promotion.vendor_id,
                                         promotion.fee_amount, parts))
    tx.record(PromotionScheduled(
        promotion_id=promotion.id, product_id=promotion.product_id,
        vendor_id=promotion.vendor_id, starts_at=promotion.starts_at.isoformat(),
        ends_at=promotion.ends_at.isoformat(), fee=promotion.fee_amount,
        paid_with=promotion.paid_with.value))
    tx.commit()
    log(logger, logging.INFO, "promotion scheduled", promotion_id=promotion.id,
        fee=promotion.fee_amount, paid_with=promotion.paid_with.value)
    return promotion


def _charge(card: SavedCard | None, fee: int, promotion_id: str,
            payments: PaymentProvider) -> str:
    """Charge the fee to the saved card off-session; its payment ref, or PaymentDeclined."""
    if card is None:
        raise PaymentDeclined(NO_FUNDS)
    attempt = payments.charge_saved_card(card.customer_ref, card.payment_method_ref, fee,
                                         "eur", purpose="promotion_fee",
                                         idempotency_key=f"promotion-fee-{promotion_id}")
    if attempt.status is not PaymentStatus.SUCCEEDED:
        raise PaymentDeclined(attempt.decline or NO_FUNDS, attempt.payment_ref)
    return attempt.payment_ref


def _refund_of(before: Promotion, after: Promotion) -> int:
    return after.refunded_amount - before.refunded_amount
