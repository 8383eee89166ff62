"""The one error hierarchy: every refusal a client can get, with the contract's HTTP
status, stable `code`, title, and its default message, written here once.

`Problem` is what the HTTP door turns into an RFC 9457 response (common/http.py); the
OpenAPI document lists the problems each operation may answer from the same classes.
`DomainError`s are a rule's answer (stored and replayed for an idempotent retry);
request-level problems are the door's; `ServiceUnavailable` is an outage (503).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from common.domain.payments import Decline


class Problem(Exception):
    """A refusal, answered as a problem response. `detail` defaults to the class's message;
    `extra` fields (e.g. `errors=[{"field", "message"}]`) join the response body."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"
    message: ClassVar[str] = "The request cannot be served."

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.message
        self.extra = extra
        super().__init__(self.detail)

    def headers(self) -> dict[str, str]:
        """Response headers the problem needs (Retry-After, Allow)."""
        return {}


class DomainError(Problem):
    """A rule said no: an answer like a success, stored for an idempotent retry."""


class Unauthenticated(DomainError):
    status, code, title = 401, "unauthenticated", "Authentication required"


class WrongPassword(DomainError):
    status, code, title = 401, "wrong_password", "Wrong password"


class InvalidRefreshToken(DomainError):
    status, code, title = 401, "invalid_refresh_token", "Invalid refresh token"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class AccountBlocked(DomainError):
    status, code, title = 403, "account_blocked", "Account blocked"


class EmailNotVerified(DomainError):
    status, code, title = 403, "email_not_verified", "Email not verified"


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"
    message = "No such resource."


class EmailNotRegistered(DomainError):
    status, code, title = 404, "email_not_registered", "Email not registered"


class EmailTaken(DomainError):
    status, code, title = 409, "email_taken", "Email already registered"


class InvalidState(DomainError):
    status, code, title = 409, "invalid_state", "Invalid state"


class InvalidVerificationLink(DomainError):
    status, code, title = 400, "invalid_verification_link", "Invalid or expired link"


class InvalidRequest(DomainError):
    """Validation failed; `errors=[{"field", "message"}]` says where."""

    status, code, title = 422, "invalid_request", "Invalid request"
    message = "The request is not valid."

    @classmethod
    def at(cls, field: str, message: str) -> "InvalidRequest":
        """One field is wrong, for this reason."""
        return cls(errors=[{"field": field, "message": message}])


class ChecklistIncomplete(DomainError):
    status, code, title = 422, "checklist_incomplete", "Checklist incomplete"


class TooManyAttempts(DomainError):
    status, code, title = 429, "too_many_attempts", "Too many attempts"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class VendorNotVerified(DomainError):
    status, code, title = 403, "vendor_not_verified", "Vendor not verified"


class UnsupportedImage(DomainError):
    status, code, title = 422, "unsupported_image", "Unsupported image"


class PaymentDeclined(DomainError):
    """The provider refused the payment (`decline`: common/domain/payments.py); the orders
    API answers it as 402 payment_failed. `payment_ref` is the provider's failed attempt."""

    status, code, title = 402, "payment_failed", "Payment failed"
    message = "The payment was declined."

    def __init__(self, decline: Decline, payment_ref: str | None = None) -> None:
        super().__init__(decline.message)
        self.decline = decline
        self.payment_ref = payment_ref


# Cancellations and refunds (common/domain/refunds.py) -----------------------------------

class OrderNotPaid(DomainError):
    status, code, title = 409, "order_not_paid", "Order not paid"
    message = "The order is not paid: there is no money to give back."


class OrderAlreadyShipped(DomainError):
    status, code, title = 409, "order_already_shipped", "Order already shipped"
    message = ("Part of this order has shipped: it can no longer be cancelled. Ask the vendor "
               "for a refund once it arrives.")


class NothingToRefund(DomainError):
    status, code, title = 409, "nothing_to_refund", "Nothing left to refund"
    message = "Everything paid for these lines was refunded already."


class RefundExceedsPaid(DomainError):
    status, code, title = 422, "refund_exceeds_paid", "Refund exceeds what was paid"
    message = "A refund never gives back more than was paid, per line and per order."


class InsufficientStock(DomainError):
    """Less is in stock than ordered: `items=[{product_id, available}]` for each short one."""

    status, code, title = 409, "insufficient_stock", "Insufficient stock"
    message = "Not enough stock for some products: nothing was reserved."


class PriceChanged(DomainError):
    """A price the buyer was shown is not the catalog's now: `items=[{product_id, unit_price}]`."""

    status, code, title = 409, "price_changed", "Price changed"
    message = "Some prices changed since you saw them: review the order and send it again."


class ProductUnavailable(DomainError):
    """Unknown or unlisted products, or their vendor cannot sell: `product_ids`."""

    status, code, title = 409, "product_unavailable", "Product unavailable"
    message = "Some products cannot be bought now."


class PaymentMethodNotSupported(DomainError):
    """Some vendor of the order does not accept the method: `supported_methods` all accept."""

    status, code, title = 422, "payment_method_not_supported", "Payment method not supported"
    message = "Not every vendor in this order accepts this payment method."


# Shipping, delivery and vendors' payouts (common/domain/fulfilment.py, payouts.py) -------

class PartNotShippable(DomainError):
    status, code, title = 409, "part_not_shippable", "Part cannot ship"
    message = "Only a paid part that has not shipped yet can be marked shipped."


class PartNotDeliverable(DomainError):
    status, code, title = 409, "part_not_deliverable", "Part cannot be delivered"
    message = "Only a shipped part can be marked delivered."


class PaymentAccountMissing(DomainError):
    status, code, title = 409, "payment_account_missing", "No payment account yet"
    message = ("Your payout account is opened once your vendor profile is verified: try "
               "again in a minute.")


# Reviews (common/domain/reviews.py) -----------------------------------------------------

class NotABuyer(DomainError):
    status, code, title = 403, "not_a_buyer", "Not a buyer"
    message = ("Leaving a rating and review is not allowed: only customers who bought this "
               "product can review it.")


class AlreadyReviewed(DomainError):
    status, code, title = 409, "already_reviewed", "Already reviewed"
    message = "You reviewed this product already: edit or delete your review instead."


# Votes, replies and moderation of reviews (common/domain/review_moderation.py) -----------

class OwnReview(DomainError):
    status, code, title = 403, "own_review", "Own review"
    message = "You cannot mark your own review helpful."


class AlreadyMarkedHelpful(DomainError):
    status, code, title = 409, "already_marked_helpful", "Already marked helpful"
    message = "You marked this review helpful already."


class AlreadyReplied(DomainError):
    status, code, title = 409, "already_replied", "Already replied"
    message = "This review has its reply already: a review gets one reply from the vendor."


# Chat rooms (common/domain/chat.py) ----------------------------------------------------

class TooManyMessages(TooManyAttempts):
    status, code, title = 429, "too_many_messages", "Too many messages"
    message = "You are sending messages too fast: wait a moment, then send again."


# Federated learning rounds (common/domain/federated.py) ---------------------------------

class StaleModelVersion(DomainError):
    status, code, title = 409, "stale_model_version", "Stale model version"
    message = "A newer model version is out: download it, train again, then send the update."


class UpdateAlreadyReceived(DomainError):
    status, code, title = 409, "update_already_received", "Update already received"
    message = "This device sent its update for this model version already."


class InvalidModelUpdate(DomainError):
    status, code, title = 422, "invalid_model_update", "Invalid model update"
    message = "The update does not fit the model: check its shape, values and norm."


class ModelNotPublished(DomainError):
    """Before the first aggregation run there is no model to fetch: not an outage (404)."""

    status, code, title = 404, "model_not_published", "No model yet"
    message = "No model has been published yet: try again in a minute."


# Fraud cases (common/domain/fraud_cases.py) ----------------------------------------------

class CaseAlreadyResolved(DomainError):
    status, code, title = 409, "case_already_resolved", "Case already resolved"
    message = "This fraud case was confirmed or cleared already."


# Promotions (common/domain/promotions.py) ---------------------------------------------

class ProductNotListed(DomainError):
    status, code, title = 409, "product_not_listed", "Product not listed"
    message = "Only a listed product can be promoted: list it again first."


class PromotionOverlaps(DomainError):
    status, code, title = 422, "promotion_overlaps", "Promotion overlaps"
    message = "The product is already promoted for part of that time: pick other days."


class FraudRejected(DomainError):
    status, code, title = 403, "fraud_rejected", "Order refused"
    message = ("This order cannot be placed. Nothing was reserved or charged: please contact "
               "support if you think this is a mistake.")


# The door's refusals, before any use case runs ------------------------------------------

class MethodNotAllowed(Problem):
    status, code, title = 405, "method_not_allowed", "Method not allowed"

    def __init__(self, allowed: str) -> None:
        super().__init__(f"Use {allowed} on this path.")
        self.allowed = allowed

    def headers(self) -> dict[str, str]:
        return {"Allow": self.allowed}


class PayloadTooLarge(Problem):
    status, code, title = 413, "payload_too_large", "Payload too large"


class UnsupportedMediaType(Problem):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


class IdempotencyKeyRequired(Problem):
    # 400 as the IETF's Idempotency-Key header draft asks ("SHOULD reply with an HTTP 400"
    # when a documented idempotent operation lacks it); 409/422 below follow it too.
    status, code, title = 400, "idempotency_key_required", "Idempotency key required"
    message = "Send an Idempotency-Key header with this request."


class IdempotencyKeyReused(Problem):
    status, code, title = 422, "idempotency_key_reused", "Idempotency key reused"
    message = "This Idempotency-Key was used with a different request."


class IdempotencyInProgress(Problem):
    status, code, title = 409, "idempotency_in_progress", "Request in progress"
    message = "A request with this Idempotency-Key is still running: retry shortly."


class InvalidWebhookSignature(Problem):
    """A provider callback whose signature does not verify (forged, stale or altered)."""

    status, code, title = 400, "invalid_webhook_signature", "Invalid webhook signature"
    message = "The callback's signature does not verify: nothing was recorded."


class InternalError(Problem):
    """A bug: logged with its stack (never shown), answered with nothing but this."""

    status, code, title = 500, "internal", "Internal error"
    message = "Something went wrong on our side; it has been logged."


class ServiceUnavailable(Problem):
    """A downstream (database, Firebase Auth, Pub/Sub, SMTP) is down: answer 503, retry later."""

    status, code, title = 503, "service_unavailable", "Service unavailable"
    message = "A service we depend on is unavailable: retry shortly."
    RETRY_AFTER_S = 5

    def __init__(self, dependency: str, cause: BaseException | None = None) -> None:
        super().__init__()
        self.dependency = dependency
        self.__cause__ = cause

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.RETRY_AFTER_S)}


class ProviderUnavailable(ServiceUnavailable):
    """The payment provider is down, slow or throttling us: 503, retry later."""

    code, title = "payment_provider_unavailable", "Payment provider unavailable"
    message = "The payment provider is unavailable: retry shortly."

    def __init__(self, cause: BaseException | None = None) -> None:
        super().__init__("payment provider", cause)
