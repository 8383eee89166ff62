"""Demo products for the local marketplace, listed and illustrated through the real paths:
the listing use case, a signed upload URL, a PUT to fake-gcs-server, the bucket event.

Idempotent: a vendor that already has products gets none added. The pictures are
generated (a coloured still life with the product's name), so nothing is downloaded.
"""

from __future__ import annotations

import io
import random

import requests
from PIL import Image, ImageDraw
from sqlalchemy import text

from common import bootstrap
from common.domain.identity import Account, AccountState, Principal, Role, VendorStatus
from common.services.catalog import list_product
from common.services.product_images import request_image_upload

# (name, description, price in cents, category, sub-category, stock)
DEMO_PRODUCTS = (
    ("Wireless noise-cancelling headphones", "Over-ear, 30 hours of battery, USB-C.", 12900,
     "electronics", "electronics--audio-headphones", 25),
    ("Espresso cup set", "Six porcelain cups with saucers, 80 ml.", 2900,
     "home-kitchen", "home-kitchen--tableware-cutlery", 40),
    ("Brass desk lamp", "Adjustable arm, warm LED, dimmable.", 7400,
     "home-kitchen", "home-kitchen--lighting", 12),
    ("Copper kettle", "1.5 l stovetop kettle that whistles when ready.", 5900,
     "home-kitchen", "home-kitchen--cookware", 8),
    ("Trail running shoes", "Grippy sole, breathable mesh, sizes 36-47.", 11900,
     "shoes", "shoes--sports-shoes", 30),
    ("Leather backpack", "Full-grain leather, fits a 15-inch laptop.", 15900,
     "bags-accessories", "bags-accessories--backpacks", 6),
    ("Wooden building blocks", "100 beech blocks in a cotton bag.", 3900,
     "toys-games", "toys-games--building-toys", 50),
    ("Acoustic guitar", "Spruce top, mahogany back, with gig bag.", 24900,
     "musical-instruments", "musical-instruments--guitars-basses", 4),
)


def load_demo_catalog(accounts: list[Account]) -> int:
    """List the demo products across the verified demo vendors; returns how many were added."""
    with bootstrap.unit_of_work() as tx:  # re-read: verification happened after registering
        current = [tx.accounts.get(account.id) for account in accounts]
    vendors = [a for a in current if a.vendor and a.vendor.status is VendorStatus.VERIFIED]
    stocked = {vendor.id for vendor in vendors if _has_products(vendor.id)}
    added = 0
    for index, spec in enumerate(DEMO_PRODUCTS):
        vendor = vendors[index % len(vendors)]
        if vendor.id not in stocked:
            _list_with_picture(vendor, spec, seed=index)
            added += 1
    return added


def _has_products(vendor_id: str) -> bool:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT EXISTS (SELECT 1 FROM products WHERE vendor_id = :id)"),
                          {"id": vendor_id}).scalar_one()


def _list_with_picture(vendor: Account, spec: tuple, seed: int) -> None:
    name, description, price, category, subcategory, stock = spec
    principal = Principal(vendor.id, Role.VENDOR, AccountState.ACTIVE, True,
                          VendorStatus.VERIFIED)
    product = list_product(principal, {
        "name": name, "description": description, "price_amount": price,
        "category_id": category, "subcategory_id": subcategory, "stock": stock,
    }, uow=bootstrap.unit_of_work)
    picture = _picture(name, seed)
    ticket = request_image_upload(principal, product.id, "image/jpeg", len(picture),
                                  uow=bootstrap.unit_of_work, store=bootstrap.image_store())
    requests.put(ticket.upload_url, data=picture, headers=ticket.upload_headers,
                 timeout=30).raise_for_status()


def _picture(name: str, seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (800, 600), tuple(rng.randrange(180, 256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y, size = rng.randrange(700), rng.randrange(500), rng.randrange(60, 240)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(
            [x, y, x + size, y + size], fill=colour, outline=(30, 30, 30), width=4)
    draw.rectangle([0, 530, 800, 600], fill=(255, 255, 255))
    draw.text((20, 555), name, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()
