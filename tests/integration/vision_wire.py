"""A local stand-in for Cloud Vision's REST API v1, speaking its documented wire format.

Paths, query parameters and camelCase fields follow Vision's discovery document (vision:v1,
https://vision.googleapis.com/$discovery/rest?version=v1) and REST reference:
  POST   /v1/images:annotate                  {requests: [AnnotateImageRequest]}
                                              -> {responses: [AnnotateImageResponse]}
  POST   /v1/{parent}/products?productId=     Product -> Product (ALREADY_EXISTS when taken)
  POST   /v1/{parent}/productSets?productSetId=          ProductSet -> ProductSet
  POST   /v1/{productSet}:addProduct          {product} -> {} (NOT_FOUND: set or product missing)
  POST   /v1/{product}/referenceImages?referenceImageId= ReferenceImage -> ReferenceImage
  DELETE /v1/{referenceImage}                 -> {} (NOT_FOUND when missing)
Errors are a google.rpc.Status in the {"error": {"code", "message", "status"}} envelope, with
the HTTP status of its code. The product-search side keeps state, so a repeated create answers
409 ALREADY_EXISTS the way Vision does; `fail` scripts any other answer.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from devstack.ports import HOST, free_port

# Feature.Type numbers from google/cloud/vision/v1/image_annotator.proto: the client library
# sends enums as numbers ($alt=json;enum-encoding=int), proto3 JSON accepts names or numbers.
FEATURE_TYPES = {4: "LABEL_DETECTION", 12: "PRODUCT_SEARCH", 19: "OBJECT_LOCALIZATION"}
CATEGORIES = {"homegoods-v2", "apparel-v2", "toys-v2", "packagedgoods-v1", "general-v1"}
HTTP_STATUS = {"INVALID_ARGUMENT": 400, "PERMISSION_DENIED": 403, "NOT_FOUND": 404,
               "ALREADY_EXISTS": 409, "ABORTED": 409, "RESOURCE_EXHAUSTED": 429,
               "INTERNAL": 500, "UNAVAILABLE": 503, "DEADLINE_EXCEEDED": 504}
_NAME = r"projects/[^/]+/locations/[^/]+"
_ROUTES = [
    ("POST", re.compile(r"/v1/images:annotate"), "_annotate"),
    ("POST", re.compile(rf"/v1/(?P<parent>{_NAME})/products"), "_create_product"),
    ("POST", re.compile(rf"/v1/(?P<parent>{_NAME})/productSets"), "_create_product_set"),
    ("POST", re.compile(rf"/v1/(?P<name>{_NAME}/productSets/[^/:]+):addProduct"), "_add_product"),
    ("POST", re.compile(rf"/v1/(?P<parent>{_NAME}/products/[^/]+)/referenceImages"),
     "_create_reference_image"),
    ("DELETE", re.compile(rf"/v1/(?P<name>{_NAME}/products/[^/]+/referenceImages/[^/]+)"),
     "_delete_reference_image"),
]


class WireError(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class VisionWire:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    # What images:annotate answers for every image of a request (an AnnotateImageResponse).
    annotation: dict[str, Any] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    product_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: set[tuple[str, str]] = field(default_factory=set)
    reference_images: dict[str, dict[str, Any]] = field(default_factory=dict)
    scripted: deque[str] = field(default_factory=deque)
    always: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, status: str, times: int = 1) -> None:
        """Answer the next `times` requests with this google.rpc.Code name."""
        self.scripted.extend([status] * times)

    def app(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        body = json.loads(request.get_data() or b"{}")
        with self.lock:
            self.calls.append(Call(request.method, request.path, dict(request.args), body))
            forced = self.scripted.popleft() if self.scripted else self.always
            try:
                if forced:
                    raise WireError(forced, f"scripted {forced}")
                payload, status = self._route(request, body), 200
            except WireError as error:
                status = HTTP_STATUS[error.status]
                payload = {"error": {"code": status, "message": str(error),
                                     "status": error.status}}
        return Response(json.dumps(payload), status=status,
                        content_type="application/json")(environ, start_response)

    def _route(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        for method, pattern, handler in _ROUTES:
            match = pattern.fullmatch(request.path)
            if match and request.method == method:
                return getattr(self, handler)(request.args, body, **match.groupdict())
        raise WireError("NOT_FOUND", f"no method {request.method} {request.path}")

    def _annotate(self, args: Any, body: dict[str, Any]) -> dict[str, Any]:
        requests = body.get("requests") or []
        for one in requests:
            if not one.get("features"):
                raise WireError("INVALID_ARGUMENT", "No feature specified.")
            try:
                base64.b64decode(one["image"]["content"], validate=True)
            except (KeyError, TypeError, binascii.Error) as error:
                raise WireError("INVALID_ARGUMENT", "image.content must be base64") from error
        return {"responses": [self.annotation for _ in requests]}

    def _create_product(self, args: Any, body: dict[str, Any], parent: str) -> dict[str, Any]:
        if not body.get("displayName") or body.get("productCategory") not in CATEGORIES:
            raise WireError("INVALID_ARGUMENT", "displayName and a productCategory are required")
        return self._create(self.products, f"{parent}/products/{args['productId']}", body)

    def _create_product_set(self, args: Any, body: dict[str, Any],
                            parent: str) -> dict[str, Any]:
        if not body.get("displayName"):
            raise WireError("INVALID_ARGUMENT", "displayName is required")
        return self._create(self.product_sets, f"{parent}/productSets/{args['productSetId']}",
                            body)

    def _add_product(self, args: Any, body: dict[str, Any], name: str) -> dict[str, Any]:
        if name not in self.product_sets or body.get("product") not in self.products:
            raise WireError("NOT_FOUND", "The product or the product set does not exist.")
        self.members.add((name, body["product"]))
        return {}

    def _create_reference_image(self, args: Any, body: dict[str, Any],
                                parent: str) -> dict[str, Any]:
        if not str(body.get("uri", "")).startswith("gs://"):
            raise WireError("INVALID_ARGUMENT", "The URI must start with gs://.")
        if parent not in self.products:
            raise WireError("INVALID_ARGUMENT", "The product does not exist.")
        name = f"{parent}/referenceImages/{args['referenceImageId']}"
        return self._create(self.reference_images, name, body)

    def _delete_reference_image(self, args: Any, body: dict[str, Any],
                                name: str) -> dict[str, Any]:
        if self.reference_images.pop(name, None) is None:
            raise WireError("NOT_FOUND", "The reference image does not exist.")
        return {}

    @staticmethod
    def _create(store: dict[str, dict[str, Any]], name: str,
                body: dict[str, Any]) -> dict[str, Any]:
        if name in store:
            raise WireError("ALREADY_EXISTS", f"{name} already exists")
        store[name] = {**body, "name": name}
        return store[name]


def feature_types(call: Call) -> list[dict[str, Any]]:
    """The features of the first image of an images:annotate call, enum numbers as names."""
    return [{**feature, "type": FEATURE_TYPES.get(feature["type"], feature["type"])}
            for feature in call.body["requests"][0]["features"]]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Log nothing."""


@contextmanager
def serve_vision() -> Iterator[VisionWire]:
    """A VisionWire on a free 127.0.0.1 port for the duration of the block."""
    wire = VisionWire()
    port = free_port()
    server = make_server(HOST, port, wire.app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    wire.url = f"http://{HOST}:{port}"
    try:
        yield wire
    finally:
        server.shutdown()
        thread.join(timeout=5)
