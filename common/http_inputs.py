"""Reading a request's input: JSON bodies, query strings and multipart files, each
validated against the operation's pydantic model; refusals are problems of
common/domain/errors.py.

Bodies are bounded while they are read, not after: werkzeug stops reading past
`max_content_length` whether the client sent a Content-Length or a chunked body.
"""

from __future__ import annotations

from typing import Any

import flask
from pydantic import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from common.api.operations import Operation
from common.domain.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType

MAX_BODY_BYTES = 64 * 1024
# 8-255 visible ASCII characters (common/http.py checks it; the OpenAPI document says it).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{8,255}$"


def body_limit(op: Operation) -> int:
    """The most bytes a JSON body of the operation may have."""
    return op.max_body_bytes or MAX_BODY_BYTES


def parse_body(op: Operation, request: flask.Request) -> Any:
    if op.request is None:
        return None
    limit = body_limit(op)
    too_large = _too_large(f"Request bodies are limited to {limit} bytes.")
    if (request.content_length or 0) > limit:
        raise too_large
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    # One byte past the limit tells "too large" from "exactly the limit" on a chunked body;
    # the body stays cached for whoever reads it next (the idempotency digest).
    request.max_content_length = limit + 1
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise too_large from None
    if len(raw) > limit:
        raise too_large
    try:
        return op.request.model_validate_json(raw)
    except ValidationError as error:
        raise _invalid(error) from None


def parse_upload(op: Operation, request: flask.Request) -> bytes:
    """The bytes of the multipart file field `op.upload`, at most `op.max_upload_bytes`."""
    field = op.upload or "file"
    limit = op.max_upload_bytes + MAX_BODY_BYTES  # the file plus the multipart framing
    too_large = _too_large(f"Files are limited to {op.max_upload_bytes} bytes.")
    if (request.content_length or 0) > limit:
        raise too_large
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(
            f"Send multipart/form-data with the file in the field `{field}`.")
    request.max_content_length = limit
    request.max_form_memory_size = MAX_BODY_BYTES  # each field that is not a file
    try:
        file = request.files.get(field)
    except RequestEntityTooLarge:
        raise too_large from None
    if file is None:
        raise InvalidRequest.at(field, "attach the file here")
    data = file.read(op.max_upload_bytes + 1)
    if len(data) > op.max_upload_bytes:
        raise too_large
    return data


def parse_query(op: Operation, request: flask.Request) -> Any:
    if op.query is None:
        return None
    values = {key: request.args.getlist(key) for key in request.args}
    repeated = [key for key, items in values.items() if len(items) > 1]
    if repeated:
        raise InvalidRequest(errors=[{"field": key, "message": "give it once"}
                                     for key in repeated])
    try:
        return op.query.model_validate({key: items[0] for key, items in values.items()})
    except ValidationError as error:
        raise _invalid(error) from None


def _too_large(detail: str) -> PayloadTooLarge:
    return PayloadTooLarge(detail)


def _invalid(error: ValidationError) -> InvalidRequest:
    errors = [
        {"field": ".".join(str(part) for part in item["loc"]) or "body",
         "message": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]
    return InvalidRequest(errors=errors)
