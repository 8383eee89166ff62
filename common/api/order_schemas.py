"""Pydantic models of the orders API (shared/api.md, "Orders and payments")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Union

from pydantic import Field, StrictInt

from common.api.catalog_schemas import Money, Price, Uuid
from common.api.fields import Text, absent, exact
from common.api.schemas import Out, PageToken, Strict
from common.domain.orders import MAX_LINES, MAX_QUANTITY

HttpsUrl = Annotated[str, exact(r"^https://[^\s]{1,2000}$", 2008)]
# A card the client tokenized with the provider's SDK: an id, never card data.
CardToken = Annotated[str, exact(r"^pm_[A-Za-z0-9_]{1,200}$", 203)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]


class OrderItem(Strict):
    product_id: Uuid
    quantity: Quantity
    expected_unit_price: Price = absent()


class CardPayment(Strict):
    method: Literal["card"]
    payment_method: CardToken
    return_url: HttpsUrl


class PaypalPayment(Strict):
    method: Literal["paypal"]
    return_url: HttpsUrl


class BankTransferPayment(Strict):
    method: Literal["bank_transfer"]


class ShippingAddress(Strict):
    name: Annotated[str, Text(1, 100)]
    line1: Annotated[str, Text(1, 200)]
    line2: Annotated[str, Text(0, 200)] = absent()
    postal_code: Annotated[str, Text(1, 20)]
    city: Annotated[str, Text(1, 100)]
    country: Annotated[str, exact(r"^[A-Z]{2}$")]


class PlaceOrder(Strict):
    items: Annotated[list[OrderItem], Field(min_length=1, max_length=MAX_LINES)]
    payment: Annotated[Union[CardPayment, PaypalPayment, BankTransferPayment],
                       Field(discriminator="method")]
    shipping_address: ShippingAddress


class NextAction(Out):
    type: Literal["authenticate", "redirect", "bank_transfer_instructions"]
    url: str | None = None
    iban: str | None = None
    bic: str | None = None
    reference: str | None = None
    amount_remaining: Money | None = None
    expires_at: datetime | None = None


class PaymentView(Out):
    id: str
    method: str
    status: str
    amount: Money
    amount_received: Money
    next_action: NextAction | None = None
    decline_code: str | None = None


class OrderLineView(Out):
    id: str
    product_id: str
    product_name: str
    quantity: int
    unit_price: Money
    line_total: Money
    commission: Money
    refunded_quantity: int
    refunded: Money


class OrderPartView(Out):
    id: str
    vendor_id: str
    status: str
    subtotal: Money
    commission: Money
    tracking: str | None
    lines: list[OrderLineView]


class OrderStepView(Out):
    step: str
    at: datetime
    part_id: str | None = None
    detail: dict


class OrderView(Out):
    id: str
    status: str = Field(description=(
        "pending_review (held for a fraud review), pending_payment, paid, shipped, delivered, "
        "payment_failed, cancelled or refunded"))
    total: Money
    payment: PaymentView
    parts: list[OrderPartView]
    shipping_address: dict
    failure_reason: str | None
    reservation_expires_at: datetime
    created_at: datetime
    paid_at: datetime | None
    steps: list[OrderStepView]


class OrderListQuery(Strict):
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    page_token: PageToken | None = None


class OrderPage(Out):
    items: list[OrderView]
    next_page_token: str | None
