"""Use cases of the catalog: list, edit and unlist a product; read categories and products."""

from __future__ import annotations

import uuid
import weakref
from typing import Any

from common.domain.catalog import (
    CURRENCY,
    Category,
    Product,
    ProductStatus,
    ensure_may_list,
    ensure_owner,
    lexicon_words,
)
from common.domain.errors import InvalidRequest, NotFound
from common.domain.events import Price, ProductListed, ProductUnlisted, ProductUpdated
from common.domain.identity import Principal
from common.ports.unit_of_work import UnitOfWorkFactory

CategoryTree = tuple[Category, ...]
# Read once per process: categories change only in a migration, and a migration ships with
# a deploy, whose new instances start empty. Keyed by the unit-of-work factory (one in
# production), so that a test's fake database is not answered from the real one's tree.
_category_trees: weakref.WeakKeyDictionary[UnitOfWorkFactory, CategoryTree] = (
    weakref.WeakKeyDictionary())


def category_tree(*, uow: UnitOfWorkFactory) -> CategoryTree:
    """The category tree; from the database only on the process's first call."""
    tree = _category_trees.get(uow)
    if tree is None:
        with uow() as tx:
            tree = tuple(tx.catalog.category_tree())
        _category_trees[uow] = tree
    return tree


def list_product(principal: Principal, fields: dict[str, Any], *,
                 uow: UnitOfWorkFactory) -> Product:
    """A verified vendor lists a product; records `product.listed`."""
    ensure_may_list(principal)
    product_id = str(uuid.uuid4())
    with uow() as tx:
        _check_category(tx.catalog, fields["category_id"], fields["subcategory_id"])
        tx.catalog.add_product(product_id, principal.account_id, {**fields, "currency": CURRENCY})
        tx.catalog.add_words(lexicon_words(fields["name"], fields["description"]))
        tx.record(ProductListed(
            product_id=product_id, vendor_id=principal.account_id,
            category_id=fields["category_id"], subcategory_id=fields["subcategory_id"],
            price=Price(fields["price_amount"], CURRENCY)))
        product = tx.catalog.get(product_id)
        tx.commit()
    assert product is not None  # inserted in this transaction
    return product


def update_product(principal: Principal, product_id: str, changes: dict[str, Any], *,
                   uow: UnitOfWorkFactory) -> Product:
    """The owner edits fields (or lists an unlisted product again); `product.updated`."""
    ensure_may_list(principal)
    with uow() as tx:
        current = ensure_owner(tx.catalog.get(product_id, for_update=True), principal)
        if "subcategory_id" in changes:
            category = changes.get("category_id", current.category_id)
            _check_category(tx.catalog, category, changes["subcategory_id"])
        tx.catalog.update(product_id, changes)
        tx.catalog.add_words(lexicon_words(changes.get("name", ""),
                                           changes.get("description", "")))
        tx.record(ProductUpdated(product_id=product_id, vendor_id=principal.account_id,
                                 fields=tuple(sorted(changes))))
        product = tx.catalog.get(product_id)
        tx.commit()
    assert product is not None  # locked in this transaction
    return product


def unlist_product(principal: Principal, product_id: str, *, uow: UnitOfWorkFactory) -> None:
    """The owner takes a product off the catalog (kept for orders and reviews)."""
    with uow() as tx:
        current = ensure_owner(tx.catalog.get(product_id, for_update=True), principal)
        if current.status is ProductStatus.UNLISTED:
            return
        tx.catalog.update(product_id, {"status": ProductStatus.UNLISTED.value})
        tx.record(ProductUnlisted(product_id=product_id, vendor_id=principal.account_id))
        tx.commit()


def public_product(product_id: str, *, uow: UnitOfWorkFactory) -> Product:
    """A listed product of an active vendor, with its images; NotFound otherwise."""
    with uow() as tx:
        product = tx.catalog.get(product_id, public=True)
    if product is None:
        raise NotFound("No such product.")
    return product


def _check_category(catalog, category_id: str, subcategory_id: str) -> None:  # noqa: ANN001
    if not catalog.category_exists(category_id):
        raise InvalidRequest.at("category_id", "unknown category")
    parent = catalog.category_of(subcategory_id)
    if parent is None:
        raise InvalidRequest.at("subcategory_id", "unknown sub-category")
    if parent != category_id:
        raise InvalidRequest.at("subcategory_id",
                                f"is a sub-category of {parent}, not of {category_id}")
