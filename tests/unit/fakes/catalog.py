"""Fakes of the catalog ports: the catalog tables of one fake transaction, and the
read-only product queries."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any, Iterable

from common.domain.catalog import (
    Category,
    Cursor,
    Product,
    ProductImage,
    ProductSearch,
    ProductStatus,
    ProductSummary,
)
from common.domain.identity import AccountState
from common.domain.images import ImageStatus, Recognition, StoredImage
from tests.unit.fakes.base import Breakable, FakeClock, ImageRow, Tables

UPDATABLE = ("name", "description", "price_amount", "category_id", "subcategory_id", "stock",
             "status")
HIDDEN = (ImageStatus.EXPIRED, ImageStatus.DELETED)


def image_from(row: ImageRow) -> ProductImage:
    return ProductImage(row.id, row.product_id, row.status, row.content_type, row.declared_size,
                        row.reject_reason, row.width, row.height, row.labels, row.objects,
                        dict(row.renditions))


class FakeCatalog:
    """PostgresCatalog over the tables of one fake transaction."""

    def __init__(self, tables: Tables, clock: FakeClock) -> None:
        self._t = tables
        self._clock = clock
        self.locked: list[str] = []  # products locked, in order

    def category_tree(self) -> list[Category]:
        return list(self._t.categories)

    def category_of(self, subcategory_id: str) -> str | None:
        return next((c.id for c in self._t.categories
                     for s in c.subcategories if s.id == subcategory_id), None)

    def category_exists(self, category_id: str) -> bool:
        return any(c.id == category_id for c in self._t.categories)

    def add_product(self, product_id: str, vendor_id: str, fields: dict[str, Any]) -> None:
        assert vendor_id in self._t.accounts, "products.vendor_id references accounts"
        now = self._clock.now
        self._t.products[product_id] = Product(
            id=product_id, vendor_id=vendor_id, vendor_name="", name=fields["name"],
            description=fields["description"], price_amount=fields["price_amount"],
            currency=fields["currency"], category_id=fields["category_id"],
            subcategory_id=fields["subcategory_id"], stock=fields["stock"],
            status=ProductStatus.LISTED,
            created_at=now, updated_at=now)

    def get(self, product_id: str, *, for_update: bool = False,
            public: bool = False) -> Product | None:
        product = self._t.products.get(product_id)
        if product is None:
            return None
        vendor = self._t.accounts[product.vendor_id]
        if public and (product.status is not ProductStatus.LISTED
                       or vendor.state is not AccountState.ACTIVE):
            return None
        images = tuple(image_from(row) for row in self._t.images.values()
                       if row.product_id == product_id and row.status not in HIDDEN)
        return dataclasses.replace(product, vendor_name=vendor.name, images=images)

    def update(self, product_id: str, changes: dict[str, Any]) -> None:
        columns = {name: changes[name] for name in UPDATABLE if name in changes}
        assert columns, "UPDATE products SET , updated_at ...: a syntax error in PostgreSQL"
        if "status" in columns:
            columns["status"] = ProductStatus(columns["status"])
        self._t.products[product_id] = dataclasses.replace(
            self._t.products[product_id], **columns, updated_at=self._clock.now)

    def add_words(self, words: Iterable[str]) -> None:
        self._t.lexicon.update(words)

    def add_image(self, image_id: str, product_id: str, object_name: str, content_type: str,
                  size: int, upload_expires_at: datetime) -> None:
        self._t.images[image_id] = ImageRow(image_id, product_id, object_name, content_type,
                                            size, upload_expires_at)

    def live_image_count(self, product_id: str) -> int:
        return sum(1 for row in self._t.images.values() if row.product_id == product_id
                   and (row.status in (ImageStatus.PROCESSING, ImageStatus.READY)
                        or self._awaited(row)))

    def _awaited(self, row: ImageRow) -> bool:
        return row.status is ImageStatus.PENDING and row.upload_expires_at > self._clock.now

    def _row_of(self, object_name: str) -> ImageRow | None:
        return next((r for r in self._t.images.values() if r.object_name == object_name), None)

    def image_by_object(self, object_name: str) -> ProductImage | None:
        row = self._row_of(object_name)
        return None if row is None else image_from(row)

    def image_status(self, image_id: str) -> ImageStatus | None:
        row = self._t.images.get(image_id)
        return None if row is None else row.status

    def claim_image(self, object_name: str, token: str, lease_s: int) -> ProductImage | None:
        row = self._row_of(object_name)
        if row is None or not (self._awaited(row) or self._lease_over(row)):
            return None
        row.status, row.lease_token = ImageStatus.PROCESSING, token
        row.lease_until = self._clock.now + timedelta(seconds=lease_s)
        return image_from(row)

    def _lease_over(self, row: ImageRow, by_s: int = 0) -> bool:
        return (row.status is ImageStatus.PROCESSING and row.lease_until is not None
                and row.lease_until <= self._clock.now - timedelta(seconds=by_s))

    def _claimed(self, image_id: str, token: str) -> ImageRow | None:
        row = self._t.images.get(image_id)
        if row is None or row.status is not ImageStatus.PROCESSING or row.lease_token != token:
            return None
        return row

    def release_claim(self, image_id: str, token: str) -> None:
        row = self._claimed(image_id, token)
        if row is not None:
            row.status, row.lease_token, row.lease_until = ImageStatus.PENDING, None, None

    def lock_product(self, product_id: str) -> None:
        self.locked.append(product_id)

    def mark_ready(self, image_id: str, token: str, width: int, height: int,
                   recognition: Recognition, renditions: dict[str, str]) -> bool:
        row = self._claimed(image_id, token)
        if row is None:
            return False
        row.status, row.lease_token, row.lease_until = ImageStatus.READY, None, None
        row.width, row.height, row.renditions = width, height, dict(renditions)
        row.labels, row.objects = recognition.labels, recognition.objects
        row.embedding = recognition.embedding
        return True

    def mark_rejected(self, image_id: str, token: str, reason: str) -> bool:
        row = self._claimed(image_id, token)
        if row is None:
            return False
        row.status, row.lease_token, row.lease_until = ImageStatus.REJECTED, None, None
        row.reject_reason = reason[:500]
        return True

    def mark_deleted(self, image_id: str) -> None:
        row = self._t.images[image_id]
        row.status, row.lease_token, row.lease_until = ImageStatus.DELETED, None, None
        row.embedding = None

    def expire_images(self, abandoned_after_s: int, limit: int) -> list[StoredImage]:
        expired: list[StoredImage] = []
        for row in self._t.images.values():
            unused = row.status is ImageStatus.PENDING and not self._awaited(row)
            if len(expired) < limit and (unused or self._lease_over(row, abandoned_after_s)):
                row.status, row.lease_token, row.lease_until = ImageStatus.EXPIRED, None, None
                row.embedding = None
                expired.append(StoredImage(row.product_id, row.id, row.object_name))
        return expired

    def images_to_remove(self, limit: int) -> list[StoredImage]:
        rows = sorted((r for r in self._t.images.values()
                       if r.status in HIDDEN and r.removed_at is None), key=lambda r: r.id)
        return [StoredImage(r.product_id, r.id, r.object_name) for r in rows[:limit]]

    def mark_removed(self, image_ids: list[str]) -> None:
        for image_id in image_ids:
            self._t.images[image_id].removed_at = self._clock.now

    def refresh_image_labels(self, product_id: str) -> str:
        self.lock_product(product_id)
        names = {label.name for row in self._t.images.values()
                 if row.product_id == product_id and row.status is ImageStatus.READY
                 for label in row.labels}
        self._t.image_labels[product_id] = " ".join(sorted(names))  # string_agg(DISTINCT …)
        return self._t.image_labels[product_id]


class FakeProductQueries(Breakable):
    """Search answered from `listed`, already in the search's order: each call gives the
    `page_size + 1` rows after the cursor's row (found by id), as the keyset query would."""

    def __init__(self, listed: Iterable[ProductSummary] = ()) -> None:
        super().__init__()
        self.listed = list(listed)
        self.searches: list[tuple[ProductSearch, Cursor | None]] = []

    def search(self, search: ProductSearch, after: Cursor | None) -> list[ProductSummary]:
        self._before("search")
        self.searches.append((search, after))
        start = 0
        if after is not None:
            start = 1 + next(i for i, row in enumerate(self.listed) if row.id == after.id)
        return self.listed[start:start + search.page_size + 1]

    def summaries(self, product_ids: list[str]) -> dict[str, ProductSummary]:
        self._before("summaries")
        return {row.id: row for row in self.listed if row.id in product_ids}
