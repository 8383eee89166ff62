"""Where a request came from, for the security signals: device, address and country, each
None when absent or malformed (a signal never fails the request it describes)."""

from __future__ import annotations

import flask

from common.domain.errors import InvalidRequest
from common.domain.security_signals import Origin
from common.http_caller import client_ip, client_region, device_id


def request_origin(request: flask.Request) -> Origin:
    """The request's origin; a malformed X-Device-Id counts as none."""
    try:
        device = device_id(request)
    except InvalidRequest:
        device = None
    return Origin(device_id=device, ip=client_ip(request), country=client_region(request))
