"""Input that used to cost memory or answer 500: a chunked body past the limit, a null
where a list belongs, a forged or altered page token."""

from __future__ import annotations

import base64
import hashlib
import json
import select
import socket
import uuid
from dataclasses import asdict
from urllib.parse import urlsplit

import pytest

from common.domain.catalog import ProductSearch, Sort
from tests.e2e.catalog import list_product

CHUNK = b" " * 65536
BODY_BYTES = 32 * 1024 * 1024


def _send_chunked_until_answered(base_url: str, path: str) -> tuple[bytes, int]:
    """POST `BODY_BYTES` of JSON in chunks, stopping as soon as the server answers: the
    answer and how much of the body had left the client by then."""
    url = urlsplit(base_url)
    frame = b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK)
    head = (f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    with socket.create_connection((url.hostname, url.port), timeout=30) as client:
        client.sendall(head + b"1\r\n{\r\n")
        client.setblocking(False)
        sent, pending = 0, memoryview(b"")
        while True:
            readable, writable, _ = select.select([client], [client], [], 30)
            if readable:
                break
            if sent >= BODY_BYTES and not pending:
                client.setblocking(True)
                client.sendall(b"0\r\n\r\n")  # the whole body is out: end it, then wait
                break
            if writable:
                if not pending:
                    pending, sent = memoryview(frame), sent + len(CHUNK)
                try:
                    pending = pending[client.send(pending):]
                except (BrokenPipeError, ConnectionResetError):
                    break
        client.setblocking(True)
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = client.recv(65536)
            if not data:
                break
            answer += data
    return answer, sent


def test_a_chunked_json_body_past_the_limit_is_refused_before_it_is_all_sent(base_url):
    # Given a client streaming 32 MiB of JSON without a Content-Length
    # When it posts it to a JSON endpoint
    answer, sent = _send_chunked_until_answered(base_url, "/v1/customers")
    # Then 413 comes back while most of the body is still on the client's side: the server
    # stopped reading at the limit instead of buffering the body whole
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer
    assert sent < BODY_BYTES // 2, f"{sent} of {BODY_BYTES} bytes were sent before the 413"


def test_null_payment_methods_are_422_and_change_nothing(api, verified_vendor):
    # Given a vendor that accepts cards
    # When it sends null for its payment methods
    response = api.patch("/v1/vendors/me", headers=verified_vendor.auth,
                         json={"payment_methods": None})
    # Then the request is refused naming the field, and the methods stay as they were
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["payment_methods"]
    me = api.get("/v1/me", headers=verified_vendor.auth).json()
    assert me["vendor"]["payment_methods"] == ["card"]


def _unsigned(fields) -> str:  # noqa: ANN001
    """A token as this API issued them before they were signed: base64url(JSON)."""
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


def _fingerprint(search: ProductSearch) -> str:
    """The query fingerprint unsigned tokens carried (anyone could compute it)."""
    fields = {**asdict(search), "sort": search.sort.value, "page_size": None}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def _refused_token(response) -> None:  # noqa: ANN001
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["page_token"]


@pytest.mark.parametrize("key", [10**30, 2**63, -(2**63) - 1],
                         ids=["huge", "past-bigint", "below-bigint"])
def test_a_forged_page_token_with_a_huge_key_is_422(api, key):
    # Given a token forged for "cheapest first" with a key no bigint holds
    forged = _unsigned({"k": key, "i": str(uuid.uuid4()),
                        "q": _fingerprint(ProductSearch(sort=Sort.PRICE_ASC))})
    # When a client pages with it, then it is refused, not a database error
    _refused_token(api.get("/v1/products", params={"sort": "price_asc", "page_token": forged}))


def test_an_altered_page_token_is_422(api, verified_vendor):
    # Given the token of a vendor's first page of one product, cheapest first
    for amount in (500, 700):
        list_product(api, verified_vendor, price={"amount": amount})
    params = {"vendor_id": verified_vendor.id, "sort": "price_asc", "page_size": 1}
    token = api.get("/v1/products", params=params).json()["next_page_token"]
    body, mac = token.split(".")
    # When a client moves where it says the page ended, keeping the signature
    moved = json.loads(base64.urlsafe_b64decode(body + "=="))
    moved["k"] = 0
    # Then it is refused
    _refused_token(api.get("/v1/products", params={
        **params, "page_token": f"{_unsigned(moved)}.{mac}"}))


def test_a_forged_vendor_page_token_is_422(api, admin):
    # Given a token forged in the unsigned format: where the list would start, made up
    forged = _unsigned(["2020-01-01T00:00:00+00:00", str(uuid.uuid4())])
    # When an admin pages with it, then it is refused
    _refused_token(api.get("/v1/admin/vendors", headers=admin.auth,
                           params={"status": "verified", "page_token": forged}))


@pytest.mark.parametrize("path", ["/v1/products/%C3%99%0A", "/v1/products/%0A/images",
                                  "/v1/admin/accounts/x%0Ay:block"])
def test_a_path_holding_a_newline_gets_a_problem_not_html(api, path):
    # Given a path whose parameter holds a newline (%0A), which no route of the function's
    # own app matches  When a client calls it  Then the 404 is problem JSON as everywhere
    response = api.http.request("POST" if path.endswith(("images", "block")) else "GET",
                                api.base_url + path, timeout=30)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_a_nul_character_is_422_not_a_database_error(api):
    # Given a registration whose name holds U+0000, which PostgreSQL text cannot store
    body = {"name": "Val\u0000", "email": f"nul-{uuid.uuid4().hex[:8]}@example.com",
            "password": "Sunny-meadow-42"}
    # When it is sent, then it is refused naming the field
    response = api.post("/v1/customers", json=body)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["name"]
