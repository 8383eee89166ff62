"""Each HTTP function's operation: route, models, who may call it, and its errors.

The route here must equal the function's entry in functions/manifest.yaml
(tests/unit/test_manifest.py keeps them in step); the OpenAPI document is built
from these operations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from common.api import analytics_schemas as ans
from common.api import catalog_schemas as cs
from common.api import chat_moderation_schemas as cms
from common.api import chat_schemas as chs
from common.api import federated_schemas as fls
from common.api import feed_schemas as fs
from common.api import fraud_case_schemas as fcs
from common.api import interaction_schemas as its
from common.api import money_schemas as ms
from common.api import order_schemas as os_
from common.api import payment_schemas as ps
from common.api import promotion_list_schemas as pls
from common.api import promotion_schemas as prs
from common.api import refund_schemas as rs
from common.api import review_moderation_schemas as rms
from common.api import review_schemas as rvs
from common.api import schemas as s
from common.api.routes import route_pattern
from common.domain import errors as e
from common.domain.identity import Role
from common.domain.images import MAX_BYTES as MAX_IMAGE_BYTES
from common.domain.interactions import MAX_BODY_BYTES as MAX_INTERACTION_BYTES

ANYONE = None
SIGNED_IN = frozenset(Role)
CUSTOMERS = frozenset({Role.CUSTOMER})
VENDORS = frozenset({Role.VENDOR})
ADMINS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Operation:
    function: str
    method: str
    path: str
    summary: str
    tag: str
    request: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    roles: frozenset[Role] | None = ANYONE
    verified_email: bool = False
    errors: tuple[type[e.Problem], ...] = ()
    # required_by_use_case: the header is required and checked, but the use case is its own
    # idempotency record (POST /v1/orders); nothing is stored or replayed by the door.
    idempotency: Literal["accepted", "required", "required_by_use_case", "none"] = "accepted"
    # Public GETs: max-age in seconds; the answer carries an ETag and 304s If-None-Match.
    cache_s: int | None = None
    # Multipart uploads: the form field that carries the file, and its size limit.
    upload: str | None = None
    max_upload_bytes: int = 0
    # JSON bodies: a tighter limit than the default (common/http_inputs.MAX_BODY_BYTES).
    max_body_bytes: int | None = None
    # Reads the client's `X-Device-Id`: "checked" (common/http_caller.device_id: a malformed
    # one is 422; the fraud check, interactions, the feed), or "hint" (http_origin: a
    # malformed one counts as none, as a security signal never fails its request).
    device_header: Literal["checked", "hint"] | None = None

    @property
    def path_pattern(self) -> re.Pattern[str]:
        """The path as a regex with one named group per {parameter} (compiled once)."""
        return route_pattern(self.path)


OPERATIONS: dict[str, Operation] = {
    op.function: op
    for op in [
        Operation(
            "register_customer", "POST", "/v1/customers", "Register as customer", "identity",
            request=s.RegisterCustomer, response=s.Account, status=201, errors=(e.EmailTaken,),
            device_header="hint",
        ),
        Operation(
            "register_vendor", "POST", "/v1/vendors", "Register as vendor", "identity",
            request=s.RegisterVendor, response=s.Account, status=201, errors=(e.EmailTaken,),
            device_header="hint",
        ),
        Operation(
            "confirm_email", "GET", "/v1/email-verification",
            "Follow the link of a verification email", "identity",
            query=s.EmailVerificationQuery, response=s.EmailVerified,
            errors=(e.InvalidVerificationLink,),
        ),
        Operation(
            "create_session", "POST", "/v1/sessions", "Log in", "identity",
            request=s.CreateSession, response=s.Session,
            errors=(e.EmailNotRegistered, e.WrongPassword, e.TooManyAttempts, e.AccountBlocked),
            idempotency="none",
            device_header="hint",
        ),
        Operation(
            "refresh_session", "POST", "/v1/sessions:refresh", "Refresh an ID token", "identity",
            request=s.RefreshSession, response=s.RefreshedSession,
            errors=(e.InvalidRefreshToken, e.Unauthenticated, e.AccountBlocked),
            idempotency="none",
        ),
        Operation(
            "request_password_reset", "POST", "/v1/password-resets",
            "Email a password reset link (202 for any email; 429 past the per-address limit)",
            "identity", request=s.RequestPasswordReset, response=s.Accepted, status=202,
            errors=(e.TooManyAttempts,),
        ),
        Operation(
            "get_me", "GET", "/v1/me", "The caller's profile", "identity",
            response=s.Me, roles=SIGNED_IN,
        ),
        Operation(
            "update_vendor_profile", "PATCH", "/v1/vendors/me", "Update the vendor's profile",
            "identity", request=s.UpdateVendorProfile, response=s.Me, roles=VENDORS,
        ),
        Operation(
            "admin_list_vendors", "GET", "/v1/admin/vendors", "Vendors by verification status",
            "admin", query=s.VendorListQuery, response=s.VendorPage, roles=ADMINS,
        ),
        Operation(
            "admin_verify_vendor", "POST", "/v1/admin/vendors/{vendor_id}:verify",
            "Verify a vendor against the checklist", "admin",
            request=s.VerifyVendor, response=s.VendorReview, roles=ADMINS,
            errors=(e.NotFound, e.ChecklistIncomplete, e.InvalidState),
        ),
        Operation(
            "admin_reject_vendor", "POST", "/v1/admin/vendors/{vendor_id}:reject",
            "Reject a vendor with a reason", "admin",
            request=s.RejectVendor, response=s.VendorReview, roles=ADMINS,
            errors=(e.NotFound, e.InvalidState),
        ),
        Operation(
            "admin_block_account", "POST", "/v1/admin/accounts/{account_id}:block",
            "Block an account", "admin", request=s.ChangeAccountState, response=s.AccountState,
            roles=ADMINS, errors=(e.NotFound, e.InvalidState),
        ),
        Operation(
            "admin_unblock_account", "POST", "/v1/admin/accounts/{account_id}:unblock",
            "Unblock an account", "admin", request=s.ChangeAccountState, response=s.AccountState,
            roles=ADMINS, errors=(e.NotFound, e.InvalidState),
        ),
        Operation(
            "list_categories", "GET", "/v1/categories", "The category tree", "catalog",
            response=cs.CategoryTree, cache_s=3600,
        ),
        Operation(
            "create_product", "POST", "/v1/products", "List a product for sale", "catalog",
            request=cs.CreateProduct, response=cs.Product, status=201, roles=VENDORS,
            verified_email=True, errors=(e.VendorNotVerified,),
        ),
        Operation(
            "update_product", "PATCH", "/v1/products/{product_id}", "Edit a product",
            "catalog", request=cs.UpdateProduct, response=cs.Product, roles=VENDORS,
            verified_email=True, errors=(e.VendorNotVerified, e.Forbidden, e.NotFound),
        ),
        Operation(
            "unlist_product", "DELETE", "/v1/products/{product_id}",
            "Take a product off the catalog", "catalog", status=204, roles=VENDORS,
            verified_email=True, errors=(e.Forbidden, e.NotFound),
        ),
        Operation(
            "request_product_image_upload", "POST", "/v1/products/{product_id}/images",
            "Get a signed URL to upload a product image", "catalog",
            request=cs.RequestImageUpload, response=cs.ImageUpload, status=201, roles=VENDORS,
            verified_email=True,
            errors=(e.UnsupportedImage, e.VendorNotVerified, e.Forbidden, e.NotFound,
                    e.InvalidState),
        ),
        Operation(
            "delete_product_image", "DELETE", "/v1/products/{product_id}/images/{image_id}",
            "Delete a product image (404 unless it is an image of your product)", "catalog",
            status=204, roles=VENDORS, verified_email=True, errors=(e.NotFound,),
        ),
        Operation(
            "search_products", "GET", "/v1/products",
            "Browse and search listed products", "catalog",
            query=cs.ProductQuery, response=cs.ProductPage, cache_s=30,
        ),
        Operation(
            "get_product", "GET", "/v1/products/{product_id}", "A listed product in detail",
            "catalog", response=cs.Product, cache_s=60, errors=(e.NotFound,),
        ),
        Operation(
            "search_products_by_image", "POST", "/v1/products:searchByImage",
            "Find listed products that look like a photo (JPEG, PNG or WebP of at most 10 MB "
            "and 12 megapixels, 4,000 × 3,000; a larger one is 422 unsupported_image)",
            "catalog",
            response=cs.ImageSearchResult, errors=(e.UnsupportedImage,), idempotency="none",
            upload="image", max_upload_bytes=MAX_IMAGE_BYTES,
        ),
        Operation(
            "receive_stripe_webhook", "POST", "/v1/payments/webhooks/stripe",
            "Stripe's signed event callback (header Stripe-Signature); recorded once, "
            "duplicates answered alike", "payments",
            request=ps.StripeEvent, response=ps.WebhookReceived,
            errors=(e.InvalidWebhookSignature,), idempotency="none",
        ),
        Operation(
            "place_order", "POST", "/v1/orders",
            "Place an order: stock reserved, payment started; 202 with what the buyer does "
            "next (a replay of the Idempotency-Key answers the order as it is now). The fraud "
            "check may hold it (`pending_review`: stock reserved, a card only authorized, "
            "nothing else charged until a review approves it) or refuse it (403 "
            "`fraud_rejected`, nothing reserved)", "orders",
            request=os_.PlaceOrder, response=os_.OrderView, status=202, roles=CUSTOMERS,
            verified_email=True, idempotency="required_by_use_case",
            errors=(e.InsufficientStock, e.PriceChanged, e.ProductUnavailable,
                    e.PaymentMethodNotSupported, e.PaymentDeclined, e.EmailNotVerified,
                    e.ProviderUnavailable, e.FraudRejected),
            device_header="checked",
        ),
        Operation(
            "list_orders", "GET", "/v1/orders",
            "Orders newest first: the buyer's own, a vendor's (its parts only), or all (admin)",
            "orders", query=os_.OrderListQuery, response=os_.OrderPage, roles=SIGNED_IN,
        ),
        Operation(
            "get_order", "GET", "/v1/orders/{order_id}",
            "An order with its parts, payment and every step so far (404 unless it is yours, "
            "holds your part, or you are an admin)", "orders",
            response=os_.OrderView, roles=SIGNED_IN, errors=(e.NotFound,),
        ),
        Operation(
            "cancel_order", "POST", "/v1/orders/{order_id}:cancel",
            "Cancel your order before anything shipped: an unpaid one has its payment voided "
            "and its stock released; a paid one is refunded in full and its stock returned "
            "(the refund is `requested` until the provider gave the money back). A second "
            "cancel answers the order as it is", "orders",
            response=rs.CancelledOrder, roles=CUSTOMERS,
            errors=(e.NotFound, e.OrderAlreadyShipped, e.OrderNotPaid, e.NothingToRefund,
                    e.InvalidState),
        ),
        Operation(
            "refund_order", "POST", "/v1/orders/{order_id}:refund",
            "Refund lines of an order (an admin: any line; the vendor: its part's lines), "
            "before or after delivery; without `lines`, everything left. Never more than was "
            "paid per line and per order; the commission is returned pro rata", "orders",
            request=rs.RefundOrder, response=rs.Refund, roles=VENDORS | ADMINS,
            errors=(e.NotFound, e.OrderNotPaid, e.NothingToRefund, e.RefundExceedsPaid),
        ),
        Operation(
            "ship_order_part", "POST", "/v1/orders/{order_id}:ship",
            "Mark your part of a paid order shipped, with the carrier's tracking reference if "
            "any (404 unless the order has a part of yours; 409 unless that part is paid and "
            "not shipped yet)", "orders",
            request=ms.ShipOrder, response=ms.FulfilledOrder, roles=VENDORS,
            errors=(e.NotFound, e.PartNotShippable),
        ),
        Operation(
            "deliver_order_parts", "POST", "/v1/orders/{order_id}:deliver",
            "Confirm your order arrived: every shipped part, or only `part_id`; the vendor is "
            "then paid (409 when nothing named is on its way)", "orders",
            request=ms.DeliverOrder, response=ms.FulfilledOrder, roles=CUSTOMERS,
            errors=(e.NotFound, e.PartNotDeliverable),
        ),
        Operation(
            "get_vendor_balance", "GET", "/v1/vendors/me/balance",
            "Your sales, the platform's commission, refunds, what was transferred to your "
            "payout account, and what the platform holds for you (payable), from the ledger",
            "orders", response=ms.VendorBalance, roles=VENDORS,
        ),
        Operation(
            "quote_promotion", "GET", "/v1/promotions:quote",
            "What promoting your product would cost: `days` from now, or `starts_at` with "
            "`days` or `ends_at` (rounded up to whole days), at its category's daily rate",
            "promotions", query=prs.QuoteQuery, response=prs.PromotionQuote, roles=VENDORS,
            errors=(e.VendorNotVerified, e.Forbidden, e.NotFound, e.InvalidRequest),
        ),
        Operation(
            "promote_product", "POST", "/v1/products/{product_id}/promotions",
            "Promote your listed product for whole days: the fee is taken from your payable "
            "balance when it covers it, else charged to your saved card (402 when neither "
            "can pay; nothing is scheduled then)", "promotions",
            request=prs.PromotionWanted, response=prs.PromotionView, status=201,
            roles=VENDORS, idempotency="required",
            errors=(e.VendorNotVerified, e.Forbidden, e.NotFound, e.ProductNotListed,
                    e.PaymentDeclined, e.PromotionOverlaps, e.InvalidRequest,
                    e.ProviderUnavailable),
        ),
        Operation(
            "cancel_promotion", "POST", "/v1/promotions/{promotion_id}:cancel",
            "Cancel your promotion: all of the fee back before it starts, else the whole "
            "days not yet begun, to where it was paid from", "promotions",
            response=prs.PromotionView, roles=VENDORS, errors=(e.NotFound, e.InvalidState),
        ),
        Operation(
            "setup_vendor_payment_card", "POST", "/v1/vendors/me/payment-card:setup",
            "Save a card for promotion fees (charged with you absent): `ready`, or "
            "`requires_action` with where to authenticate (3-D Secure) first", "promotions",
            request=prs.SetupPaymentCard, response=prs.PaymentCardSetup, roles=VENDORS,
            errors=(e.VendorNotVerified, e.PaymentDeclined, e.ProviderUnavailable),
        ),
        Operation(
            "create_onboarding_link", "POST", "/v1/vendors/me/payment-account/onboarding-link",
            "A single-use link where you complete your payout account at the payment provider "
            "(409 until your verified profile has one)", "orders",
            response=ms.OnboardingLink, roles=VENDORS, errors=(e.PaymentAccountMissing,),
        ),
        Operation(
            "list_chats", "GET", "/v1/chats",
            "Your chat rooms, latest message first, with how many messages you have not read "
            "(a room opens for buyer and vendor when an order is paid)", "chat",
            query=chs.ChatListQuery, response=chs.ChatPage, roles=SIGNED_IN,
        ),
        Operation(
            "list_chat_messages", "GET", "/v1/chats/{chat_id}/messages",
            "A room's messages, newest first; `next_page_token` is the `before` of the next, "
            "older page (404 unless you are one of its two members)", "chat",
            query=chs.MessageListQuery, response=chs.MessagePage, roles=SIGNED_IN,
            errors=(e.NotFound,),
        ),
        Operation(
            "post_chat_message", "POST", "/v1/chats/{chat_id}/messages",
            "Send a message to the other member (1-2,000 characters, no control characters "
            "but tab and line feed; 30 a minute). It is answered at once and appears in the "
            "room a moment later (404 unless you are one of its two members)", "chat",
            request=chs.SendMessage, response=chs.ChatMessage, status=201, roles=SIGNED_IN,
            verified_email=True, errors=(e.NotFound, e.TooManyMessages, e.EmailNotVerified),
        ),
        Operation(
            "mark_chat_read", "POST", "/v1/chats/{chat_id}:read",
            "Mark everything you have received in the room read (404 unless you are one of "
            "its two members)", "chat",
            response=chs.Chat, roles=SIGNED_IN, errors=(e.NotFound,),
        ),
        Operation(
            "report_chat", "POST", "/v1/chats/{chat_id}:report",
            "Report the room to the admins, with a reason: they may then read it, and every "
            "read is audited. A second report of yours changes nothing (404 unless you are "
            "one of its two members)", "chat",
            request=cms.ReportChat, response=cms.ChatReport, roles=SIGNED_IN,
            errors=(e.NotFound,),
        ),
        Operation(
            "admin_read_chat", "GET", "/v1/admin/chats/{chat_id}/messages",
            "A reported room's messages, newest first, as its members see them; each read is "
            "recorded in the audit log first (404 for a room nobody reported)", "admin",
            query=chs.MessageListQuery, response=chs.MessagePage, roles=ADMINS,
            errors=(e.NotFound,),
        ),
        Operation(
            "post_review", "POST", "/v1/products/{product_id}/reviews",
            "Rate and review a product you bought (a paid order line, not fully refunded; "
            "delivery not required): once per product, marked as a verified purchase. Title "
            "and text are plain text, kept as written", "reviews",
            request=rvs.PostReview, response=rvs.Review, status=201, roles=CUSTOMERS,
            verified_email=True,
            errors=(e.NotFound, e.NotABuyer, e.AlreadyReviewed, e.EmailNotVerified),
        ),
        Operation(
            "edit_review", "PATCH", "/v1/products/{product_id}/reviews/{review_id}",
            "Change your review's rating, title or text (403 unless you wrote it)", "reviews",
            request=rvs.EditReview, response=rvs.Review, roles=CUSTOMERS, verified_email=True,
            errors=(e.NotFound, e.Forbidden, e.EmailNotVerified),
        ),
        Operation(
            "delete_review", "DELETE", "/v1/products/{product_id}/reviews/{review_id}",
            "Delete your review; the product's rating summary no longer counts it (403 unless "
            "you wrote it)", "reviews",
            status=204, roles=CUSTOMERS, verified_email=True,
            errors=(e.NotFound, e.Forbidden, e.EmailNotVerified),
        ),
        Operation(
            "list_reviews", "GET", "/v1/products/{product_id}/reviews",
            "A listed product's visible reviews, newest or most helpful first, in stable pages "
            "(a review posted meanwhile shifts no later page)", "reviews",
            query=rms.ReviewListQuery, response=rms.ReviewPage, cache_s=30,
            errors=(e.NotFound,),
        ),
        Operation(
            "mark_review_helpful", "POST", "/v1/reviews/{review_id}:helpful",
            "Mark someone else's review helpful, once; answers the review with its new count",
            "reviews", response=rvs.Review, roles=CUSTOMERS,
            errors=(e.NotFound, e.OwnReview, e.AlreadyMarkedHelpful),
        ),
        Operation(
            "reply_to_review", "POST", "/v1/reviews/{review_id}/reply",
            "Reply publicly to a review of your product, once (plain text, kept as written)",
            "reviews", request=rms.ReplyToReview, response=rvs.Review, status=201,
            roles=VENDORS, verified_email=True,
            errors=(e.NotFound, e.Forbidden, e.AlreadyReplied, e.EmailNotVerified),
        ),
        Operation(
            "report_review", "POST", "/v1/reviews/{review_id}:report",
            "Report a review to the admins; reporting it again is answered alike and counted "
            "once", "reviews",
            request=rms.ReportReview, response=rms.ReviewReportReceived, roles=SIGNED_IN,
            errors=(e.NotFound,),
        ),
        Operation(
            "admin_hide_review", "POST", "/v1/admin/reviews/{review_id}:hide",
            "Hide a review: off the product's list and out of its rating summary (audited)",
            "admin", request=rms.ModerateReview, response=rms.ModeratedReview, roles=ADMINS,
            errors=(e.NotFound, e.InvalidState),
        ),
        Operation(
            "admin_restore_review", "POST", "/v1/admin/reviews/{review_id}:restore",
            "Restore a hidden review: listed and counted in the rating summary again "
            "(audited)", "admin",
            request=rms.ModerateReview, response=rms.ModeratedReview, roles=ADMINS,
            errors=(e.NotFound, e.InvalidState),
        ),
        Operation(
            "list_fraud_cases", "GET", "/v1/admin/fraud-cases",
            "Fraud cases, newest first: score, reasons, model version, action, evidence",
            "admin", query=fcs.FraudCaseListQuery, response=fcs.FraudCasePage, roles=ADMINS,
        ),
        Operation(
            "resolve_fraud_case", "POST", "/v1/admin/fraud-cases/{case_id}:resolve",
            "Confirm or clear a fraud case, once (audited): clearing undoes its block, hidden "
            "review or held order; confirming rejects a held order and blocks the account",
            "admin", request=fcs.ResolveFraudCase, response=fcs.FraudCaseOut, roles=ADMINS,
            errors=(e.NotFound, e.CaseAlreadyResolved),
        ),
        Operation(
            "record_interactions", "POST", "/v1/interactions",
            "Send a batch of up to 50 interactions (view, click, add_to_cart, dwell, search; "
            "body at most 16 KB): anonymous clients name their device (`X-Device-Id` or "
            "`device_id`), signed-in ones may send a bearer token too, which merges the "
            "device's history into the account once. Retry a 503 with the same batch",
            "personalization", request=its.RecordInteractions, response=s.Accepted,
            status=202, errors=(e.TooManyAttempts, e.Unauthenticated, e.AccountBlocked,
                                e.ServiceUnavailable),
            idempotency="none", max_body_bytes=MAX_INTERACTION_BYTES,
            device_header="checked",
        ),
        Operation(
            "record_analytics_events", "POST", "/v1/analytics/events",
            "Send a batch of up to 50 analytics events (body at most 32 KB) to your region's "
            "anonymizer: ids become zone pseudonyms, times are cut to the hour, properties "
            "outside the allow-list are dropped and free text is scrubbed before anything "
            "leaves the region (docs/anonymization-policy.md). Anonymous clients name their "
            "device. Retry a 503 with the same batch",
            "personalization", request=ans.RecordAnalyticsEvents, response=s.Accepted,
            status=202, errors=(e.TooManyAttempts, e.Unauthenticated, e.AccountBlocked,
                                e.ServiceUnavailable),
            idempotency="none", max_body_bytes=ans.MAX_ANALYTICS_BODY_BYTES,
            device_header="checked",
        ),
        Operation(
            "get_promoted_feed", "GET", "/v1/feed/promoted",
            "Active promotions ranked for the caller: personal when signed in (bearer token) "
            "or by the anonymous client's `X-Device-Id`, else by popularity; at most two "
            "items of one vendor, nothing the caller bought, a reason per item and the "
            "item factors of the model version used (for re-ranking on the device)",
            "personalization", query=fs.FeedQuery, response=fs.PromotedFeed,
            errors=(e.Unauthenticated, e.AccountBlocked),
            device_header="checked",
        ),
        Operation(
            "list_vendor_promotions", "GET", "/v1/vendors/me/promotions",
            "Your promotions, newest first (the 100 newest): status, dates, fee, what was "
            "refunded, spend (fee − refunded), and the impressions and clicks counted so far",
            "promotions", response=pls.VendorPromotions, roles=VENDORS,
        ),
        Operation(
            "get_fl_model", "GET", "/v1/fl/model",
            "The current federated model version: the URL of its immutable object (item "
            "factors of the promoted and popular products, and the training hyper-parameters) "
            "behind the CDN. Train on the device, then send the update for this version",
            "personalization", response=fls.FlModel, roles=SIGNED_IN,
            errors=(e.ModelNotPublished,),
        ),
        Operation(
            "submit_fl_update", "POST", "/v1/fl/updates",
            "Send this device's clipped update of the item factors for the current model "
            "version, once per version: items × dim in the model's item order, finite, L2 "
            "norm at most hyper.clip_norm. Your user factor and your data stay on the device",
            "personalization", request=fls.SubmitFlUpdate, response=fls.FlUpdateAccepted,
            status=202, roles=SIGNED_IN, idempotency="none",
            errors=(e.StaleModelVersion, e.UpdateAlreadyReceived, e.InvalidModelUpdate),
        ),
    ]
}
