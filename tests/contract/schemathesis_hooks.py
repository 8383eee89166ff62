"""Schemathesis hooks of the fuzz run (loaded through SCHEMATHESIS_HOOKS).

Generated Idempotency-Keys repeat ("00000000" is a favourite), and the API rightly
refuses a key it has seen with another body (422 idempotency_key_reused): state left by
an unrelated test case, not a contract failure. A well-formed key gets a unique suffix,
so each request is new to the server; a malformed one is sent as generated, so the
negative checks still see it refused. Reuse itself is tested in tests/e2e.
"""

from __future__ import annotations

import re
import uuid

import schemathesis

from common.http_inputs import IDEMPOTENCY_KEY_PATTERN

_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
HEADER = "Idempotency-Key"


@schemathesis.hook
def before_call(context, case, kwargs) -> None:  # noqa: ANN001
    headers = case.headers or {}
    name = next((key for key in headers if key.lower() == HEADER.lower()), None)
    if name is None or not isinstance(headers[name], str) or not _KEY.match(headers[name]):
        return
    headers[name] = f"{headers[name][:200]}.{uuid.uuid4().hex}"
