"""Serve one request with one function in a fresh process, as Cloud Functions would.

Usage: python -m tests.integration.call_function NAME METHOD PATH [JSON_BODY [JSON_HEADERS]]
Prints {"status": ..., "headers": {...}, "body": ...} on the last line. The environment
chooses the backends, so a test can point a function at a database or Auth that is down;
CALL_FUNCTION_REMOTE_ADDR sets the client's address (default 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import sys

from devstack import manifest
from devstack.loader import load


def main() -> None:
    name, method, path = sys.argv[1:4]
    body = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
    headers = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
    function = manifest.functions()[name]
    app = load(function)  # as Cloud Functions loads it, connecting as its database role
    remote_addr = os.environ.get("CALL_FUNCTION_REMOTE_ADDR", "127.0.0.1")
    response = app.test_client().open(path, method=method, json=body, headers=headers,
                                      environ_base={"REMOTE_ADDR": remote_addr})
    print(json.dumps({"status": response.status_code, "headers": dict(response.headers),
                      "body": response.get_json(silent=True)}))


if __name__ == "__main__":
    main()
