"""Connect Express accounts: created restricted, made active by onboarding (account_links.py)."""

from __future__ import annotations

import copy
from typing import Any

from devstack.stripe.created_filter import created_between
from devstack.stripe.errors import invalid, no_such
from devstack.stripe.events import Events, previous_attributes
from devstack.stripe.object_lists import list_object
from devstack.stripe.store import Store, new_id, now

PLATFORM_COUNTRY = "DE"  # the twin's platform account is a German one, settling in eur
CURRENCIES = {"US": "usd", "GB": "gbp", "CH": "chf", "SE": "sek", "DK": "dkk", "NO": "nok",
              "PL": "pln", "CZ": "czk", "CA": "cad", "AU": "aud", "JP": "jpy"}
CAPABILITIES = ("card_payments", "transfers")
EXPRESS_CONTROLLER = {"fees": {"payer": "application"}, "is_controller": True,
                      "losses": {"payments": "application"},
                      "requirement_collection": "stripe",
                      "stripe_dashboard": {"type": "express"}, "type": "application"}
# What Stripe's hosted onboarding collects from an Express account before it can be paid.
DUE = ("business_profile.mcc", "business_profile.url", "external_account",
       "tos_acceptance.date", "tos_acceptance.ip")
PERSON_DUE = {"individual": ("individual.dob.day", "individual.dob.month", "individual.dob.year",
                             "individual.email", "individual.first_name",
                             "individual.last_name"),
              "company": ("company.name", "company.tax_id", "representative.first_name",
                          "representative.last_name")}


def currency_of(country: str) -> str:
    """An account's default currency: its country's (eur across the euro area)."""
    return CURRENCIES.get(country, "eur")


def requirements(due: list[str]) -> dict[str, Any]:
    """The `requirements` hash: `due` past due and disabling, or nothing when empty."""
    return {"alternatives": [], "current_deadline": None, "currently_due": list(due),
            "disabled_reason": "requirements.past_due" if due else None, "errors": [],
            "eventually_due": list(due), "past_due": list(due), "pending_verification": []}


def _express(params: dict[str, Any]) -> None:
    """Refuse anything but an Express account (type=express or its controller properties)."""
    controller = params.get("controller")
    if params.get("type") and controller:
        raise invalid("You cannot specify both `type` and `controller`.", param="type")
    if controller:
        dashboard = (controller.get("stripe_dashboard") or {}).get("type")
        if dashboard != "express" or controller.get("requirement_collection",
                                                    "stripe") != "stripe":
            raise invalid("The twin models Express accounts only: controller"
                          "[stripe_dashboard][type]=express with Stripe collecting "
                          "requirements.", param="controller")
    elif params.get("type") != "express":
        raise invalid(f"The twin models Express accounts only, not type={params.get('type')!r}.",
                      param="type")


def _metadata(params: dict[str, Any]) -> dict[str, str]:
    metadata = params.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise invalid("Invalid object", param="metadata")
    return {key: str(value) for key, value in metadata.items()}


class Accounts:
    """POST/GET/DELETE /v1/accounts[/{id}]; callers hold store.lock and save after."""

    def __init__(self, store: Store, events: Events) -> None:
        self.store, self.events = store, events

    def get(self, account_id: str) -> dict[str, Any]:
        """The account, or 404 resource_missing."""
        account = self.store.get(account_id, "account")
        if account is None:
            raise no_such("account", account_id)
        return account

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """A new Express account: no charges, no payouts, capabilities inactive, all due."""
        _express(params)
        country = str(params.get("country") or PLATFORM_COUNTRY).upper()
        business_type = params.get("business_type") or None
        if business_type not in (None, *PERSON_DUE, "non_profit", "government_entity"):
            raise invalid(f"Invalid business_type: {business_type}", param="business_type")
        requested = params.get("capabilities") or {}
        capabilities = {name: "inactive" for name in CAPABILITIES
                        if str((requested.get(name) or {}).get("requested")).lower() == "true"}
        due = sorted({*DUE, *PERSON_DUE.get(business_type or "individual", ()),
                      *(() if business_type else ("business_type",))})
        account_id = new_id("acct")
        return self.store.put({
            "id": account_id, "object": "account",
            "business_profile": {"mcc": None, "name": None, "product_description": None,
                                 "support_email": None, "url": None},
            "business_type": business_type, "capabilities": capabilities,
            "charges_enabled": False, "controller": copy.deepcopy(EXPRESS_CONTROLLER),
            "country": country, "created": now(), "default_currency": currency_of(country),
            "details_submitted": False, "email": params.get("email") or None,
            "external_accounts": {"object": "list", "data": [], "has_more": False,
                                  "total_count": 0,
                                  "url": f"/v1/accounts/{account_id}/external_accounts"},
            "future_requirements": requirements([]), "livemode": False,
            "metadata": _metadata(params), "payouts_enabled": False,
            "requirements": requirements(due), "tos_acceptance": {"date": None},
            "type": "express"})

    def update(self, account_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/accounts/{id}: metadata (an empty value unsets a key) and email."""
        account = self.get(account_id)
        before = copy.deepcopy(account)
        metadata = dict(account["metadata"])
        for key, value in _metadata(params).items():
            if value == "":
                metadata.pop(key, None)
            else:
                metadata[key] = value
        account["metadata"] = metadata if params.get("metadata") != "" else {}
        if "email" in params:
            account["email"] = params["email"] or None
        changed = previous_attributes(before, account)
        if changed:
            self.events.emit("account.updated", account, previous=changed, account=account_id)
        return account

    def delete(self, account_id: str) -> dict[str, Any]:
        """DELETE /v1/accounts/{id}: test-mode accounts can be deleted at any time."""
        self.get(account_id)
        del self.store.objects[account_id]
        return {"id": account_id, "object": "account", "deleted": True}

    def list(self, params: dict[str, Any]) -> dict[str, Any]:
        """GET /v1/accounts, newest first."""
        items = created_between(self.store.of_kind("account"), params.get("created"))
        return list_object(items, params, "/v1/accounts", "account")

    def complete_onboarding(self, account_id: str) -> dict[str, Any]:
        """What submitting Stripe's onboarding form does: capabilities active, nothing due."""
        account = self.get(account_id)
        before = copy.deepcopy(account)
        for name, status in account["capabilities"].items():
            if status != "active":
                account["capabilities"][name] = "active"
                self.events.emit("capability.updated", self._capability(account, name),
                                 previous={"status": status}, account=account_id)
        account.update(
            business_type=account["business_type"] or "individual", details_submitted=True,
            charges_enabled=account["capabilities"].get("card_payments") == "active",
            payouts_enabled=True, requirements=requirements([]),
            tos_acceptance={"date": now()})
        changed = previous_attributes(before, account)
        if changed:
            self.events.emit("account.updated", account, previous=changed, account=account_id)
        return account

    def _capability(self, account: dict[str, Any], name: str) -> dict[str, Any]:
        return {"id": name, "object": "capability", "account": account["id"], "requested": True,
                "requested_at": account["created"],
                "requirements": {key: value for key, value in requirements([]).items()
                                 if key != "pending_verification"},
                "status": account["capabilities"][name]}
