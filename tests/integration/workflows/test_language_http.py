"""HTTP calls against a real local server that fails on demand: results, the service's error
tags (HttpError, ConnectionFailedError, ConnectionError, TimeoutError), and retry backoff."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from devstack.workflows import interpreter
from tests.integration.workflows.local_runtime import LocalRuntime


class Target(BaseHTTPRequestHandler):
    """/echo, /status/<code>, /flaky/<key>/<failures>/<code>, /slow/<seconds>, /drop."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.answer()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def answer(self):
        parts = urlsplit(self.path).path.strip("/").split("/")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        self.server.hits[parts[0]] += 1
        if parts[0] == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if parts[0] == "slow":
            time.sleep(float(parts[1]))
        code = 200
        if parts[0] == "status":
            code = int(parts[1])
        if parts[0] == "flaky":
            self.server.hits[parts[1]] += 1
            code = int(parts[3]) if self.server.hits[parts[1]] <= int(parts[2]) else 200
        self.reply(code, {"method": self.command, "query": parse_qs(urlsplit(self.path).query),
                          "headers": dict(self.headers), "body": body})

    def reply(self, code, payload):
        raw = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def target():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Target)
    server.hits = Counter()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.hits
    server.shutdown()


def run(source: str, argument=None, runtime: LocalRuntime | None = None):
    return interpreter.run(interpreter.deploy(source), argument, runtime or LocalRuntime())


CATCH = """
main:
  params: [input]
  steps:
    - call:
        try:
          call: http.get
          args:
            url: ${input.url}
            timeout: ${default(map.get(input, "timeout"), 300)}
          result: response
        except:
          as: e
          steps:
            - caught:
                return: ${e}
    - done:
        return: ${response}
"""


def test_a_json_response_is_decoded_and_a_map_body_is_sent_as_json(target):
    # Given the echo endpoint
    url, _ = target
    source = """
main:
  params: [input]
  steps:
    - send:
        call: http.post
        args:
          url: ${input.url}
          query: {"q": "shoes", "page": 2}
          headers: {"X-Trace": "t1"}
          body: {"amount": 1250}
          auth: {type: OIDC, audience: "https://orders"}
        result: response
    - done:
        return: ${response}
"""
    # When the workflow posts a map
    response = run(source, {"url": f"{url}/echo"})
    # Then the body came back as a map, with the code and headers
    assert response["code"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    echoed = response["body"]
    assert echoed["method"] == "POST"
    assert echoed["query"] == {"q": ["shoes"], "page": ["2"]}
    assert json.loads(echoed["body"]) == {"amount": 1250}
    assert echoed["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert echoed["headers"]["X-Trace"] == "t1"
    token = echoed["headers"]["Authorization"].removeprefix("Bearer ").split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert claims["aud"] == "https://orders"


def test_an_error_status_raises_a_catchable_http_error_with_code_and_body(target):
    # Given an endpoint answering 404 / When the workflow calls it inside try
    url, _ = target
    caught = run(CATCH, {"url": f"{url}/status/404"})
    # Then except received the service's HttpError map
    assert caught["tags"] == ["HttpError"]
    assert caught["code"] == 404
    assert caught["message"] == "HTTP server responded with error code 404"
    assert caught["body"]["method"] == "GET"
    assert caught["headers"]["Content-Type"] == "application/json"


def test_an_uncaught_http_error_fails_the_execution_with_its_map(target):
    # Given a call without try to an endpoint answering 500
    url, _ = target
    source = """
main:
  params: [input]
  steps:
    - call:
        call: http.get
        args: {url: "${input.url}"}
"""
    # When it runs / Then the execution fails with the HttpError and the failing step
    with pytest.raises(interpreter.WorkflowFailed) as failed:
        run(source, {"url": f"{url}/status/500"})
    assert (failed.value.error["tags"], failed.value.error["code"]) == (["HttpError"], 500)
    assert failed.value.stack == [{"step": "call", "routine": "main",
                                   "position": {"line": 5, "column": 7}}]


def test_a_refused_connection_is_a_catchable_connection_failed_error():
    # Given a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # When the workflow calls it / Then except sees ConnectionFailedError
    caught = run(CATCH, {"url": f"http://127.0.0.1:{port}/"})
    assert caught["tags"] == ["ConnectionFailedError"]


def test_a_connection_closed_mid_way_is_a_connection_error(target):
    # Given a server that reads the request and closes without answering
    url, _ = target
    # When the workflow calls it / Then except sees ConnectionError
    assert run(CATCH, {"url": f"{url}/drop"})["tags"] == ["ConnectionError"]


def test_a_slow_answer_past_the_timeout_is_a_timeout_error(target):
    # Given an endpoint slower than the call's timeout
    url, _ = target
    started = time.monotonic()
    # When the workflow calls it with timeout 0.2 s
    caught = run(CATCH, {"url": f"{url}/slow/1", "timeout": 0.2})
    # Then except sees TimeoutError, after real wall-clock time near the timeout
    assert caught["tags"] == ["TimeoutError"]
    assert 0.2 <= time.monotonic() - started < 0.9


RETRY = """
main:
  params: [input]
  steps:
    - call:
        try:
          call: http.get
          args: {url: "${input.url}"}
          result: response
        retry: ${input.policy}
    - done:
        return: ${response.code}
"""


def retry_source(policy: str) -> str:
    return RETRY.replace("${input.policy}", policy)


def test_default_retry_retries_503_with_the_documented_backoff(target):
    # Given an endpoint failing twice with 503, then answering
    url, hits = target
    runtime = LocalRuntime()
    # When the call retries with http.default_retry
    code = run(retry_source("${http.default_retry}"), {"url": f"{url}/flaky/a/2/503"}, runtime)
    # Then it succeeded on the third attempt after waits of 1 s then 1 × 1.25 s
    assert code == 200
    assert hits["a"] == 3
    assert runtime.sleeps == [1, 1.25]


def test_default_retry_gives_up_after_five_retries_without_a_last_wait(target):
    # Given an endpoint that always answers 503
    url, hits = target
    runtime = LocalRuntime()
    before = hits["status"]
    # When the call retries with http.default_retry
    with pytest.raises(interpreter.WorkflowFailed) as failed:
        run(retry_source("${http.default_retry}"), {"url": f"{url}/status/503"}, runtime)
    # Then 1 + 5 attempts were made, waits grew by 1.25, none after the last, and it failed
    assert hits["status"] - before == 6
    assert runtime.sleeps == [1, 1.25, 1.5625, 1.953125, 2.44140625]
    assert failed.value.error["code"] == 503


def test_non_idempotent_default_retry_does_not_retry_a_502(target):
    # Given an endpoint answering 502, which only the idempotent predicate retries
    url, hits = target
    runtime = LocalRuntime()
    before = hits["status"]
    # When the call uses http.default_retry_non_idempotent / Then it is tried once
    with pytest.raises(interpreter.WorkflowFailed):
        run(retry_source("${http.default_retry_non_idempotent}"), {"url": f"{url}/status/502"},
            runtime)
    assert (hits["status"] - before, runtime.sleeps) == (1, [])


def test_the_delay_is_capped_at_max_delay_and_retries_go_on(target):
    # Given an always-failing endpoint and a policy whose delay outgrows max_delay
    url, hits = target
    policy = """
          predicate: ${http.default_retry_predicate}
          max_retries: 4
          backoff:
            initial_delay: 2
            max_delay: 10
            multiplier: 3"""
    source = RETRY.replace(" ${input.policy}", policy)
    runtime = LocalRuntime()
    before = hits["status"]
    # When it runs
    with pytest.raises(interpreter.WorkflowFailed):
        run(source, {"url": f"{url}/status/429"}, runtime)
    # Then the waits were 2, 6, then 10 twice (capped, not stopped): 5 attempts
    assert runtime.sleeps == [2, 6, 10, 10]
    assert hits["status"] - before == 5
