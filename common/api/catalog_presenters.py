"""Catalog domain objects and query rows → response models of the contract."""

from __future__ import annotations

from typing import Sequence, cast

from common.api import catalog_schemas as cs
from common.domain.catalog import Category, Product, ProductImage, ProductSummary
from common.domain.images import SHOWN_STATUS, Label
from common.domain.reviews import RatingSummary


def media_url(base_url: str, object_name: str | None) -> str | None:
    return f"{base_url}/{object_name}" if object_name else None


def category_tree(tree: Sequence[Category]) -> cs.CategoryTree:
    return cs.CategoryTree([
        cs.Category(id=c.id, name=c.name,
                    subcategories=[cs.Subcategory(id=sub.id, name=sub.name)
                                   for sub in c.subcategories])
        for c in tree])


def image(i: ProductImage, base_url: str) -> cs.Image:
    return cs.Image(
        id=i.id, status=cast(cs.ImageStatus, SHOWN_STATUS.get(i.status, i.status).value),
        reason=i.reject_reason,
        width=i.width, height=i.height,
        labels=[cs.Label(name=label.name, score=label.score) for label in i.labels],
        objects=[cs.DetectedObject(name=o.name, score=o.score, box=o.box) for o in i.objects],
        urls={name: f"{base_url}/{object_name}"
              for name, object_name in sorted(i.renditions.items())})


def product(p: Product, base_url: str) -> cs.Product:
    return cs.Product(
        id=p.id, name=p.name, description=p.description,
        price=cs.Money(amount=p.price_amount, currency=p.currency),
        category_id=p.category_id, subcategory_id=p.subcategory_id, stock=p.stock,
        status=p.status.value, vendor=cs.VendorRef(id=p.vendor_id, name=p.vendor_name),
        rating=rating(p.rating),
        images=[image(i, base_url) for i in p.images],
        created_at=p.created_at, updated_at=p.updated_at)


def summary(row: ProductSummary, base_url: str) -> cs.ProductSummary:
    return cs.ProductSummary(
        id=row.id, name=row.name,
        price=cs.Money(amount=row.price_amount, currency=row.currency),
        category_id=row.category_id, subcategory_id=row.subcategory_id,
        vendor=cs.VendorRef(id=row.vendor_id, name=row.vendor_name),
        rating=rating(row.rating),
        thumbnail_url=media_url(base_url, row.thumbnail), in_stock=row.stock > 0,
        created_at=row.created_at)


def page(rows: list[ProductSummary], next_token: str | None, base_url: str) -> cs.ProductPage:
    return cs.ProductPage(items=[summary(row, base_url) for row in rows],
                          next_page_token=next_token)


def image_search(labels: tuple[Label, ...], scored: list[tuple[ProductSummary, float]],
                 base_url: str) -> cs.ImageSearchResult:
    return cs.ImageSearchResult(
        labels=[cs.Label(name=label.name, score=label.score) for label in labels],
        items=[cs.ScoredProduct(product=summary(row, base_url), score=score)
               for row, score in scored])


def rating(summary: RatingSummary) -> cs.Rating:
    """The product's rating summary: its visible reviews' count, mean and stars."""
    return cs.Rating(count=summary.count, average=summary.average,
                     distribution=summary.distribution())
