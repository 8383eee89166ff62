"""Blocking standard-library calls that go through the Runtime: sleep, log, callbacks, Pub/Sub.

References: cloud.google.com/workflows/docs/reference/stdlib/sys/sleep, …/sys/log,
…/events/create_callback_endpoint, …/events/await_callback, and the Pub/Sub connector
(googleapis.pubsub.v1.projects.topics.publish).
"""

from __future__ import annotations

from .errors import error, type_error, value_error
from .library import register
from .values import as_seconds, type_name

AWAIT_CALLBACK_DEFAULT_TIMEOUT_S = 43200.0
_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}
_SEVERITIES = {"DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT",
               "EMERGENCY"}


@register("sys.sleep", blocking=True, needs_runtime=True)
def sys_sleep(runtime, seconds):
    runtime.sleep(as_seconds(seconds, "sys.sleep"))
    return None


@register("sys.log", blocking=True, needs_runtime=True)
def sys_log(runtime, data=None, severity="DEFAULT", text=None, json=None, timestamp=None):
    if not isinstance(severity, str) or severity.upper() not in _SEVERITIES:
        raise value_error(f"sys.log: unknown severity {severity!r}")
    given = [value for value in (text, json, data) if value is not None]
    if len(given) > 1:
        raise value_error("sys.log: give only one of data, text, json")
    runtime.log(severity.upper(), given[0] if given else None)
    return None


@register("events.create_callback_endpoint", blocking=True, needs_runtime=True)
def create_callback_endpoint(runtime, http_callback_method="POST"):
    if not isinstance(http_callback_method, str) or http_callback_method.upper() not in _METHODS:
        raise value_error(f"unsupported http_callback_method {http_callback_method!r}")
    return runtime.create_callback(http_callback_method.upper())


@register("events.await_callback", blocking=True, needs_runtime=True)
def await_callback(runtime, callback, timeout=AWAIT_CALLBACK_DEFAULT_TIMEOUT_S):
    if not isinstance(callback, dict):
        raise type_error(f"events.await_callback: callback must be a map, got "
                         f"{type_name(callback)}")
    if not isinstance(callback.get("url"), str):
        raise value_error("events.await_callback: callback has no url")
    request = runtime.await_callback(callback["url"], as_seconds(timeout, "events.await_callback"))
    if request is None:
        raise error("TimeoutError", f"timeout: no callback received within {timeout} seconds")
    return request


@register("googleapis.pubsub.v1.projects.topics.publish", blocking=True, needs_runtime=True)
def pubsub_publish(runtime, topic, body, connector_params=None):
    if not isinstance(topic, str) or not topic.startswith("projects/") or "/topics/" not in topic:
        raise value_error(f"publish: topic must be projects/<p>/topics/<t>, got {topic!r}")
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise type_error("publish: body.messages must be a list of maps")
    try:
        return runtime.publish(topic, messages)
    except ConnectionError as problem:
        raise error("ConnectionFailedError", f"cannot reach Pub/Sub: {problem}") from None
