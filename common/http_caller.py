"""Who calls an operation open to anyone: the signed-in account when a bearer token comes
with the request (personal answers), and the client's device id (`X-Device-Id`)."""

from __future__ import annotations

import ipaddress
import re

import flask

from common import bootstrap
from common.api.interaction_schemas import DEVICE_ID_PATTERN
from common.domain.errors import InvalidRequest, Unauthenticated
from common.domain.identity import Principal, Role, authorize

MAX_TOKEN_CHARS = 4096
DEVICE_ID = re.compile(DEVICE_ID_PATTERN)


def signed_in_caller(request: flask.Request) -> Principal | None:
    """The caller behind a bearer token, None without one; Unauthenticated for a bad token,
    AccountBlocked / Forbidden for an account that may not act."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > MAX_TOKEN_CHARS:
        raise Unauthenticated("Send `Authorization: Bearer <ID token>`, or no Authorization.")
    from common.services.sessions import authenticate

    principal = authenticate(token.strip(), uow=bootstrap.unit_of_work,
                             identity=bootstrap.identity())
    authorize(principal, frozenset(Role), verified_email=False)
    return principal


def device_id(request: flask.Request, in_body: str | None = None) -> str | None:
    """The client's device id from `X-Device-Id` or the body (they must agree); 422 if malformed."""
    header = request.headers.get("X-Device-Id")
    if header is not None and not DEVICE_ID.match(header):
        raise InvalidRequest.at("X-Device-Id", "8-128 characters of A-Z a-z 0-9 . _ : -")
    if header is not None and in_body is not None and header != in_body:
        raise InvalidRequest.at("device_id", "differs from the X-Device-Id header")
    return header if header is not None else in_body


REGION_CODE = re.compile(r"^[A-Z]{2}$")


def client_region(request: flask.Request) -> str | None:
    """The client's country from the load balancer's `X-Client-Region`; None if absent or odd."""
    value = request.headers.get("X-Client-Region")
    return value if value is not None and REGION_CODE.match(value) else None


def client_ip(request: flask.Request) -> str | None:
    """The client's address as the load balancer saw it; None if unknown or loopback.

    Google's load balancer appends `<client-ip>,<lb-ip>` to whatever `X-Forwarded-For` the
    client sent, so the second-to-last entry is the one a client cannot forge; a single entry
    (tests, a direct call) is taken as is. Loopback (the local stack) is no address at all.
    """
    entries = [e.strip() for e in request.headers.get("X-Forwarded-For", "").split(",")
               if e.strip()]
    candidate = (entries[-2] if len(entries) >= 2 else entries[0]) if entries else (
        request.remote_addr)
    try:
        address = ipaddress.ip_address(candidate or "")
    except ValueError:
        return None
    return None if address.is_loopback or address.is_unspecified else str(address)
