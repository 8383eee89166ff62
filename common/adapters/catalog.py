"""PostgresCatalog: categories, products and product images, inside a unit of work."""

from __future__ import annotations

import json
from typing import Any, Iterable

import sqlalchemy
from sqlalchemy import text

from common.domain.catalog import Product, ProductImage, ProductStatus
from common.domain.images import DetectedObject, ImageStatus, Label, Recognition

_PRODUCT = """
    SELECT p.id, p.vendor_id, a.name AS vendor_name, p.name, p.description, p.price_amount,
           p.currency, p.category_id, p.subcategory_id, p.stock, p.status, p.rating_count,
           p.rating_average, p.created_at, p.updated_at
    FROM products p JOIN accounts a ON a.id = p.vendor_id
"""
_IMAGE = """
    SELECT id, product_id, status, content_type, declared_size, reject_reason, width, height,
           labels, objects, renditions
    FROM product_images
"""
_UPDATABLE = ("name", "description", "price_amount", "category_id", "subcategory_id", "stock",
              "status")


def product_from(row: Any, images: tuple[ProductImage, ...] = ()) -> Product:
    return Product(
        id=str(row.id), vendor_id=str(row.vendor_id), vendor_name=row.vendor_name,
        name=row.name, description=row.description, price_amount=row.price_amount,
        currency=row.currency, category_id=row.category_id, subcategory_id=row.subcategory_id,
        stock=row.stock, status=ProductStatus(row.status), rating_count=row.rating_count,
        rating_average=row.rating_average, created_at=row.created_at,
        updated_at=row.updated_at, images=images)


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
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def category_tree(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        rows = self._db.execute(text(
            "SELECT c.id, c.name, s.id AS sub_id, s.name AS sub_name FROM categories c "
            "JOIN subcategories s ON s.category_id = c.id ORDER BY c.position, s.position"))
        tree: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}
        for row in rows:
            tree.setdefault(row.id, (row.id, row.name, []))[2].append((row.sub_id, row.sub_name))
        return list(tree.values())

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
        lock = " FOR UPDATE OF p" if for_update else ""
        row = self._db.execute(text(_PRODUCT + where + lock), {"id": product_id}).first()
        if row is None:
            return None
        images = self._db.execute(text(_IMAGE + " WHERE product_id = :id ORDER BY created_at, id"),
                                  {"id": product_id})
        return product_from(row, tuple(image_from(image) for image in images))

    def update(self, product_id: str, changes: dict[str, Any]) -> None:
        columns = [name for name in _UPDATABLE if name in changes]
        assignments = ", ".join(f"{name} = :{name}" for name in columns)
        self._db.execute(text(
            f"UPDATE products SET {assignments}, version = version + 1, updated_at = now() "
            "WHERE id = :id"), {"id": product_id, **{name: changes[name] for name in columns}})

    def add_words(self, words: Iterable[str]) -> None:
        """Grow the search lexicon (typo correction) with these words."""
        words = sorted(set(words))
        if words:
            self._db.execute(text(
                "INSERT INTO search_lexicon (word) SELECT unnest(CAST(:words AS text[])) "
                "ON CONFLICT DO NOTHING"), {"words": words})

    def add_image(self, image_id: str, product_id: str, object_name: str, content_type: str,
                  size: int) -> None:
        self._db.execute(text(
            "INSERT INTO product_images (id, product_id, object_name, content_type, "
            "declared_size, status) VALUES (:id, :product_id, :object_name, :content_type, "
            ":size, 'pending')"), {"id": image_id, "product_id": product_id,
                                   "object_name": object_name, "content_type": content_type,
                                   "size": size})

    def live_image_count(self, product_id: str) -> int:
        return self._db.execute(text(
            "SELECT count(*) FROM product_images WHERE product_id = :id AND status <> 'rejected'"),
            {"id": product_id}).scalar_one()

    def image_by_object(self, object_name: str, *, for_update: bool = False) -> ProductImage | None:
        lock = " FOR UPDATE" if for_update else ""
        row = self._db.execute(text(_IMAGE + " WHERE object_name = :name" + lock),
                               {"name": object_name}).first()
        return image_from(row) if row else None

    def mark_ready(self, image_id: str, width: int, height: int, recognition: Recognition,
                   renditions: dict[str, str]) -> None:
        embedding = recognition.embedding
        self._db.execute(text(
            "UPDATE product_images SET status = 'ready', width = :width, height = :height, "
            "labels = CAST(:labels AS jsonb), objects = CAST(:objects AS jsonb), "
            "renditions = CAST(:renditions AS jsonb), embedding = CAST(:embedding AS vector), "
            "indexed_at = now() WHERE id = :id"),
            {"id": image_id, "width": width, "height": height,
             "labels": json.dumps([vars(label) for label in recognition.labels]),
             "objects": json.dumps([vars(item) for item in recognition.objects]),
             "renditions": json.dumps(renditions),
             "embedding": None if embedding is None else vector_literal(embedding)})

    def mark_rejected(self, image_id: str, reason: str) -> None:
        self._db.execute(text(
            "UPDATE product_images SET status = 'rejected', reject_reason = :reason, "
            "indexed_at = now() WHERE id = :id"), {"id": image_id, "reason": reason[:500]})

    def refresh_image_labels(self, product_id: str) -> str:
        """Copy the labels of the product's ready images into its search document."""
        return self._db.execute(text(
            "UPDATE products p SET image_labels = coalesce((SELECT string_agg(DISTINCT "
            "label ->> 'name', ' ') FROM product_images i, jsonb_array_elements(i.labels) label "
            "WHERE i.product_id = p.id AND i.status = 'ready'), '') WHERE p.id = :id "
            "RETURNING image_labels"), {"id": product_id}).scalar_one()


def vector_literal(values: tuple[float, ...]) -> str:
    return "[" + ",".join(f"{value:.7g}" for value in values) + "]"
