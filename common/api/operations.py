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
from common.api import payment_schemas as ps
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
    idempotency: Literal["accepted", "required", "none"] = "accepted"
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
    ]
}
