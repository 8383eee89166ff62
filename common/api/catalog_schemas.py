"""Pydantic models of the catalog and search API (shared/api.md, "Catalog and search")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, RootModel, StrictInt, StringConstraints, model_validator

from common.api.fields import Documented, Text, absent, exact
from common.api.schemas import Out, PageToken, Strict
from common.domain.catalog import MAX_PRICE, MAX_STOCK
from common.domain.images import ACCEPTED_TYPES, MAX_BYTES

Slug = Annotated[str, exact(r"^[a-z0-9-]{1,64}$")]
Uuid = Annotated[str, exact(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
ProductName = Annotated[str, Text(1, 200)]
Description = Annotated[str, Text(0, 5000)]
SearchText = Annotated[str, Text(0, 200)]
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
    """Any of the fields, none null; `status: "listed"` lists an unlisted product again."""

    model_config = ConfigDict(json_schema_extra={
        "minProperties": 1, "dependentRequired": {"category_id": ["subcategory_id"]}})

    name: ProductName = absent()
    description: Description = absent()
    price: Price = absent()
    category_id: Slug = absent()
    subcategory_id: Slug = absent()
    stock: Stock = absent()
    status: Literal["listed"] = absent()

    @model_validator(mode="after")
    def _something_to_change(self) -> "UpdateProduct":
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        if "category_id" in self.model_fields_set and "subcategory_id" not in self.model_fields_set:
            raise ValueError("a new category_id needs its subcategory_id")
        return self


class RequestImageUpload(Strict):
    # Checked by the domain (422 unsupported_image); sent as is, never stripped.
    content_type: Annotated[str, StringConstraints(strip_whitespace=False, max_length=100),
                            Documented(enum=sorted(ACCEPTED_TYPES))]
    size: Annotated[StrictInt, Field(description="Exact size of the file in bytes."),
                    Documented(minimum=1, maximum=MAX_BYTES)]


class ImageUpload(Out):
    image_id: str
    upload_url: str
    upload_headers: dict[str, str]
    expires_at: datetime


class ProductQuery(Strict):
    category_id: Slug | None = None
    subcategory_id: Slug | None = None
    q: SearchText | None = None
    min_price: PriceFilter | None = None
    max_price: PriceFilter | None = None
    vendor_id: Uuid | None = None
    sort: Literal["relevance", "price_asc", "price_desc", "rating", "newest"] = "relevance"
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    page_token: PageToken | None = None


class Label(Out):
    name: str
    score: float


class DetectedObject(Out):
    name: str
    score: float
    box: tuple[float, float, float, float]


ImageStatus = Literal["pending", "ready", "rejected"]  # a client never sees the others


class Image(Out):
    id: str
    status: ImageStatus
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
    """The product's visible reviews: how many, their mean (2 places; null before the
    first) and how many gave each number of stars."""

    count: int
    average: float | None
    distribution: dict[str, int] = Field(
        description='Stars -> reviews: {"1": n, "2": n, "3": n, "4": n, "5": n}.')


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
