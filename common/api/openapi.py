"""The OpenAPI 3.1 document, built from the same operations and models the functions use."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic.json_schema import models_json_schema

from common.api.operations import OPERATIONS, Operation

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
    models = set()
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
    for error in op.errors:
        by_status.setdefault(error.status, []).append(error.code)
    if op.request is not None or op.query is not None or op.upload:
        by_status.setdefault(422, []).append("invalid_request")
    if op.cache_s is not None:
        responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
        responses[str(op.status)]["headers"] = {
            "ETag": {"schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}}}
    if op.roles is not None:
        by_status.setdefault(401, []).append("unauthenticated")
        by_status.setdefault(403, []).extend(["forbidden", "account_blocked"])
    by_status.setdefault(503, []).append("service_unavailable")
    for status, codes in sorted(by_status.items()):
        responses[str(status)] = _problem("code: " + ", ".join(dict.fromkeys(codes)))
    return responses


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in op.path_pattern.groupindex]
    if op.query is not None:
        schema = op.query.model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query",
                           "required": name in schema.get("required", []), "schema": prop})
    if op.idempotency != "none" and op.method == "POST":
        params.append({"name": "Idempotency-Key", "in": "header",
                       "required": op.idempotency == "required", "schema": {"type": "string"}})
    return params


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
    if op.roles is not None:
        doc["security"] = [{"firebase": []}]
        doc["description"] = "Roles: " + ", ".join(sorted(r.value for r in op.roles))
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
