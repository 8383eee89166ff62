"""The Pub/Sub connector (googleapis.pubsub.v1.projects.topics.publish) against the local
Pub/Sub stand-in: one raw Publisher.Publish gRPC call on a plaintext channel, no credentials."""

from __future__ import annotations

import base64
import binascii
import threading
from typing import Any

import grpc
from google.pubsub_v1 import types

PUBLISH = "/google.pubsub.v1.Publisher/Publish"
TIMEOUT_S = 10.0
_UNREACHABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class PublishFailed(RuntimeError):
    """The stand-in refused the request; `code` is the HTTP status the REST API would answer."""

    def __init__(self, code: int, message: str, status: str = "INVALID_ARGUMENT") -> None:
        super().__init__(message)
        self.code = code
        self.status = status


_HTTP_CODES = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
}


def _message(item: dict[str, Any]) -> types.PubsubMessage:
    """A REST-shaped message ({"data": base64, "attributes": {…}}) as a PubsubMessage."""
    try:
        data = base64.b64decode(item.get("data") or "", validate=True)
    except (binascii.Error, TypeError) as exc:
        raise PublishFailed(400, "message data must be base64") from exc
    attributes = {str(k): str(v) for k, v in (item.get("attributes") or {}).items()}
    return types.PubsubMessage(data=data, attributes=attributes,
                               ordering_key=item.get("orderingKey") or "")


class PubSubConnector:
    """Publishes to the Publisher API at `host` (PUBSUB_EMULATOR_HOST form, host:port)."""

    def __init__(self, host: str | None) -> None:
        self.host = host
        self._lock = threading.Lock()
        self._call: Any = None

    def _publish_call(self) -> Any:
        """The Publish stub, on a channel opened on first use."""
        with self._lock:
            if self._call is None:
                channel = grpc.insecure_channel(self.host or "")
                self._call = channel.unary_unary(
                    PUBLISH,
                    request_serializer=types.PublishRequest.serialize,
                    response_deserializer=types.PublishResponse.deserialize,
                )
            return self._call

    def publish(self, topic: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """{"messageIds": […]}; ConnectionError when unreachable, PublishFailed when refused."""
        if not self.host:
            raise ConnectionError("no Pub/Sub stand-in configured (--pubsub-host)")
        request = types.PublishRequest(topic=topic, messages=[_message(m) for m in messages])
        try:
            response = self._publish_call()(request, timeout=TIMEOUT_S)
        except grpc.RpcError as error:
            code = error.code()
            if code in _UNREACHABLE:
                raise ConnectionError(f"Pub/Sub stand-in at {self.host}: {code.name}") from error
            details = error.details()
            raise PublishFailed(_HTTP_CODES.get(code, 500), details, code.name) from error
        return {"messageIds": list(response.message_ids)}
