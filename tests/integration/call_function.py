"""Serve one request with one function in a fresh process, as Cloud Functions would.

Usage: python -m tests.integration.call_function NAME METHOD PATH [JSON_BODY [JSON_HEADERS]]
Prints {"status": ..., "headers": {...}, "body": ...} on the last line. The environment
chooses the backends, so a test can point a function at a database or Auth that is down.
"""

from __future__ import annotations

import json
import sys

import functions_framework

from devstack import manifest


def main() -> None:
    name, method, path = sys.argv[1:4]
    body = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
    headers = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
    function = manifest.functions()[name]
    app = functions_framework.create_app(name, str(function.source), function.signature_type)
    response = app.test_client().open(path, method=method, json=body, headers=headers)
    print(json.dumps({"status": response.status_code, "headers": dict(response.headers),
                      "body": response.get_json(silent=True)}))


if __name__ == "__main__":
    main()
