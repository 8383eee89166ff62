"""The request each cold-start probe sends to each function, and the environment it runs in."""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass

PROJECT = "demo-bazaar"
CLOSED = "127.0.0.1:9"  # nothing listens here: a connection is refused at once
COLD_ENV = {
    "BAZAAR_ENV": "test",
    "GOOGLE_CLOUD_PROJECT": PROJECT,
    "DATABASE_URL": "postgresql+pg8000://x@/x?unix_sock=/nonexistent/.s.PGSQL.5432",
    "FIREBASE_AUTH_EMULATOR_HOST": CLOSED,
    "PUBSUB_EMULATOR_HOST": CLOSED,
    "STORAGE_EMULATOR_HOST": f"http://{CLOSED}",
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": "9",
    "LOG_LEVEL": "INFO",
    "STRIPE_SECRET_KEY": "sk_test_cold",
    "STRIPE_WEBHOOK_SECRET": "whsec_cold",
    "STRIPE_API_BASE": f"http://{CLOSED}",
    "WORKFLOWS_EMULATOR_HOST": CLOSED,
}
JSON = {"Content-Type": "application/json"}
UUID = "00000000-0000-4000-8000-000000000001"
CUSTOMER = {"name": "Cold Start", "email": "cold@example.com", "password": "Sunny-meadow-42"}
BUSINESS = {"legal_name": "Cold Traders Ltd", "registration_number": "HRB-1",
            "country": "DE", "address": "1 Cold Street, Berlin"}
CHECKLIST = {"business_registration": True, "identity": True, "address": True,
             "bank_account": True}


@dataclass(frozen=True)
class Request:
    """One HTTP request to a function's app; `label` says what is special about it."""

    method: str
    path: str
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    label: str = ""

    def describe(self) -> str:
        """What was sent, as the report shows it."""
        path = self.path.replace(UUID, "{uuid}")
        return f"`{self.method} {path}` {self.label}".strip()

    def spec(self) -> dict:
        """The request as the child process takes it."""
        return {"method": self.method, "path": self.path, "body": self.body,
                "headers": dict(self.headers)}


def _post(path: str, body: object, label: str, headers: dict | None = None) -> Request:
    """A JSON POST."""
    raw = body if isinstance(body, str) else json.dumps(body)
    return Request("POST", path, raw, tuple({**JSON, **(headers or {})}.items()), label)


def emulator_token() -> str:
    """An unsigned ID token like the Auth emulator issues (accepted only in emulator mode)."""
    now = int(time.time())
    claims = {"iss": f"https://securetoken.google.com/{PROJECT}", "aud": PROJECT,
              "sub": UUID, "iat": now, "auth_time": now, "exp": now + 3600, "role": "admin"}
    parts = [{"alg": "none", "typ": "JWT"}, claims]
    encoded = [base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=") for p in parts]
    return (b".".join(encoded) + b".").decode()


def _bearer() -> dict:
    """The Authorization header of a well-formed emulator token."""
    return {"Authorization": f"Bearer {emulator_token()}"}


def _envelope(data: str) -> str:
    """A Pub/Sub push envelope around base64 `data`."""
    message = {"data": data, "messageId": "1", "message_id": "1",
               "publishTime": "2026-01-01T00:00:00Z", "publish_time": "2026-01-01T00:00:00Z"}
    return json.dumps({"message": message,
                       "subscription": f"projects/{PROJECT}/subscriptions/bench"})


def _event(kind: str, payload: dict) -> str:
    """A well-formed outbox event, base64 as Pub/Sub carries it."""
    body = {"id": str(uuid.uuid4()), "type": kind,
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "payload": payload}
    return base64.b64encode(json.dumps(body).encode()).decode()


def _no_token(method: str, path: str) -> Request:
    """A request without a token: answered 401 before any I/O."""
    return Request(method, path, "{}" if method != "GET" else "", tuple(JSON.items()),
                   "without a token")


def _token(method: str, path: str, body: object | None = None) -> Request:
    """A request with a well-formed token: goes on to the database (first I/O)."""
    headers = {**_bearer(), **({} if method == "GET" else JSON)}
    raw = "" if method == "GET" else json.dumps(body or {})
    label = "with an unsigned emulator token (fails at DB)"
    return Request(method, path, raw, tuple(headers.items()), label)


def _admin(path: str, body: dict) -> tuple[Request, Request]:
    """An admin POST: first without a token, then with one."""
    return _no_token("POST", path), _token("POST", path, body)


def _public_probes() -> dict[str, tuple[Request, Request]]:
    """The functions anyone may call: an invalid body first, then a valid one."""
    invalid, valid = "with body `{}` (invalid)", "with a valid body (fails at DB)"
    vendor = {**CUSTOMER, "business": BUSINESS}
    return {
        "register_customer": (_post("/v1/customers", {}, invalid),
                              _post("/v1/customers", CUSTOMER, valid)),
        "register_vendor": (_post("/v1/vendors", {}, invalid),
                            _post("/v1/vendors", vendor, valid)),
        "confirm_email": (Request("GET", "/v1/email-verification", label="without `oob_code`"),
                          Request("GET", "/v1/email-verification?oob_code=abc",
                                  label="(fails at Auth)")),
        "create_session": (_post("/v1/sessions", {}, invalid), _post(
            "/v1/sessions", {"email": CUSTOMER["email"], "password": "x"}, valid)),
        "refresh_session": (_post("/v1/sessions:refresh", {}, invalid), _post(
            "/v1/sessions:refresh", {"refresh_token": "x"}, "with a valid body (fails at Auth)")),
        "request_password_reset": (_post("/v1/password-resets", {}, invalid), _post(
            "/v1/password-resets", {"email": CUSTOMER["email"]}, valid)),
        "api_docs": (Request("GET", "/healthz"), Request("GET", "/docs/swagger-ui.css")),
    }


def _signed_in_probes() -> dict[str, tuple[Request, Request]]:
    """The functions that need a token: none first (401), then a well-formed one."""
    vendor, account = f"/v1/admin/vendors/{UUID}", f"/v1/admin/accounts/{UUID}"
    reason = {"reason": "benchmark"}
    return {
        "get_me": (_no_token("GET", "/v1/me"), _token("GET", "/v1/me")),
        "update_vendor_profile": (_no_token("PATCH", "/v1/vendors/me"),
                                  _token("PATCH", "/v1/vendors/me", {"website": None})),
        "admin_list_vendors": (_no_token("GET", "/v1/admin/vendors"),
                               _token("GET", "/v1/admin/vendors")),
        "admin_verify_vendor": _admin(f"{vendor}:verify", {"checklist": CHECKLIST}),
        "admin_reject_vendor": _admin(f"{vendor}:reject", reason),
        "admin_block_account": _admin(f"{account}:block", reason),
        "admin_unblock_account": _admin(f"{account}:unblock", reason),
    }


def _background_probes() -> dict[str, tuple[Request, Request]]:
    """Pub/Sub push and Cloud Scheduler functions."""
    malformed = _post("/", _envelope("!!not-base64!!"), "push envelope whose `data` is no event")
    internal = Request("POST", "/", "", (), "with an empty body (fails at DB)")
    event = {"account_id": UUID}
    return {
        "send_notification": (malformed, _post("/", _envelope(_event(
            "user.registered", event)), "push envelope, valid event (fails at DB)")),
        "sync_account_status": (malformed, _post("/", _envelope(_event(
            "account.blocked", event)), "push envelope, valid event (fails at DB)")),
        "sweep_outbox": (internal, internal),
        "reconcile_registrations": (internal, internal),
    }


def _stripe_event() -> str:
    """A payment_intent.succeeded event as the Stripe twin sends it."""
    intent = {"id": "pi_cold", "object": "payment_intent", "amount": 2500,
              "amount_received": 2500, "currency": "eur", "status": "succeeded",
              "metadata": {"order_id": UUID, "payment_id": UUID}}
    return json.dumps({"id": "evt_cold", "object": "event", "type": "payment_intent.succeeded",
                       "created": int(time.time()), "livemode": False,
                       "data": {"object": intent}})


def _order_probes() -> dict[str, tuple[Request, Request]]:
    """Placing an order; the Stripe webhook door (a forged event, then a signed one)."""
    from devstack.stripe.webhooks import sign

    order = {"items": [{"product_id": UUID, "quantity": 1}],
             "payment": {"method": "card", "payment_method": "pm_card_visa",
                         "return_url": "https://bazaar.example/return"},
             "shipping_address": {"name": "Cold Start", "line1": "1 Cold Street",
                                  "postal_code": "10115", "city": "Berlin", "country": "DE"}}
    hook, event = "/v1/payments/webhooks/stripe", _stripe_event()
    # Stripe rejects only signatures older than its tolerance (300 s); an hour ahead stays
    # valid however long the run takes.
    signed = sign(event.encode(), COLD_ENV["STRIPE_WEBHOOK_SECRET"], int(time.time()) + 3600)
    return {
        "place_order": (_no_token("POST", "/v1/orders"), _post(
            "/v1/orders", order, "with a token, an Idempotency-Key and a valid body "
            "(fails at DB)", {**_bearer(), "Idempotency-Key": "cold-start-1"})),
        "receive_stripe_webhook": (
            _post(hook, event, "with a `payment_intent.succeeded` wrongly signed",
                  {"Stripe-Signature": "t=1,v1=0"}),
            _post(hook, event, "with a signed `payment_intent.succeeded` (fails at DB)",
                  {"Stripe-Signature": signed})),
    }


def probes() -> dict[str, tuple[Request, Request]]:
    """Per function: (the I/O-free first request, a valid request that goes on to first I/O)."""
    return {**_public_probes(), **_signed_in_probes(), **_background_probes(),
            **_order_probes()}
