"""Demo accounts for the local marketplace, created through the same use cases as real ones.

Idempotent: a second start finds the accounts and only re-creates a Firebase user that
the emulator lost. Refused in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from common import bootstrap
from common.domain.identity import Account, Business, Role, VendorStatus
from common.services.registration import NewAccount, register
from common.services.vendor_verification import verify_vendor

CHECKLIST = {"business_registration": True, "identity": True, "address": True,
             "bank_account": True}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    business: Business | None = None
    verified_vendor: bool = False


def _business(n: int, name: str, country: str) -> Business:
    return Business(name, f"REG-{n:06d}", country, f"{n} Market Street, {country}",
                    f"https://{name.lower().replace(' ', '-')}.example")


DEMO_ACCOUNTS = (
    DemoAccount("admin@bazaar.example", "Ada Admin", Role.ADMIN),
    DemoAccount("vendor1@bazaar.example", "Vera Vendor", Role.VENDOR,
                _business(1, "Vera Goods GmbH", "DE"), verified_vendor=True),
    DemoAccount("vendor2@bazaar.example", "Victor Vendor", Role.VENDOR,
                _business(2, "Victor Supplies SARL", "FR"), verified_vendor=True),
    DemoAccount("vendor3@bazaar.example", "Valentina Vendor", Role.VENDOR,
                _business(3, "Valentina Crafts SRL", "IT")),
    DemoAccount("customer1@bazaar.example", "Carla Customer", Role.CUSTOMER),
    DemoAccount("customer2@bazaar.example", "Carlos Customer", Role.CUSTOMER),
)


def load_demo_data() -> list[Account]:
    """Ensure every demo account exists, email verified, vendors 1-2 verified."""
    settings = bootstrap.settings()
    if settings.is_production or not settings.demo_data:
        raise RuntimeError("demo data needs BAZAAR_DEMO_DATA=1 outside production")
    identity = bootstrap.identity()
    admin = _ensure(DEMO_ACCOUNTS[0], settings.demo_password, identity)
    accounts = [admin]
    for demo in DEMO_ACCOUNTS[1:]:
        account = _ensure(demo, settings.demo_password, identity)
        if demo.verified_vendor and account.vendor.status is VendorStatus.PENDING_VERIFICATION:
            verify_vendor(account.id, CHECKLIST, "demo data", admin_id=admin.id,
                          uow=bootstrap.unit_of_work)
        accounts.append(account)
    return accounts


def _ensure(demo: DemoAccount, password: str, identity) -> Account:  # noqa: ANN001
    with bootstrap.unit_of_work() as tx:
        existing = tx.accounts.by_email(demo.email)
    if existing is None:
        new = NewAccount(demo.name, demo.email, password, demo.role, demo.business)
        return register(new, bootstrap.unit_of_work, identity, email_verified=True)
    if not identity.user_exists(existing.id):
        identity.create_user(existing.id, demo.email, password, demo.name, demo.role.value,
                             email_verified=True)
    return existing
