"""Callbacks on the Workflows stand-in: endpoints on its own host, requests queued until
awaited, timeouts (compressed by the time scale) raising a catchable TimeoutError."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
from google.cloud.workflows.executions_v1 import types

from tests.integration.workflows.conftest import (
    TIME_SCALE,
    send_json,
    wait_finished,
    wait_until,
)

State = types.Execution.State
# Tells the test where its callback is (POST to <base_url>/hello), waits `pause` seconds, then
# awaits one request and returns it.
WAITER = """
main:
  params: [args]
  steps:
    - create:
        call: events.create_callback_endpoint
        args:
          http_callback_method: ${args.method}
        result: callback
    - tell:
        call: http.post
        args:
          url: ${args.base_url + "/hello"}
          body:
            url: ${callback.url}
    - pause:
        call: sys.sleep
        args:
          seconds: ${args.pause}
    - wait:
        call: events.await_callback
        args:
          callback: ${callback}
          timeout: ${args.timeout}
        result: received
    - done:
        return: ${received}
"""
CATCHES_TIMEOUT = """
main:
  steps:
    - create:
        call: events.create_callback_endpoint
        result: callback
    - wait:
        try:
          call: events.await_callback
          args:
            callback: ${callback}
            timeout: 50
        except:
          as: e
          steps:
            - caught:
                return: ${e.tags}
"""


def send(url: str, method: str = "POST", body: dict | None = None) -> tuple[int, dict]:
    return send_json(url, body, method)


def start_waiter(client, deploy, endpoints, method="POST", pause=0, timeout=1000):
    """Start WAITER; the execution's name and its callback URL once it told the test."""
    argument = {"base_url": endpoints.base_url, "method": method, "pause": pause,
                "timeout": timeout}
    created = client.create_execution(parent=deploy(WAITER),
                                      execution=types.Execution(argument=json.dumps(argument)))
    [told] = wait_until(lambda: endpoints.bodies("hello"))
    return created.name, told["url"]


def test_callback_url_has_the_service_path_shape_on_the_stand_in_host(
        client, deploy, endpoints, workflows):
    name, url = start_waiter(client, deploy, endpoints)
    assert re.fullmatch(rf"{re.escape(workflows.callback_base)}/v1/{re.escape(name)}"
                        r"/callbacks/[0-9a-f-]{36}", url)
    client.cancel_execution(name=name)


def test_callback_sent_after_the_await_resumes_the_execution(client, deploy, endpoints):
    # Given an execution awaiting a POST callback
    name, url = start_waiter(client, deploy, endpoints)
    time.sleep(0.2)
    # When the callback arrives with a body and a query
    status, reply = send(url + "?paid=yes&paid=twice", body={"status": "succeeded"})
    # Then it is accepted, and the execution returns the request as the service shapes it
    assert (status, reply) == (200, {})
    finished = wait_finished(client, name)
    assert finished.state == State.SUCCEEDED
    received = json.loads(finished.result)
    request = received["http_request"]
    assert request["body"] == {"status": "succeeded"}
    assert request["method"] == "POST"
    assert request["query"] == {"paid": ["yes", "twice"]}
    assert request["url"] == url[url.index("/v1/"):] + "?paid=yes&paid=twice"
    assert request["headers"]["Content-Type"] == "application/json"
    assert "Authorization" not in request["headers"]
    assert received["type"] == "HTTP"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", received["received_time"])


def test_callback_sent_before_the_await_is_queued_until_awaited(client, deploy, endpoints):
    # Given an execution that pauses 50 s of workflow time before awaiting its callback
    name, url = start_waiter(client, deploy, endpoints, method="PUT", pause=50)
    # When two callbacks arrive before it awaits
    assert send(url, "PUT", {"n": 1})[0] == 200
    assert send(url, "PUT", {"n": 2})[0] == 200
    # Then the await takes the first one
    finished = wait_finished(client, name)
    assert finished.state == State.SUCCEEDED
    assert json.loads(finished.result)["http_request"]["body"] == {"n": 1}


def test_callback_with_another_method_or_unknown_id_is_not_found(client, deploy, endpoints):
    name, url = start_waiter(client, deploy, endpoints, method="PUT")
    assert send(url, "POST", {})[0] == 404
    assert send(url.rsplit("/", 1)[0] + f"/{uuid.uuid4()}", "PUT", {})[0] == 404
    assert client.get_execution(name=name).state == State.ACTIVE
    client.cancel_execution(name=name)


def test_callback_to_a_finished_execution_is_not_found(client, deploy, endpoints):
    name, url = start_waiter(client, deploy, endpoints)
    assert send(url, body={"first": True})[0] == 200
    wait_finished(client, name)
    status, reply = send(url, body={"late": True})
    assert status == 404
    assert reply["error"]["status"] == "NOT_FOUND"


def test_timeout_raises_a_catchable_timeout_error_after_scaled_time(client, deploy):
    # Given a workflow awaiting 50 s of workflow time (0.5 s at the tests' time scale)
    created = client.create_execution(parent=deploy(CATCHES_TIMEOUT),
                                      execution=types.Execution())
    # When nobody calls back
    finished = wait_finished(client, created.name)
    # Then except caught a TimeoutError once the scaled timeout passed, not long after
    assert finished.state == State.SUCCEEDED
    assert json.loads(finished.result) == ["TimeoutError"]
    waited = (finished.end_time - finished.start_time).total_seconds()
    assert 50 * TIME_SCALE <= waited < 50 * TIME_SCALE + 2.0


def test_cancel_while_awaiting_a_callback(client, deploy, endpoints):
    name, url = start_waiter(client, deploy, endpoints)
    assert client.cancel_execution(name=name).state == State.CANCELLED
    assert send(url, body={})[0] == 404


@pytest.mark.parametrize("method", ["GET", "DELETE", "PATCH"])
def test_each_declared_method_is_accepted(client, deploy, endpoints, method):
    name, url = start_waiter(client, deploy, endpoints, method=method)
    assert send(url, method)[0] == 200
    finished = wait_finished(client, name)
    assert json.loads(finished.result)["http_request"]["method"] == method
