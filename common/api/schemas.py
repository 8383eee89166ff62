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
    model_validator,
)

from common.api.fields import SPACE, SPECIAL_USE_DOMAIN, Documented, Text, absent, exact
from common.domain.identity import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    PASSWORD_POLICY,
    PaymentMethod,
    password_problems,
)
from common.domain.page_tokens import MAX_TOKEN_CHARS, TOKEN_PATTERN

MAX_EMAIL = 254


class Strict(BaseModel):
    """Requests: unknown fields are an error, strings are stripped."""

    # Built on first use: a function validates a handful of the models this module defines.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


def _lower(value: str) -> str:
    return value.lower()


Name = Annotated[str, Text(1, 100)]
Email = Annotated[EmailStr, Field(max_length=MAX_EMAIL), AfterValidator(_lower),
                  Documented(**{"not": {"pattern": SPECIAL_USE_DOMAIN}})]
# The policy is checked by the domain (password_problems) on the stripped password: the
# document says its length; "a letter" (any Unicode letter) needs \p{L}, which a portable
# JSON Schema pattern (ECMA-262 without the u flag) lacks, and the email's local part is
# another field (both: schemathesis.toml).
Password = Annotated[str, Text(0, PASSWORD_MAX_LENGTH),
                     Field(description=f"Policy: {PASSWORD_POLICY}."),
                     Documented(minLength=PASSWORD_MIN_LENGTH)]
Reason = Annotated[str, Text(3, 1000)]
CountryCode = Annotated[str, exact(r"^[A-Z]{2}$")]
Website = Annotated[str, exact(rf"^https?://[^{SPACE}\ufeff/$.?#\x00][^{SPACE}\ufeff\x00]*$",
                               2048)]
LegalName = Annotated[str, Text(2, 200)]
RegistrationNumber = Annotated[str, Text(2, 64)]
Address = Annotated[str, Text(5, 500)]
Note = Annotated[str, Text(0, 1000)]
PageToken = Annotated[str, exact(TOKEN_PATTERN, MAX_TOKEN_CHARS),
                      Field(description="next_page_token of the page before, as it was sent")]


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
    legal_name: LegalName
    registration_number: RegistrationNumber
    country: CountryCode = Field(description="ISO 3166-1 alpha-2, upper case")
    address: Address
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
    # Any password: the policy is for new ones.
    password: Annotated[str, Text(1, PASSWORD_MAX_LENGTH)]


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
    refresh_token: Annotated[str, Text(1, 4096)]


class RefreshedSession(Out):
    id_token: str
    refresh_token: str
    expires_in: int


class RequestPasswordReset(Strict):
    email: Email


class Accepted(Out):
    status: Literal["accepted"] = "accepted"


class EmailVerificationQuery(Strict):
    oob_code: Annotated[str, Text(1, 512)]


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
    """Either field or both; `website: null` removes the website."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    # Optional but never null: a vendor accepts at least one payment method.
    payment_methods: Annotated[list[PaymentMethod], Field(min_length=1, max_length=3),
                               Documented(uniqueItems=True)] = absent()
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
    page_token: PageToken | None = None


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


# Verifying needs every item confirmed (false: 422 checklist_incomplete, domain rule).
Confirmed = Annotated[StrictBool, Documented(const=True)]


class Checklist(Strict):
    business_registration: Confirmed
    identity: Confirmed
    address: Confirmed
    bank_account: Confirmed


class VerifyVendor(Strict):
    checklist: Checklist
    note: Note | None = None


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


