"""Reading a request's input: JSON bodies, query strings and multipart files, each
validated against the operation's pydantic model; refusals are `Problem`s."""

from __future__ import annotations

from typing import Any

import flask
from pydantic import ValidationError

from common.api.operations import Operation

MAX_BODY_BYTES = 64 * 1024


class Problem(Exception):
    """A request-level refusal that has no domain error of its own."""

    def __init__(self, status: int, code: str, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail, self.extra = (
            status, code, title, detail, extra)


def parse_body(op: Operation, request: flask.Request) -> Any:
    if op.request is None:
        return None
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise Problem(413, "payload_too_large", "Payload too large",
                      f"Request bodies are limited to {MAX_BODY_BYTES} bytes.")
    if request.mimetype != "application/json":
        raise Problem(415, "unsupported_media_type", "Unsupported media type",
                      "Send the body as application/json.")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise Problem(413, "payload_too_large", "Payload too large",
                      f"Request bodies are limited to {MAX_BODY_BYTES} bytes.")
    try:
        return op.request.model_validate_json(raw)
    except ValidationError as error:
        raise _invalid(error) from None


def parse_upload(op: Operation, request: flask.Request) -> bytes:
    """The bytes of the multipart file field `op.upload`, at most `op.max_upload_bytes`."""
    limit = op.max_upload_bytes + MAX_BODY_BYTES  # the file plus the multipart framing
    if request.content_length is None:
        raise Problem(411, "length_required", "Length required", "Send a Content-Length.")
    if request.content_length > limit:
        raise Problem(413, "payload_too_large", "Payload too large",
                      f"Files are limited to {op.max_upload_bytes} bytes.")
    if request.mimetype != "multipart/form-data":
        raise Problem(415, "unsupported_media_type", "Unsupported media type",
                      f"Send multipart/form-data with the file in the field `{op.upload}`.")
    request.max_content_length = limit
    file = request.files.get(op.upload)
    if file is None:
        raise Problem(422, "invalid_request", "Invalid request", "The request is not valid.",
                      errors=[{"field": op.upload, "message": "attach the file here"}])
    data = file.read(op.max_upload_bytes + 1)
    if len(data) > op.max_upload_bytes:
        raise Problem(413, "payload_too_large", "Payload too large",
                      f"Files are limited to {op.max_upload_bytes} bytes.")
    return data


def parse_query(op: Operation, request: flask.Request) -> Any:
    if op.query is None:
        return None
    values = {key: request.args.getlist(key) for key in request.args}
    repeated = [key for key, items in values.items() if len(items) > 1]
    if repeated:
        raise Problem(422, "invalid_request", "Invalid request", "The request is not valid.",
                      errors=[{"field": key, "message": "give it once"} for key in repeated])
    try:
        return op.query.model_validate({key: items[0] for key, items in values.items()})
    except ValidationError as error:
        raise _invalid(error) from None


def _invalid(error: ValidationError) -> Problem:
    errors = [
        {"field": ".".join(str(part) for part in item["loc"]) or "body",
         "message": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]
    return Problem(422, "invalid_request", "Invalid request", "The request is not valid.",
                   errors=errors)
