"""Callbacks, the Pub/Sub connector, sleeps and cancellation go through the Runtime protocol."""

from __future__ import annotations

import threading
import time

import pytest

from devstack.workflows import interpreter
from devstack.workflows.runtime import Cancelled
from tests.integration.workflows.local_runtime import LocalRuntime

CALLBACK = """
main:
  params: [input]
  steps:
    - create:
        call: events.create_callback_endpoint
        args:
          http_callback_method: "POST"
        result: callback
    - wait:
        try:
          call: events.await_callback
          args:
            callback: ${callback}
            timeout: ${input.timeout}
          result: request
        except:
          as: e
          steps:
            - timed_out:
                return: ${e.tags}
    - done:
        return: ${request.http_request.body}
"""


def send_when_created(runtime: LocalRuntime, body: object) -> threading.Thread:
    def send() -> None:
        while not runtime.callbacks:
            time.sleep(0.001)
        runtime.send_callback(next(iter(runtime.callbacks)), body)
    sender = threading.Thread(target=send)
    sender.start()
    return sender


def test_await_callback_returns_the_request_sent_to_the_endpoint():
    # Given a sender that posts to the callback URL once it exists
    runtime = LocalRuntime(scale=1.0)
    sender = send_when_created(runtime, {"payment": "succeeded"})
    # When the workflow awaits it
    body = interpreter.run(interpreter.deploy(CALLBACK), {"timeout": 30}, runtime)
    sender.join()
    # Then the request's body is the callback result and the timeout went to the runtime
    assert body == {"payment": "succeeded"}
    assert [timeout for _, timeout in runtime.awaited] == [30.0]


def test_a_callback_timeout_raises_a_catchable_timeout_error():
    # Given no request ever comes / When the workflow awaits 5 s of workflow time
    runtime = LocalRuntime(scale=0.001)
    tags = interpreter.run(interpreter.deploy(CALLBACK), {"timeout": 5}, runtime)
    # Then except receives TimeoutError
    assert tags == ["TimeoutError"]


def test_await_callback_defaults_to_the_documented_43200_seconds():
    # Given a request queued before the await, and no timeout argument
    source = CALLBACK.replace("            timeout: ${input.timeout}\n", "")
    runtime = LocalRuntime()
    sender = send_when_created(runtime, "early")
    # When it runs / Then the queued request is returned and the timeout was 43200 s
    assert interpreter.run(interpreter.deploy(source), {}, runtime) == "early"
    sender.join()
    assert [timeout for _, timeout in runtime.awaited] == [43200.0]


PUBLISH = """
main:
  steps:
    - publish:
        try:
          call: googleapis.pubsub.v1.projects.topics.publish
          args:
            topic: "projects/local-project/topics/orders"
            body:
              messages:
                - data: ${base64.encode(text.encode("order-1"))}
                  attributes: {"kind": "placed"}
          result: published
        except:
          as: e
          steps:
            - failed:
                return: ${e.tags}
    - done:
        return: ${published}
"""


def test_the_pubsub_connector_publishes_through_the_runtime():
    # Given the Pub/Sub connector call / When the workflow runs
    runtime = LocalRuntime()
    result = interpreter.run(interpreter.deploy(PUBLISH), None, runtime)
    # Then the runtime got the topic and the REST-shaped message, and its ids came back
    assert runtime.published == [("projects/local-project/topics/orders",
                                  [{"data": "b3JkZXItMQ==", "attributes": {"kind": "placed"}}])]
    assert result == {"messageIds": ["100"]}


def test_an_unreachable_pubsub_is_a_catchable_connection_failed_error():
    # Given a runtime whose Pub/Sub stand-in cannot be reached
    runtime = LocalRuntime()
    runtime.publish_fails = True
    # When the workflow publishes / Then except sees ConnectionFailedError
    assert interpreter.run(interpreter.deploy(PUBLISH), None, runtime) == [
        "ConnectionFailedError"]


def test_cancellation_unwinds_through_try_without_running_except():
    # Given a workflow sleeping inside try/except, and a runtime cancelled while it sleeps
    source = """
main:
  steps:
    - guarded:
        try:
          call: sys.sleep
          args: {seconds: 3600}
        except:
          steps:
            - log:
                call: sys.log
                args: {text: "except ran"}
"""
    runtime = LocalRuntime(scale=1.0)
    threading.Timer(0.05, runtime.cancelled.set).start()
    # When it runs / Then Cancelled comes out and except never ran
    with pytest.raises(Cancelled):
        interpreter.run(interpreter.deploy(source), None, runtime)
    assert runtime.logs == []
