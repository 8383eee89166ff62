"""Pydantic v2 models of the identity and admin API (shared/api.md).

The functions validate requests with these models and the OpenAPI document is
generated from them, so the two cannot drift.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from common.domain.identity import PASSWORD_POLICY, password_problems

MAX_EMAIL = 254


class Strict(BaseModel):
    """Requests: unknown fields are an error, strings are stripped."""

    # Built on first use: a function validates a handful of the models this module defines.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


def _lower(value: str) -> str:
    return value.lower()


Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Email = Annotated[EmailStr, Field(max_length=MAX_EMAIL), AfterValidator(_lower)]
Password = Annotated[str, Field(max_length=128, description=f"Policy: {PASSWORD_POLICY}.")]
Reason = Annotated[str, StringConstraints(min_length=3, max_length=1000)]
PaymentMethod = Literal["card", "paypal", "bank_transfer"]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Website = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=2048)]


class _NewAccount(Strict):
    name: Name
    email: Email
    password: Password

    @model_validator(mode="after")
    def _password_policy(self) -> "_NewAccount":
        problems = password_problems(self.password, self.email)
        if problems:
            raise ValueError("password " + "; ".join(problems))
        return self


class RegisterCustomer(_NewAccount):
    pass


class Business(Strict):
    legal_name: Annotated[str, StringConstraints(min_length=2, max_length=200)]
    registration_number: Annotated[str, StringConstraints(min_length=2, max_length=64)]
    country: CountryCode = Field(description="ISO 3166-1 alpha-2, upper case")
    address: Annotated[str, StringConstraints(min_length=5, max_length=500)]
    website: Website | None = None


class RegisterVendor(_NewAccount):
    business: Business


class Account(Out):
    id: str
    name: str
    email: str
    role: Literal["customer", "vendor", "admin"]
    email_verified: bool
    status: str | None = Field(None, description="Vendors: their verification status")


class CreateSession(Strict):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=128)]


class SessionUser(Out):
    id: str
    role: Literal["customer", "vendor", "admin"]
    email_verified: bool


class Session(Out):
    id_token: str
    refresh_token: str
    expires_in: int
    user: SessionUser


class RefreshSession(Strict):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=4096)]


class RefreshedSession(Out):
    id_token: str
    refresh_token: str
    expires_in: int


class RequestPasswordReset(Strict):
    email: Email


class Accepted(Out):
    status: Literal["accepted"] = "accepted"


class EmailVerificationQuery(Strict):
    oob_code: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class EmailVerified(Out):
    email_verified: Literal[True] = True


class VendorDetails(Out):
    status: Literal["pending_verification", "verified", "rejected"]
    business: Business
    payment_methods: list[PaymentMethod]
    rejection_reason: str | None = None


class Me(Out):
    id: str
    name: str
    email: str
    role: Literal["customer", "vendor", "admin"]
    email_verified: bool
    vendor: VendorDetails | None = None


class UpdateVendorProfile(Strict):
    payment_methods: Annotated[list[PaymentMethod], Field(min_length=1, max_length=3)] | None = None
    website: Website | None = None

    @model_validator(mode="after")
    def _something_and_unique(self) -> "UpdateVendorProfile":
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        if self.payment_methods is not None and len(set(self.payment_methods)) != len(
            self.payment_methods
        ):
            raise ValueError("payment_methods must not repeat a method")
        return self


class VendorListQuery(Strict):
    status: Literal["pending_verification", "verified", "rejected"] = "pending_verification"
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    page_token: Annotated[str, StringConstraints(max_length=200)] | None = None


class VendorSummary(Out):
    id: str
    name: str
    email: str
    email_verified: bool
    status: Literal["pending_verification", "verified", "rejected"]
    business: Business
    registered_at: datetime


class VendorPage(Out):
    items: list[VendorSummary]
    next_page_token: str | None


class Checklist(Strict):
    business_registration: StrictBool
    identity: StrictBool
    address: StrictBool
    bank_account: StrictBool


class VerifyVendor(Strict):
    checklist: Checklist
    note: Annotated[str, StringConstraints(max_length=1000)] | None = None


class RejectVendor(Strict):
    reason: Reason


class VendorReview(Out):
    id: str
    status: Literal["verified", "rejected"]
    reviewed_at: datetime


class ChangeAccountState(Strict):
    reason: Reason


class AccountState(Out):
    id: str
    state: Literal["active", "blocked"]


