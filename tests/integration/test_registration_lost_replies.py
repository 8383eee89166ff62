"""A registration whose Firebase calls fail half-way leaves neither half, nor a locked email.

The function runs in a fresh process (as Cloud Functions would) against the real Auth
emulator, through an HTTP hop that loses chosen replies the way a network does: the
request reaches the emulator and takes effect, the answer never comes back. firebase-admin
retries such a request once, so "always" loses the retry's reply too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from common import bootstrap
from common.services.registration import reconcile_stale_registrations
from tests.conftest import ROOT, unique_email
from tests.integration.test_registration_atomicity import _in_database, _in_firebase

PASSWORD = "Sunny-meadow-42"
CREATE, UPDATE, DELETE = "/accounts", "/accounts:update", "/accounts:delete"


class _Hop(BaseHTTPRequestHandler):
    """Forwards to the emulator; for a faulty path, `lose` forwards and drops the reply,
    `refuse` drops the request (Firebase gone). Each fault holds for `times` requests."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = self.path.split("?", 1)[0]
        fault = self.server.take_fault(path)
        if fault != "refuse":
            reply = requests.post(f"http://{self.server.upstream}{self.path}", data=body,
                                  headers={k: v for k, v in self.headers.items()
                                           if k.lower() not in ("host", "content-length")},
                                  timeout=30)
        if fault is not None:
            self.close_connection = True
            return  # the connection closes with no answer
        self.send_response(reply.status_code)
        self.send_header("Content-Type", reply.headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(reply.content)))
        self.end_headers()
        self.wfile.write(reply.content)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


class FlakyAuth(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Hop)
        self.upstream = upstream
        self.faults: dict[str, list] = {}  # path suffix → [action, requests left]
        self._lock = threading.Lock()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def fail(self, suffix: str, action: str, times: int = 1_000) -> None:
        self.faults[suffix] = [action, times]

    def take_fault(self, path: str) -> str | None:
        with self._lock:
            for suffix, fault in self.faults.items():
                if path.endswith(suffix) and fault[1] > 0:
                    fault[1] -= 1
                    return fault[0]
        return None


@pytest.fixture
def flaky_auth(stack):  # noqa: ANN201
    server = FlakyAuth(bootstrap.settings().firebase_auth_emulator_host)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _register_through(flaky_auth: FlakyAuth, email: str) -> dict:
    env = {**os.environ, "FIREBASE_AUTH_EMULATOR_HOST": flaky_auth.host}
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.call_function", "register_customer", "POST",
         "/v1/customers", json.dumps({"name": "Rita", "email": email, "password": PASSWORD})],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("path", [CREATE, UPDATE], ids=["create-reply-lost", "claims-failed"])
def test_a_failed_firebase_step_removes_both_halves_at_once(stack, flaky_auth, path):
    # Given Firebase whose create (or role claim) takes effect but never answers
    email = unique_email("half-done")
    flaky_auth.fail(path, "lose" if path == CREATE else "refuse")
    # When a customer registers
    answer = _register_through(flaky_auth, email)
    # Then they are told to retry, nothing of the registration remains, and a retry works
    assert answer["status"] == 503
    assert not _in_firebase(email) and not _in_database(email)
    assert _sign_up(stack, email) == 201


def test_a_create_retried_by_firebase_admin_after_a_lost_reply_completes(stack, flaky_auth):
    # Given a create whose first reply is lost (firebase-admin sends it again)
    email = unique_email("lost-once")
    flaky_auth.fail(CREATE, "lose", times=1)
    # Then the registration completes: the user the first attempt made is ours
    answer = _register_through(flaky_auth, email)
    assert answer["status"] == 201, answer
    login = requests.post(f"{stack.base_url}/v1/sessions", timeout=60,
                          json={"email": email, "password": PASSWORD})
    assert login.status_code == 200


def test_firebase_gone_after_the_create_leaves_both_halves_to_the_reconciler(stack, flaky_auth):
    # Given Firebase that goes away right after creating the user
    email = unique_email("gone")
    flaky_auth.fail(UPDATE, "refuse")
    flaky_auth.fail(DELETE, "refuse")
    answer = _register_through(flaky_auth, email)
    # Then the client is told to retry, and the pending row stays for the reconciler
    assert answer["status"] == 503
    assert _in_firebase(email) and _in_database(email)
    reconcile_stale_registrations(bootstrap.unit_of_work, bootstrap.identity(), older_than_s=0)
    assert not _in_firebase(email) and not _in_database(email)
    assert _sign_up(stack, email) == 201


def _sign_up(stack, email: str) -> int:  # noqa: ANN001
    return requests.post(f"{stack.base_url}/v1/customers", timeout=60,
                         json={"name": "Rita", "email": email, "password": PASSWORD}).status_code
