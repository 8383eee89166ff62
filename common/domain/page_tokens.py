"""Page tokens: where a page of a keyset-paginated list ended, handed to clients opaque.

A token is `base64url(JSON fields) "." base64url(HMAC-SHA256(key, purpose, fields))`: a
client can neither forge nor alter one, nor use one list's token on another. What a
token carries is checked for range all the same, so a value that reaches SQL always fits
its column even if the key leaked. The key comes from settings (PAGE_TOKEN_KEY).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import uuid
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from common.domain.catalog import MAX_PRICE, Cursor, ProductSearch, Sort, effective_sort
from common.domain.errors import InvalidRequest

# Every token this API issues is far shorter; the query schemas allow exactly this much.
MAX_TOKEN_CHARS = 300
# What the OpenAPI document says a token looks like (base64url, a dot, the 43-char MAC).
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{1,256}\.[A-Za-z0-9_-]{43}$"
_TOKEN = re.compile(TOKEN_PATTERN)
# A row's creation time: a token's timestamp outside these years was not issued by us.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)
NOT_ISSUED = "is not a token this API issued"
OTHER_QUERY = "belongs to another query: start again without it"
# Sort keys that are reals: a text rank (ts_rank, >= 0) or a rating score (1..5).
MAX_REAL_KEY = 1e6


def product_token(sort_key: Any, last_id: str, search: ProductSearch, key: bytes) -> str:
    """The token of the product page after the row (`sort_key`, `last_id`) of `search`."""
    if isinstance(sort_key, datetime):
        sort_key = sort_key.isoformat()
    return issue({"k": sort_key, "i": last_id, "q": _fingerprint(search)}, key,
                 purpose="products")


def product_cursor(token: str, search: ProductSearch, key: bytes) -> Cursor:
    """Where the page before ended; InvalidRequest when the token is not one for `search`."""
    fields = read(token, key, purpose="products")
    if fields.get("q") != _fingerprint(search):
        raise invalid_token(OTHER_QUERY)
    sort = effective_sort(search)
    value = fields.get("k")
    if sort is Sort.NEWEST:
        sort_key: Any = timestamp_value(value).isoformat()
    elif sort in (Sort.PRICE_ASC, Sort.PRICE_DESC):
        sort_key = int_value(value, 0, MAX_PRICE)
    else:
        sort_key = float_value(value, -1.0, MAX_REAL_KEY)
    return Cursor(sort_key, uuid_value(fields.get("i")))


def vendor_token(created_at: datetime, last_id: str, status: str, key: bytes) -> str:
    """The token of the vendor page (oldest first) after this vendor, in `status`."""
    return issue({"t": created_at.isoformat(), "i": last_id, "s": status}, key,
                 purpose="vendors")


def vendor_cursor(token: str, status: str, key: bytes) -> tuple[datetime, str]:
    """(created_at, id) of the last vendor of the page before."""
    fields = read(token, key, purpose="vendors")
    if fields.get("s") != status:
        raise invalid_token(OTHER_QUERY)
    return timestamp_value(fields.get("t")), uuid_value(fields.get("i"))


def issue(fields: dict[str, Any], key: bytes, *, purpose: str) -> str:
    """A token carrying `fields` (JSON values) for the list named `purpose`."""
    body = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
    return _b64(body) + "." + _b64(_mac(key, purpose, body))


def read(token: str, key: bytes, *, purpose: str) -> dict[str, Any]:
    """The fields of a token issued for `purpose` under `key`; InvalidRequest otherwise."""
    if len(token) > MAX_TOKEN_CHARS or not _TOKEN.fullmatch(token):
        raise invalid_token(NOT_ISSUED)
    body_part, _, mac_part = token.partition(".")
    try:
        body, mac = _unb64(body_part), _unb64(mac_part)
    except (binascii.Error, ValueError):
        raise invalid_token(NOT_ISSUED) from None
    if not hmac.compare_digest(mac, _mac(key, purpose, body)):
        raise invalid_token(NOT_ISSUED)
    try:
        fields = json.loads(body, parse_constant=_no_constant)
    except ValueError:
        raise invalid_token(NOT_ISSUED) from None
    if not isinstance(fields, dict):
        raise invalid_token(NOT_ISSUED)
    return fields


def uuid_value(value: Any) -> str:
    """A row id: a UUID in its canonical text."""
    if not isinstance(value, str) or len(value) != 36:
        raise invalid_token(NOT_ISSUED)
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise invalid_token(NOT_ISSUED) from None


def timestamp_value(value: Any) -> datetime:
    """A row's creation time: ISO 8601 with a UTC offset, within EARLIEST..LATEST."""
    if not isinstance(value, str) or len(value) > 40:
        raise invalid_token(NOT_ISSUED)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise invalid_token(NOT_ISSUED) from None
    if at.tzinfo is None or not EARLIEST <= at <= LATEST:
        raise invalid_token(NOT_ISSUED)
    return at


def int_value(value: Any, low: int, high: int) -> int:
    """An integer key (a price in minor units) within its column's range."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid_token(NOT_ISSUED)
    return value


def float_value(value: Any, low: float, high: float) -> float:
    """A finite real key (a rank, a rating) within low..high."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid_token(NOT_ISSUED)
    try:
        number = float(value)
    except OverflowError:  # an integer past any double
        raise invalid_token(NOT_ISSUED) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise invalid_token(NOT_ISSUED)
    return number


def invalid_token(message: str) -> InvalidRequest:
    return InvalidRequest.at("page_token", message)


def _fingerprint(search: ProductSearch) -> str:
    """Ties a product token to the query it came from (sort included, page size not)."""
    fields = {**asdict(search), "sort": effective_sort(search).value, "page_size": None}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def _mac(key: bytes, purpose: str, body: bytes) -> bytes:
    return hmac.new(key, purpose.encode() + b"\0" + body, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
