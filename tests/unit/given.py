"""Test data for the use-case tests: accounts, products and images put straight into a
fake database's committed tables (a uuid each, so no two tests share a name)."""

from __future__ import annotations

import dataclasses
import io
import uuid
from datetime import timedelta

from PIL import Image

from common.domain.catalog import Category, Product, ProductStatus, Subcategory
from common.domain.identity import (
    Account,
    AccountState,
    Business,
    Principal,
    Role,
    VendorProfile,
    VendorStatus,
)
from common.domain.images import ImageStatus
from common.settings import Settings, from_environment
from tests.unit.fakes import FakeDatabase, ImageRow

SETTINGS: Settings = dataclasses.replace(
    from_environment({"DATABASE_URL": "postgresql+pg8000://nobody@unused/bazaar"}),
    login_attempts_per_email=3, login_attempts_per_address=5,
    password_resets_per_email=2, password_resets_per_address=4,
    public_base_url="https://bazaar.example")
TOKEN_KEY = b"unit-test-page-token-key-of-32-bytes!"
CATEGORIES = [
    Category("home", "Home", (Subcategory("lamps", "Lamps"), Subcategory("rugs", "Rugs"))),
    Category("books", "Books", (Subcategory("novels", "Novels"),)),
]
BUSINESS = Business("Lumen Ltd", "HRB-12345", "DE", "Hauptstr. 1, Berlin")


def new_id() -> str:
    return str(uuid.uuid4())


def given_account(db: FakeDatabase, role: Role = Role.CUSTOMER, *,
                  state: AccountState = AccountState.ACTIVE, email_verified: bool = True,
                  vendor_status: VendorStatus = VendorStatus.VERIFIED,
                  age_s: float = 3600) -> Account:
    """An account created `age_s` seconds ago; a vendor has a profile in `vendor_status`."""
    vendor = None
    if role is Role.VENDOR:
        vendor = VendorProfile(vendor_status, BUSINESS, ("card",))
    account_id = new_id()
    account = Account(account_id, f"user-{account_id[:8]}@example.com", "Ada Lovelace", role,
                      state, email_verified, db.clock.now - timedelta(seconds=age_s), vendor)
    db.tables.accounts[account.id] = account
    return account


def principal_of(account: Account) -> Principal:
    return Principal(account.id, account.role, account.state, account.email_verified,
                     account.vendor.status if account.vendor else None)


def given_product(db: FakeDatabase, vendor: Account, *,
                  status: ProductStatus = ProductStatus.LISTED) -> Product:
    if not db.tables.categories:
        db.tables.categories = list(CATEGORIES)
    product = Product(new_id(), vendor.id, "", "Brass lamp", "A warm desk lamp", 4900, "EUR",
                      "home", "lamps", 3, status, db.clock.now, db.clock.now)
    db.tables.products[product.id] = product
    return product


def given_image(db: FakeDatabase, product: Product, *,
                status: ImageStatus = ImageStatus.PENDING, content_type: str = "image/png",
                size: int = 1000, upload_expires_in_s: float = 600,
                **columns: object) -> ImageRow:
    image_id = new_id()
    row = ImageRow(image_id, product.id, f"products/{product.id}/{image_id}", content_type,
                   size, db.clock.now + timedelta(seconds=upload_expires_in_s), status)
    for name, value in columns.items():
        setattr(row, name, value)
    db.tables.images[image_id] = row
    return row


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    """A real PNG, made in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()
