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

from common.api import catalog_schemas as cs
from common.api import money_schemas as ms
from common.api import order_schemas as os_
from common.api import payment_schemas as ps
from common.api import refund_schemas as rs
from common.api import schemas as s
from common.api.routes import route_pattern
from common.domain import errors as e
from common.domain.identity import Role
from common.domain.images import MAX_BYTES as MAX_IMAGE_BYTES

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
        ),
        Operation(
            "register_vendor", "POST", "/v1/vendors", "Register as vendor", "identity",
            request=s.RegisterVendor, response=s.Account, status=201, errors=(e.EmailTaken,),
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
            "next (a replay of the Idempotency-Key answers the order as it is now)", "orders",
            request=os_.PlaceOrder, response=os_.OrderView, status=202, roles=CUSTOMERS,
            verified_email=True, idempotency="required_by_use_case",
            errors=(e.InsufficientStock, e.PriceChanged, e.ProductUnavailable,
                    e.PaymentMethodNotSupported, e.PaymentDeclined, e.EmailNotVerified,
                    e.ProviderUnavailable),
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
            "create_onboarding_link", "POST", "/v1/vendors/me/payment-account/onboarding-link",
            "A single-use link where you complete your payout account at the payment provider "
            "(409 until your verified profile has one)", "orders",
            response=ms.OnboardingLink, roles=VENDORS, errors=(e.PaymentAccountMissing,),
        ),
    ]
}
