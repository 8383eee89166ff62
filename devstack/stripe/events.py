"""Events for every state change: recorded, listed, and handed to the webhook deliverer.

An event about a connected account (account.updated, capability.updated) carries `account`
and reaches Connect endpoints (`connect=true`); the others reach account endpoints. The
endpoint of the twin's webhook_url setting gets both, as `stripe listen --forward-to` does.
"""

from __future__ import annotations

import copy
import fnmatch
from typing import Any

from devstack.stripe.created_filter import created_between
from devstack.stripe.errors import invalid, no_such
from devstack.stripe.object_lists import list_object
from devstack.stripe.store import Store, new_id, now
from devstack.stripe.webhooks import RETRY_DELAYS_S, Webhooks, sign

__all__ = ["API_VERSION", "RETRY_DELAYS_S", "Events", "Webhooks", "sign", "wants"]

API_VERSION = "2026-10-28.clover"
SCOPES = ("account", "connect", "all")  # which events an endpoint hears


def wants(endpoint: dict[str, Any], event_type: str, scope: str = "account",
          connected: bool = False) -> bool:
    """Whether an enabled endpoint of this scope subscribed to this event type."""
    enabled = endpoint.get("enabled_events") or ["*"]
    reaches = scope == "all" or (scope == "connect") == connected
    return (endpoint.get("status") == "enabled" and reaches
            and ("*" in enabled or event_type in enabled))


def set_scope(store: Store, endpoint_id: str, scope: str) -> None:
    """Make an endpoint hear account events, Connect events, or all of them."""
    store.state.setdefault("endpoint_scopes", {})[endpoint_id] = scope


class Events:
    """Records events in the store and hands them to the webhook deliverer."""

    def __init__(self, store: Store, webhooks: Webhooks) -> None:
        self.store, self.webhooks = store, webhooks
        self.request: dict[str, Any] = {"id": None, "idempotency_key": None}

    def emit(self, event_type: str, obj: dict[str, Any], *,
             previous: dict[str, Any] | None = None,
             account: str | None = None) -> dict[str, Any]:
        """Record `event_type` with a snapshot of obj; queue it for every subscribed endpoint.

        previous: the changed fields' former values (data.previous_attributes); account: the
        connected account the event happened on.
        """
        with self.store.lock:
            scopes = self.store.state.get("endpoint_scopes", {})
            endpoints = [e for e in self.store.of_kind("webhook_endpoint")
                         if wants(e, event_type, scopes.get(e["id"], "account"),
                                  account is not None)]
            data: dict[str, Any] = {"object": copy.deepcopy(obj)}
            if previous is not None:
                data["previous_attributes"] = copy.deepcopy(previous)
            event = {"id": new_id("evt"), "object": "event"}
            if account is not None:
                event["account"] = account
            event = self.store.put(event | {
                "api_version": API_VERSION, "created": now(), "data": data,
                "livemode": False, "pending_webhooks": len(endpoints),
                "request": dict(self.request), "type": event_type})
            self.store.state["events"].append(event["id"])
            for endpoint in endpoints:
                self.webhooks.enqueue(event["id"], endpoint["id"])
        return event

    def list(self, params: dict[str, Any], account: str | None) -> dict[str, Any]:
        """GET /v1/events: the platform's (or, with Stripe-Account, that account's) events."""
        if params.get("type") and params.get("types"):
            raise invalid("You may pass either type or types, but not both.", param="types")
        types = params.get("types") or ([params["type"]] if params.get("type") else [])
        types = [types] if isinstance(types, str) else list(types)
        items = [self.store.objects[i] for i in self.store.state["events"]]
        items = [e for e in items if e.get("account") == account
                 and (not types or any(fnmatch.fnmatchcase(e["type"], t) for t in types))]
        return list_object(created_between(items, params.get("created")), params, "/v1/events",
                    "event")

    def get(self, event_id: str, account: str | None) -> dict[str, Any]:
        """GET /v1/events/{id}, only on the account the event happened on."""
        event = self.store.get(event_id, "event")
        if event is None or event.get("account") != account:
            raise no_such("event", event_id)
        return event


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The former values of what changed: nested objects only where they changed, lists whole.

    As Stripe renders data.previous_attributes (a changed sub-array is rendered complete).
    """
    changed: dict[str, Any] = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            changed[key] = previous_attributes(old, new)
        else:
            changed[key] = copy.deepcopy(old)
    return changed
