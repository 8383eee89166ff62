"""Pydantic models of the catalog and search API (shared/api.md, "Catalog and search")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, RootModel, StrictInt, StringConstraints, model_validator

from common.api.schemas import Out, Strict
from common.domain.catalog import MAX_PRICE, MAX_STOCK

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")]
Uuid = Annotated[str, StringConstraints(
    pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
ProductName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=5000)]
Amount = Annotated[StrictInt, Field(gt=0, le=MAX_PRICE, description="Minor units (cents).")]
Stock = Annotated[StrictInt, Field(ge=0, le=MAX_STOCK)]
PriceFilter = Annotated[int, Field(ge=0, le=MAX_PRICE, description="Minor units (cents).")]


class Money(Out):
    amount: int
    currency: str


class Price(Strict):
    amount: Amount
    currency: Literal["EUR"] = "EUR"


class CreateProduct(Strict):
    name: ProductName
    description: Description = ""
    price: Price
    category_id: Slug
    subcategory_id: Slug
    stock: Stock


class UpdateProduct(Strict):
    """Any of the fields; `status: "listed"` lists an unlisted product again."""

    name: ProductName | None = None
    description: Description | None = None
    price: Price | None = None
    category_id: Slug | None = None
    subcategory_id: Slug | None = None
    stock: Stock | None = None
    status: Literal["listed"] | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> "UpdateProduct":
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        if any(getattr(self, name) is None for name in self.model_fields_set):
            raise ValueError("fields cannot be set to null")
        if "category_id" in self.model_fields_set and "subcategory_id" not in self.model_fields_set:
            raise ValueError("a new category_id needs its subcategory_id")
        return self


class RequestImageUpload(Strict):
    content_type: Annotated[str, StringConstraints(max_length=100)]
    size: Annotated[StrictInt, Field(description="Exact size of the file in bytes.")]


class ImageUpload(Out):
    image_id: str
    upload_url: str
    upload_headers: dict[str, str]
    expires_at: datetime


class ProductQuery(Strict):
    category_id: Slug | None = None
    subcategory_id: Slug | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    min_price: PriceFilter | None = None
    max_price: PriceFilter | None = None
    vendor_id: Uuid | None = None
    sort: Literal["relevance", "price_asc", "price_desc", "rating", "newest"] = "relevance"
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    page_token: Annotated[str, StringConstraints(max_length=300)] | None = None


class Label(Out):
    name: str
    score: float


class DetectedObject(Out):
    name: str
    score: float
    box: tuple[float, float, float, float]


class Image(Out):
    id: str
    status: Literal["pending", "ready", "rejected"]
    reason: str | None = None
    width: int | None = None
    height: int | None = None
    labels: list[Label]
    objects: list[DetectedObject]
    urls: dict[str, str] = Field(description="Rendition name (thumbnail, display) -> URL.")


class VendorRef(Out):
    id: str
    name: str


class Rating(Out):
    count: int
    average: float | None


class ProductSummary(Out):
    id: str
    name: str
    price: Money
    category_id: str
    subcategory_id: str
    vendor: VendorRef
    rating: Rating
    thumbnail_url: str | None
    in_stock: bool
    created_at: datetime


class Product(Out):
    id: str
    name: str
    description: str
    price: Money
    category_id: str
    subcategory_id: str
    stock: int
    status: Literal["listed", "unlisted"]
    vendor: VendorRef
    rating: Rating
    images: list[Image]
    created_at: datetime
    updated_at: datetime


class ProductPage(Out):
    items: list[ProductSummary]
    next_page_token: str | None


class Subcategory(Out):
    id: str
    name: str


class Category(Out):
    id: str
    name: str
    subcategories: list[Subcategory]


class CategoryTree(RootModel[list[Category]]):
    model_config = {"defer_build": True}


class ScoredProduct(Out):
    product: ProductSummary
    score: float


class ImageSearchResult(Out):
    labels: list[Label]
    items: list[ScoredProduct]


def product_fields(body: CreateProduct | UpdateProduct) -> dict:
    """A create (every field) or an edit (only the fields sent) as catalog columns:
    `price` becomes `price_amount` (EUR minor units)."""
    sent = body.model_fields_set if isinstance(body, UpdateProduct) else None
    fields = body.model_dump(include=sent)
    if "price" in fields:
        fields["price_amount"] = fields.pop("price")["amount"]
    return fields
