"""The twin's API: auth, idempotency and routing over the state machine; no HTTP here."""

from __future__ import annotations

import base64
import copy
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devstack.stripe.connect import Connect
from devstack.stripe.errors import StripeError, invalid, missing_param, no_such, unauthorized
from devstack.stripe.events import Events, Webhooks, set_scope
from devstack.stripe.idempotency import Idempotency, Saved, fingerprint
from devstack.stripe.payment_intents import PaymentIntents
from devstack.stripe.payment_routes import PaymentRoutes
from devstack.stripe.refunds import Refunds
from devstack.stripe.store import Store, new_id, now


@dataclass
class Reply:
    """Status, JSON body and headers of one answer."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    saved: bool = True  # an Idempotency-Key keeps this answer (validation errors: no)


Handler = Callable[[dict[str, Any], str], dict[str, Any]]


class Api:
    """Answers Stripe REST calls for one test account."""

    def __init__(self, store: Store, webhooks: Webhooks, base_url: str, secret_key: str) -> None:
        self.store, self.secret_key = store, secret_key
        self.events = Events(store, webhooks)
        self.idempotency = Idempotency(store)
        self.intents = PaymentIntents(store, self.events, base_url)
        self.refunds = Refunds(store, self.events)
        self.connect = Connect(store, self.events, base_url)
        self.payments = PaymentRoutes(store, self.events, self.intents, base_url)
        pi, we, pis = self.intents, "webhook_endpoint", r"/v1/payment_intents"
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("POST", re.compile(pis), lambda p, _: pi.create(p)),
            ("GET", re.compile(pis), lambda p, _: self._list("payment_intent", p)),
            ("GET", re.compile(pis + r"/([^/]+)"), lambda p, i: pi.get(i)),
            ("POST", re.compile(pis + r"/([^/]+)/confirm"), lambda p, i: pi.confirm(i, p)),
            ("POST", re.compile(pis + r"/([^/]+)/capture"), lambda p, i: pi.capture(i, p)),
            ("POST", re.compile(pis + r"/([^/]+)/cancel"), lambda p, i: pi.cancel(i, p)),
            ("POST", re.compile(r"/v1/refunds"), lambda p, _: self.refunds.create(p)),
            ("GET", re.compile(r"/v1/refunds/([^/]+)"), lambda p, i: self.refunds.get(i)),
            ("GET", re.compile(r"/v1/charges/([^/]+)"), lambda p, i: self._get("charge", i)),
            ("GET", re.compile(r"/v1/payment_methods/([^/]+)"),
             lambda p, i: self._get("payment_method", i)),
            ("POST", re.compile(r"/v1/webhook_endpoints"), lambda p, _: self.add_endpoint(p)),
            ("GET", re.compile(r"/v1/webhook_endpoints"), lambda p, _: self._list(we, p)),
            ("GET", re.compile(r"/v1/webhook_endpoints/([^/]+)"), lambda p, i: self._get(we, i)),
            ("DELETE", re.compile(r"/v1/webhook_endpoints/([^/]+)"),
             lambda p, i: self._delete(we, i)),
        ]
        self.routes.extend(self.connect.routes())
        self.routes.extend(self.payments.routes())

    def handle(self, method: str, path: str, params: dict[str, Any],
               headers: dict[str, str]) -> Reply:
        """Authenticate, replay or run the request, and shape any error as Stripe does."""
        request_id = new_id("req")
        try:
            self._authenticate(headers.get("authorization", ""))
            handler, object_id = self._route(method, path)
            handler = self.connect.on_behalf(handler, headers.get("stripe-account"))
        except StripeError as error:
            return Reply(error.status, error.body(), {"Request-Id": request_id})
        key = headers.get("idempotency-key") if method == "POST" else None
        if not key:
            return self._run(handler, params, object_id, request_id, None)
        print_ = fingerprint(method, path, params)
        try:
            saved = self.idempotency.begin(key, print_)
        except StripeError as error:
            return Reply(error.status, error.body(), {"Request-Id": request_id})
        if saved is not None:
            return Reply(saved.status, saved.body,
                         {"Request-Id": request_id, "Idempotent-Replayed": "true",
                          "Idempotency-Key": key})
        reply, keep = None, False
        try:
            reply = self._run(handler, params, object_id, request_id, key)
            keep = reply.saved
            reply.headers["Idempotency-Key"] = key
            return reply
        finally:
            self.idempotency.finish(key, print_, Saved(reply.status, reply.body)
                                    if reply is not None and keep else None)

    def _run(self, handler: Handler, params: dict[str, Any], object_id: str, request_id: str,
             key: str | None) -> Reply:
        with self.store.lock:
            self.events.request = {"id": request_id, "idempotency_key": key}
            try:
                body = copy.deepcopy(handler(params, object_id))
                reply = Reply(200, self._expand(body, params.get("expand") or []))
            except StripeError as error:
                reply = Reply(error.status, copy.deepcopy(error.body()), saved=error.saved)
            except Exception as error:  # noqa: BLE001 - a bug is a 500, saved like Stripe's
                reply = Reply(500, {"error": {"type": "api_error",
                                              "message": f"{type(error).__name__}: {error}"}})
            finally:
                self.events.request = {"id": None, "idempotency_key": None}
                self.store.save()
        reply.headers["Request-Id"] = request_id
        return reply

    def _authenticate(self, header: str) -> None:
        scheme, _, credential = header.partition(" ")
        if scheme.lower() == "basic":
            credential = base64.b64decode(credential).decode(errors="replace").split(":")[0]
        elif scheme.lower() != "bearer":
            credential = ""
        if not credential:
            raise unauthorized("You did not provide an API key. You need to provide your API "
                               "key in the Authorization header, using Bearer auth.")
        if not secrets.compare_digest(credential, self.secret_key):
            raise unauthorized(f"Invalid API Key provided: {credential[:8]}****"
                               f"{credential[-4:]}")

    def _route(self, method: str, path: str) -> tuple[Handler, str]:
        for verb, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match and verb == method:
                return handler, match.group(1) if match.groups() else ""
        raise StripeError(404, "invalid_request_error",
                          f"Unrecognized request URL ({method}: {path}).")

    def _get(self, kind: str, object_id: str) -> dict[str, Any]:
        obj = self.store.get(object_id, kind)
        if obj is None:
            raise no_such(kind, object_id)
        return obj

    def _delete(self, kind: str, object_id: str) -> dict[str, Any]:
        self._get(kind, object_id)
        del self.store.objects[object_id]
        return {"id": object_id, "object": kind, "deleted": True}

    def _list(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        """A list object, newest first, with limit/starting_after/ending_before (and type)."""
        if kind == "event":
            items = [self.store.objects[i] for i in self.store.state["events"]]
        else:
            items = self.store.of_kind(kind)
        items = [o for o in reversed(items) if params.get("type") in (None, o.get("type"))]
        limit = int(params.get("limit") or 10)
        if not 1 <= limit <= 100:
            raise invalid("This value must be between 1 and 100.", param="limit")
        ids = [o["id"] for o in items]
        for cursor, cut in (("starting_after", 1), ("ending_before", 0)):
            if params.get(cursor):
                if params[cursor] not in ids:
                    raise no_such(kind, params[cursor], param=cursor)
                index = ids.index(params[cursor])
                items = items[index + 1:] if cut else items[max(0, index - limit):index]
        return {"object": "list", "data": items[:limit], "has_more": len(items) > limit,
                "url": f"/v1/{kind}s"}

    def add_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/webhook_endpoints: url and enabled_events; the secret is shown only here."""
        if not params.get("url"):
            raise missing_param("url")
        if not params.get("enabled_events"):
            raise missing_param("enabled_events")
        endpoint = self.register_endpoint(params["url"], list(params["enabled_events"]))
        if str(params.get("connect")).lower() == "true":  # hears connected accounts' events
            set_scope(self.store, endpoint["id"], "connect")
        return endpoint | {"secret": self.store.state["keys"][endpoint["id"]]}

    def register_endpoint(self, url: str, enabled_events: list[str],
                          secret: str | None = None) -> dict[str, Any]:
        """Add a webhook endpoint (also used for the one given as a setting)."""
        with self.store.lock:
            endpoint = self.store.put({
                "id": new_id("we"), "object": "webhook_endpoint", "api_version": None,
                "created": now(), "enabled_events": enabled_events, "livemode": False,
                "metadata": {}, "status": "enabled", "url": url})
            self.store.state["keys"][endpoint["id"]] = secret or f"whsec_{secrets.token_hex(16)}"
            self.store.save()
            return endpoint

    def _expand(self, body: dict[str, Any], expand: list[str]) -> dict[str, Any]:
        for field_name in expand:
            value = body.get(field_name)
            if isinstance(value, str) and value in self.store.objects:
                body[field_name] = copy.deepcopy(self.store.objects[value])
        return body
