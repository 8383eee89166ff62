"""The fraud worker's asynchronous scoring over HTTP, as a client sees it: a registration
reaches the worker as a signal (the email's domain and shape, never the address), a burst
of registrations from one device blocks the newest account, failed logins from one address
open a case, a vendor who asks twice for a transfer to an IBAN is blocked, and a review
copied by a third new buyer is hidden."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import text

from common import bootstrap
from devstack.ports import free_port
from tests.conftest import ROOT, unique_email
from tests.e2e.client import PASSWORD
from tests.e2e.reviewing import bought_product, buyer_review, listed
from tests.integration.ledger.money import eventually, paid_order, settle

pytestmark = pytest.mark.events
POLL_S = 30
DIVERT = "Please pay me directly to DE89 3704 0044 0532 0130 00, it is cheaper for both"


def origin() -> dict[str, str]:
    """A fresh device and client address, so no other test's signals count with ours."""
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    return {"X-Device-Id": f"device-{uuid.uuid4().hex}", "X-Forwarded-For": address}


def register(api, headers: dict[str, str], email: str | None = None) -> str:  # noqa: ANN001
    body = {"name": "Test customer", "email": email or unique_email("customer"),
            "password": PASSWORD}
    response = api.post("/v1/customers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def signals(kind: str, column: str, value: str) -> list:
    with bootstrap.engine().connect() as db:
        return list(db.execute(text(
            f"SELECT kind, account_id, device_id, ip, detail FROM fraud_signals "
            f"WHERE kind = :kind AND {column} = :value"), {"kind": kind, "value": value}))


def recorded(account_id: str) -> str:
    """The account, once the worker recorded its registration (pushes arrive concurrently:
    a burst is counted as its signals commit)."""
    eventually(lambda: signals("registration", "account_id", account_id),
               lambda found: len(found) == 1, timeout=POLL_S)
    return account_id


def cases(kind: str, **where: str) -> list:
    clauses = "".join(f" AND {column}::text = :{column}" for column in where)
    with bootstrap.engine().connect() as db:
        return list(db.execute(text(
            "SELECT subject_id, account_id::text AS account_id, action, score, reasons, "
            f"evidence FROM fraud_cases WHERE kind = :kind{clauses}"), {"kind": kind, **where}))


def account_state(account_id: str) -> str:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT state FROM accounts WHERE id = CAST(:id AS uuid)"),
                          {"id": account_id}).scalar_one()


def test_a_registration_reaches_the_worker_as_domain_and_shape_never_the_email(api):
    # Given a client on a fresh device
    headers = origin()
    email = f"Qwerty{random.randint(10_000, 99_999)}@mailinator.com"
    # When it registers (with a throw-away address) and logs in
    account_id = register(api, headers, email)
    login = api.post("/v1/sessions", json={"email": email, "password": PASSWORD},
                     headers=headers)
    assert login.status_code == 200, login.text
    # Then the worker records both signals, with the device and address, not the email
    [registration] = eventually(lambda: signals("registration", "account_id", account_id),
                                lambda found: len(found) == 1, timeout=POLL_S)
    assert (registration.device_id, registration.ip) == (headers["X-Device-Id"],
                                                         headers["X-Forwarded-For"])
    assert registration.detail["email_domain"] == "mailinator.com"
    assert registration.detail["email_local_shape"]["keyboard_run"] == 6
    assert email.split("@")[0].lower() not in str(registration).lower()
    assert eventually(lambda: signals("login", "account_id", account_id),
                      lambda found: len(found) == 1, timeout=POLL_S)
    # And the disposable domain opens a case that blocks nothing
    [case] = eventually(lambda: cases("registration", subject_id=account_id),
                        lambda found: len(found) == 1, timeout=POLL_S)
    assert (case.action, case.reasons) == ("none", [
        "disposable email domain mailinator.com",
        "generated-looking email address: 5 of 11 characters are digits, "
        "a keyboard run of 6 keys"])


def test_the_fourth_registration_from_one_device_within_an_hour_is_blocked(api):
    # Given three accounts registered from one device, each seen by the worker
    headers = origin()
    first = [recorded(register(api, headers)) for _ in range(3)]
    # When a fourth registers from it
    fourth = register(api, headers)
    # Then its case blocks it, and the block takes effect: it can no longer log in
    [case] = eventually(lambda: cases("registration", subject_id=fourth),
                        lambda found: len(found) == 1, timeout=POLL_S)
    assert (case.account_id, case.action) == (fourth, "account_blocked")
    assert {"4 registrations from this device in 1 h", "4 accounts on this device in 30 days",
            "4 registrations from this address in 1 h"} <= set(case.reasons)
    assert eventually(lambda: account_state(fourth), lambda s: s == "blocked",
                      timeout=POLL_S) == "blocked"
    # And the third only opened a case; the first two none
    assert [len(cases("registration", subject_id=a)) for a in first] == [0, 0, 1]
    assert account_state(first[2]) == "active"


def test_ten_failed_logins_from_one_address_open_one_case_without_an_account(api):
    # Given an address that tried nine emails nobody registered, each seen by the worker
    headers = origin()

    def guess() -> None:
        response = api.post("/v1/sessions", headers=headers,
                            json={"email": unique_email("nobody"), "password": "guess-1234"})
        assert response.status_code == 404, response.text

    for _ in range(9):
        guess()
    eventually(lambda: signals("login_failed", "ip", headers["X-Forwarded-For"]),
               lambda found: len(found) == 9, timeout=POLL_S)
    # When it tries a tenth
    guess()
    # Then the worker opens one login case on the address, with no account
    [case] = eventually(lambda: [c for c in cases("login")
                                 if c.evidence.get("ip") == headers["X-Forwarded-For"]],
                        lambda found: len(found) == 1, timeout=POLL_S)
    assert (case.account_id, case.action) == (None, "none")
    assert case.reasons == ["10 failed logins from this address in 10 min"]


def test_a_vendor_who_asks_twice_to_be_paid_to_an_iban_is_blocked(api, pubsub, customer,
                                                                  verified_vendor):
    # Given a buyer's room with a vendor
    paid_order(api, customer, [(verified_vendor, 2500)])
    settle(pubsub)
    room = eventually(lambda: api.get("/v1/chats", headers=verified_vendor.auth).json()["items"],
                      lambda items: len(items) == 1, timeout=POLL_S)[0]
    # When the vendor asks twice to be paid outside the platform (the worker saw the first)
    for asked in (1, 2):
        sent = api.post(f"/v1/chats/{room['id']}/messages", headers=verified_vendor.auth,
                        json={"text": DIVERT})
        assert sent.status_code == 201, sent.text
        eventually(lambda: signals("chat", "account_id", verified_vendor.id),
                   lambda found, n=asked: len(found) == n, timeout=POLL_S)
    # Then the second message's case blocks the vendor, with only the masked IBAN as evidence
    found = eventually(lambda: cases("chat", account_id=verified_vendor.id),
                       lambda found: len(found) == 2, timeout=POLL_S)
    assert sorted(c.action for c in found) == ["account_blocked", "none"]
    assert all("0532" not in str(c.evidence) and "directly" not in str(c.evidence)
               for c in found)
    assert eventually(lambda: account_state(verified_vendor.id), lambda s: s == "blocked",
                      timeout=POLL_S) == "blocked"


COPIED = ("Best lamp I have ever owned, the light is warm and the build quality is "
          "excellent, five stars from me")


def test_the_same_review_text_from_three_new_buyers_is_hidden_on_the_third(api,
                                                                          verified_vendor):
    # Given a product three new customers bought
    product_id = bought_product(api, verified_vendor)
    # When each reviews it with the same text (the worker seeing each before the next)
    reviews = []
    for _ in range(3):
        buyer, posted = buyer_review(api, product_id, 5, text=COPIED)
        eventually(lambda author=buyer.id: signals("review", "account_id", author),
                   lambda found: len(found) == 1, timeout=POLL_S)
        reviews.append(posted)
    # Then the third review's case hides it, and the list no longer shows it
    third = reviews[2]["id"]
    [case] = eventually(lambda: cases("review", subject_id=third),
                        lambda found: len(found) == 1, timeout=POLL_S)
    assert case.action == "review_hidden"
    assert "text nearly the same as 2 other account(s)' reviews" in case.reasons
    assert COPIED not in str(case.evidence)
    shown = eventually(lambda: [r["id"] for r in listed(api, product_id)["items"]],
                       lambda ids: third not in ids, timeout=POLL_S)
    assert sorted(shown) == sorted([reviews[0]["id"], reviews[1]["id"]])


def call_without_pubsub(function: str, path: str, body: dict) -> tuple[dict, str]:
    """One request to one function in a fresh process whose Pub/Sub is a closed port."""
    env = {**os.environ, "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{free_port()}",
           "PUBLISH_TIMEOUT_S": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.call_function", function, "POST", path,
         json.dumps(body), json.dumps(origin())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    *logged, answer = done.stdout.strip().splitlines()
    return json.loads(answer), "\n".join(logged) + done.stderr  # the logs, not the answer


def test_registration_and_login_succeed_when_their_signal_cannot_be_published(stack):
    # Given Pub/Sub that cannot be reached
    email = unique_email("no-pubsub")
    # When a customer registers and logs in
    registered, register_log = call_without_pubsub(
        "register_customer", "/v1/customers",
        {"name": "Test customer", "email": email, "password": PASSWORD})
    logged_in, login_log = call_without_pubsub(
        "create_session", "/v1/sessions", {"email": email, "password": PASSWORD})
    # Then both succeed, and the lost signal is logged by its ids, never the email
    assert (registered["status"], logged_in["status"]) == (201, 200)
    for log_text in (register_log, login_log):
        assert "security signal not published" in log_text
        assert email.split("@")[0] not in log_text
