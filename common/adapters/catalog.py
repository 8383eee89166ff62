"""PostgresCatalog: categories, products and product images, inside a unit of work."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

import sqlalchemy
from sqlalchemy import text

from common.adapters.postgres_reviews import summary_from
from common.adapters.row_locks import RowLocks
from common.domain.catalog import Category, Product, ProductImage, ProductStatus, Subcategory
from common.domain.images import DetectedObject, ImageStatus, Label, Recognition, StoredImage

_PRODUCT = """
    SELECT p.id, p.vendor_id, a.name AS vendor_name, p.name, p.description, p.price_amount,
           p.currency, p.category_id, p.subcategory_id, p.stock, p.status, p.created_at,
           p.updated_at, r.stars_1, r.stars_2, r.stars_3, r.stars_4, r.stars_5
    FROM products p JOIN accounts a ON a.id = p.vendor_id
    LEFT JOIN product_ratings r ON r.product_id = p.id
"""
_IMAGE_COLUMNS = """id, product_id, status, content_type, declared_size, reject_reason, width,
    height, labels, objects, renditions"""
_IMAGE = f"SELECT {_IMAGE_COLUMNS} FROM product_images"
# Expired and deleted images are kept (ids are never reused) but never shown.
_SHOWN = "status NOT IN ('expired', 'deleted')"
# What an indexing run may claim: an awaited upload, or a claim whose lease ran out.
_CLAIMABLE = ("((status = 'pending' AND upload_expires_at > now()) "
              "OR (status = 'processing' AND lease_until <= now()))")
_UPDATABLE = ("name", "description", "price_amount", "category_id", "subcategory_id", "stock",
              "status")


def product_from(row: Any, images: tuple[ProductImage, ...] = ()) -> Product:
    return Product(
        id=str(row.id), vendor_id=str(row.vendor_id), vendor_name=row.vendor_name,
        name=row.name, description=row.description, price_amount=row.price_amount,
        currency=row.currency, category_id=row.category_id, subcategory_id=row.subcategory_id,
        stock=row.stock, status=ProductStatus(row.status), created_at=row.created_at,
        updated_at=row.updated_at, images=images, rating=summary_from(row))


def image_from(row: Any) -> ProductImage:
    return ProductImage(
        id=str(row.id), product_id=str(row.product_id), status=ImageStatus(row.status),
        content_type=row.content_type, declared_size=row.declared_size,
        reject_reason=row.reject_reason, width=row.width,
        height=row.height, labels=tuple(Label(**item) for item in row.labels),
        objects=tuple(DetectedObject(item["name"], item["score"], tuple(item["box"]))
                      for item in row.objects),
        renditions=dict(row.renditions))


class PostgresCatalog:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db = connection
        self._locks = locks

    def category_tree(self) -> list[Category]:
        rows = self._db.execute(text(
            "SELECT c.id, c.name, s.id AS sub_id, s.name AS sub_name FROM categories c "
            "JOIN subcategories s ON s.category_id = c.id ORDER BY c.position, s.position"))
        names: dict[str, str] = {}
        subcategories: dict[str, list[Subcategory]] = {}
        for row in rows:
            names[row.id] = row.name
            subcategories.setdefault(row.id, []).append(Subcategory(row.sub_id, row.sub_name))
        return [Category(id, names[id], tuple(subs)) for id, subs in subcategories.items()]

    def category_of(self, subcategory_id: str) -> str | None:
        return self._db.execute(text("SELECT category_id FROM subcategories WHERE id = :id"),
                                {"id": subcategory_id}).scalar()

    def category_exists(self, category_id: str) -> bool:
        return self._db.execute(text("SELECT 1 FROM categories WHERE id = :id"),
                                {"id": category_id}).scalar() is not None

    def add_product(self, product_id: str, vendor_id: str, fields: dict[str, Any]) -> None:
        self._db.execute(text(
            "INSERT INTO products (id, vendor_id, name, description, price_amount, currency, "
            "category_id, subcategory_id, stock, status) VALUES (:id, :vendor_id, :name, "
            ":description, :price_amount, :currency, :category_id, :subcategory_id, :stock, "
            "'listed')"), {"id": product_id, "vendor_id": vendor_id, **fields})

    def get(self, product_id: str, *, for_update: bool = False,
            public: bool = False) -> Product | None:
        """A product with its images; `public`: only if listed by an active vendor."""
        where = " WHERE p.id = :id"
        if public:
            where += " AND p.status = 'listed' AND a.state = 'active'"
        lock = self._locks.clause("products", [product_id], alias="p") if for_update else ""
        row = self._db.execute(text(_PRODUCT + where + lock), {"id": product_id}).first()
        if row is None:
            return None
        images = self._db.execute(text(
            f"{_IMAGE} WHERE product_id = :id AND {_SHOWN} ORDER BY created_at, id"),
            {"id": product_id})
        return product_from(row, tuple(image_from(image) for image in images))

    def update(self, product_id: str, changes: dict[str, Any]) -> None:
        columns = [name for name in _UPDATABLE if name in changes]
        assignments = ", ".join(f"{name} = :{name}" for name in columns)
        self._db.execute(text(
            f"UPDATE products SET {assignments}, updated_at = now() "
            "WHERE id = :id"), {"id": product_id, **{name: changes[name] for name in columns}})

    def add_words(self, words: Iterable[str]) -> None:
        """Grow the search lexicon (typo correction) with these words."""
        words = sorted(set(words))
        if words:
            self._db.execute(text(
                "INSERT INTO search_lexicon (word) SELECT unnest(CAST(:words AS text[])) "
                "ON CONFLICT DO NOTHING"), {"words": words})

    def add_image(self, image_id: str, product_id: str, object_name: str, content_type: str,
                  size: int, upload_expires_at: datetime) -> None:
        self._db.execute(text(
            "INSERT INTO product_images (id, product_id, object_name, content_type, "
            "declared_size, status, upload_expires_at) VALUES (:id, :product_id, :object_name, "
            ":content_type, :size, 'pending', :expires)"),
            {"id": image_id, "product_id": product_id, "object_name": object_name,
             "content_type": content_type, "size": size, "expires": upload_expires_at})

    def live_image_count(self, product_id: str) -> int:
        """Images that count toward the cap: ready, being indexed, or awaiting an upload."""
        return self._db.execute(text(
            "SELECT count(*) FROM product_images WHERE product_id = :id AND (status IN "
            "('processing', 'ready') OR (status = 'pending' AND upload_expires_at > now()))"),
            {"id": product_id}).scalar_one()

    def image_by_object(self, object_name: str) -> ProductImage | None:
        row = self._db.execute(text(_IMAGE + " WHERE object_name = :name"),
                               {"name": object_name}).first()
        return image_from(row) if row else None

    def image_status(self, image_id: str) -> ImageStatus | None:
        status = self._db.execute(text("SELECT status FROM product_images WHERE id = :id"),
                                  {"id": image_id}).scalar()
        return None if status is None else ImageStatus(status)

    def claim_image(self, object_name: str, token: str, lease_s: int) -> ProductImage | None:
        """pending (or processing with an expired lease) -> processing under `token`."""
        row = self._db.execute(text(
            "UPDATE product_images SET status = 'processing', lease_token = :token, "
            "lease_until = now() + make_interval(secs => :lease) "
            f"WHERE object_name = :name AND {_CLAIMABLE} RETURNING {_IMAGE_COLUMNS}"),
            {"name": object_name, "token": token, "lease": lease_s}).first()
        return image_from(row) if row else None

    def release_claim(self, image_id: str, token: str) -> None:
        """Give an unfinished claim back: the image awaits its (next) indexing run again."""
        self._db.execute(text(
            "UPDATE product_images SET status = 'pending', lease_token = NULL, "
            "lease_until = NULL WHERE id = :id AND status = 'processing' "
            "AND lease_token = :token"), {"id": image_id, "token": token})

    def lock_product(self, product_id: str) -> None:
        """The product row lock, taken before any of its image rows (one lock order)."""
        self._locks.lock(self._db, "products", [product_id])

    def mark_ready(self, image_id: str, token: str, width: int, height: int,
                   recognition: Recognition, renditions: dict[str, str]) -> bool:
        """processing under `token` -> ready; False when the claim was lost."""
        embedding = recognition.embedding
        return self._db.execute(text(
            "UPDATE product_images SET status = 'ready', width = :width, height = :height, "
            "labels = CAST(:labels AS jsonb), objects = CAST(:objects AS jsonb), "
            "renditions = CAST(:renditions AS jsonb), embedding = CAST(:embedding AS vector), "
            "lease_token = NULL, lease_until = NULL, indexed_at = now() "
            "WHERE id = :id AND status = 'processing' AND lease_token = :token"),
            {"id": image_id, "token": token, "width": width, "height": height,
             "labels": json.dumps([vars(label) for label in recognition.labels]),
             "objects": json.dumps([vars(item) for item in recognition.objects]),
             "renditions": json.dumps(renditions),
             "embedding": None if embedding is None else vector_literal(embedding)}
        ).rowcount == 1

    def mark_rejected(self, image_id: str, token: str, reason: str) -> bool:
        """processing under `token` -> rejected; False when the claim was lost."""
        return self._db.execute(text(
            "UPDATE product_images SET status = 'rejected', reject_reason = :reason, "
            "lease_token = NULL, lease_until = NULL, indexed_at = now() "
            "WHERE id = :id AND status = 'processing' AND lease_token = :token"),
            {"id": image_id, "token": token, "reason": reason[:500]}).rowcount == 1

    def mark_deleted(self, image_id: str) -> None:
        self._db.execute(text(
            "UPDATE product_images SET status = 'deleted', lease_token = NULL, "
            "lease_until = NULL, embedding = NULL WHERE id = :id"), {"id": image_id})

    def expire_images(self, abandoned_after_s: int, limit: int) -> list[StoredImage]:
        """Expire images whose upload never came, and claims nobody finished for
        `abandoned_after_s`."""
        rows = self._db.execute(text(
            "UPDATE product_images SET status = 'expired', lease_token = NULL, "
            "lease_until = NULL, embedding = NULL WHERE id IN (SELECT id FROM product_images "
            "WHERE (status = 'pending' AND upload_expires_at <= now()) OR (status = "
            "'processing' AND lease_until <= now() - make_interval(secs => :abandoned)) "
            "LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING product_id, id, object_name"),
            {"abandoned": abandoned_after_s, "limit": limit})
        return [StoredImage(str(row.product_id), str(row.id), row.object_name) for row in rows]

    def images_to_remove(self, limit: int) -> list[StoredImage]:
        """Expired or deleted images whose files may remain outside the database."""
        rows = self._db.execute(text(
            "SELECT product_id, id, object_name FROM product_images WHERE status IN "
            "('expired', 'deleted') AND removed_at IS NULL ORDER BY id LIMIT :limit"),
            {"limit": limit})
        return [StoredImage(str(row.product_id), str(row.id), row.object_name) for row in rows]

    def mark_removed(self, image_ids: list[str]) -> None:
        """Their upload, renditions and similar-image reference are gone."""
        self._db.execute(text(
            "UPDATE product_images SET removed_at = now() WHERE id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": image_ids})

    def refresh_image_labels(self, product_id: str) -> str:
        """Copy the labels of the product's ready images into its search document.

        The product row is locked by a statement of its own first: the UPDATE's sub-select
        then reads after any concurrent indexing of the same product has committed (in one
        statement, its snapshot would predate the wait for the lock and miss those labels)."""
        self.lock_product(product_id)
        return self._db.execute(text(
            "UPDATE products p SET image_labels = coalesce((SELECT string_agg(DISTINCT "
            "label ->> 'name', ' ') FROM product_images i, jsonb_array_elements(i.labels) label "
            "WHERE i.product_id = p.id AND i.status = 'ready'), '') WHERE p.id = :id "
            "RETURNING image_labels"), {"id": product_id}).scalar_one()


def vector_literal(values: tuple[float, ...]) -> str:
    return "[" + ",".join(f"{value:.7g}" for value in values) + "]"
