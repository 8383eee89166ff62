"""The OpenAPI 3.1 document, built from the same operations and models the functions use."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from common.api.interaction_schemas import DEVICE_ID_PATTERN
from common.api.operations import OPERATIONS, Operation
from common.domain import errors as e
from common.http_inputs import IDEMPOTENCY_KEY_PATTERN, body_limit

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "code": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


def _models() -> list:
    models: set[type[BaseModel]] = set()
    for op in OPERATIONS.values():
        models.update(m for m in (op.request, op.response) if m is not None)
    return sorted(models, key=lambda m: m.__name__)


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description,
            "content": {"application/problem+json": {"schema": schema}}}


def _responses(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {str(op.status): {"description": "Success"}}
    if op.response is not None:
        responses[str(op.status)]["content"] = {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{op.response.__name__}"}}}
    by_status: dict[int, list[str]] = {}
    for problem in _problems(op):
        by_status.setdefault(problem.status, []).append(problem.code)
    if op.cache_s is not None:
        responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
        responses[str(op.status)]["headers"] = {
            "ETag": {"schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}}}
    for status, codes in sorted(by_status.items()):
        responses[str(status)] = _problem("code: " + ", ".join(dict.fromkeys(codes)))
    return responses


def _problems(op: Operation) -> list[type[e.Problem]]:
    """Every problem the door and the use case may answer this operation with."""
    problems: list[type[e.Problem]] = list(op.errors)
    if op.request is not None or op.query is not None or op.upload:
        problems.append(e.InvalidRequest)
    if op.request is not None or op.upload:
        problems += [e.PayloadTooLarge, e.UnsupportedMediaType]
    if op.path_pattern.groupindex:
        problems.append(e.NotFound)
    if op.idempotency != "none" and op.method == "POST":
        problems += [e.IdempotencyInProgress, e.InvalidRequest, e.IdempotencyKeyReused]
        if op.idempotency in ("required", "required_by_use_case"):
            problems.append(e.IdempotencyKeyRequired)
    if op.roles is not None:
        problems += [e.Unauthenticated, e.Forbidden, e.AccountBlocked]
    return [*problems, e.ServiceUnavailable]


def _parameters(op: Operation) -> list[dict[str, Any]]:
    # Ids are UUIDs: anything else is 404 before any lookup.
    params = [{"name": name, "in": "path", "required": True,
               "schema": {"type": "string", "format": "uuid"}}
              for name in op.path_pattern.groupindex]
    if op.query is not None:
        schema = op.query.model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query",
                           "required": name in schema.get("required", []),
                           "schema": _sendable(prop)})
    if op.idempotency != "none" and op.method == "POST":
        params.append({"name": "Idempotency-Key", "in": "header",
                       "required": op.idempotency in ("required", "required_by_use_case"),
                       "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN}})
    if op.device_header == "checked":
        params.append({"name": "X-Device-Id", "in": "header", "required": False,
                       "description": "The client's stable device id; a body `device_id` "
                                      "must agree with it",
                       "schema": {"type": "string", "pattern": DEVICE_ID_PATTERN}})
    elif op.device_header == "hint":
        params.append({"name": "X-Device-Id", "in": "header", "required": False,
                       "description": "The client's stable device id, for fraud screening "
                                      f"only: one that does not match {DEVICE_ID_PATTERN} "
                                      "is ignored",
                       "schema": {"type": "string"}})
    return params


def _sendable(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is a value or absent: never null (`X | None = None` in the model)."""
    branches = [branch for branch in prop.get("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1 and len(prop["anyOf"]) == 2:
        outer = {key: value for key, value in prop.items() if key not in ("anyOf", "default")}
        return {**branches[0], **outer}
    return prop


def _operation(op: Operation) -> dict[str, Any]:
    doc: dict[str, Any] = {"operationId": op.function, "summary": op.summary, "tags": [op.tag],
                           "parameters": _parameters(op), "responses": _responses(op)}
    if op.request is not None:
        doc["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{op.request.__name__}"}}}}
    if op.upload:
        doc["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": [op.upload], "properties": {op.upload: {
                "type": "string", "contentMediaType": "application/octet-stream",
                "description": f"JPEG, PNG or WebP, at most {op.max_upload_bytes} bytes"}}}}}}
    if op.request is not None or op.upload:
        doc["description"] = (f"Bodies are limited to {body_limit(op)} bytes"
                              + (f" besides the file ({op.max_upload_bytes} bytes)"
                                 if op.upload else "") + " (413).")
    if op.roles is not None:
        doc["security"] = [{"firebase": []}]
        roles = "Roles: " + ", ".join(sorted(r.value for r in op.roles)) + "."
        doc["description"] = " ".join(filter(None, [roles, doc.get("description")]))
    return doc


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    _, schemas = models_json_schema([(m, "validation") for m in _models()],
                                    ref_template="#/components/schemas/{model}")
    components = {**schemas.get("$defs", {}), "Problem": PROBLEM}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS.values():
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bazaar API", "version": "1",
                 "description": "The public HTTP contract of the Bazaar marketplace."},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {"firebase": {
            "type": "http", "scheme": "bearer", "bearerFormat": "Firebase ID token"}}},
    }
