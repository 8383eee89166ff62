"""SchemaStore's Cloud Workflows schema (vendored) with our local patch, and the check of
workflows/*.yaml against it.

The schema types some properties as a number only, but the service evaluates an expression
there (`timeout: ${t}`): the patch lets each such property also take an expression string.
It transforms the vendored file at check time, so a newer schema dropped in keeps working;
listed paths that moved, and number-typed properties nobody reviewed, come back as notes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterable

import yaml

SCHEMA_FILE = Path(__file__).resolve().parent / "workflow_schema" / "workflows.json"
SCHEMA_ID = "https://json.schemastore.org/workflows.json"
EXPRESSION = {"type": "string", "pattern": r"^\$\{.*\}$",
              "description": "An expression, evaluated by the service when the step runs."}

# Patched: JSON pointer -> why the service takes an expression there.
PATCHED = {
    # Call arguments are evaluated before the call: `timeout: ${t}` (the example).
    "/definitions/args/properties/timeout": "http.* timeout evaluated from an expression",
    "/definitions/args/properties/connector_params/properties/timeout":
        "connector timeout: an argument, evaluated like the others",
    "/definitions/args/properties/connector_params/properties/polling_policy/properties/"
    "initial_delay": "polling policy fields are call arguments too",
    "/definitions/args/properties/connector_params/properties/polling_policy/properties/"
    "multiplier": "polling policy fields are call arguments too",
    "/definitions/args/properties/connector_params/properties/polling_policy/properties/"
    "max_delay": "polling policy fields are call arguments too",
    # The schema's own description: "can be either a literal value or an expression".
    "/definitions/parallel/properties/concurrency_limit": "documented as literal or expression",
    # A custom retry policy is a map like any other: a saga reads its limits from settings.
    "/definitions/retry/oneOf/0/properties/max_retries": "retry limits from an expression",
    "/definitions/retry/oneOf/0/properties/backoff/properties/initial_delay":
        "backoff from an expression",
    "/definitions/retry/oneOf/0/properties/backoff/properties/max_delay":
        "backoff from an expression",
    "/definitions/retry/oneOf/0/properties/backoff/properties/multiplier":
        "backoff from an expression",
    # `raise: {code: ${e.code}, message: ...}` re-raises a caught error's code.
    "/definitions/raise/anyOf/1/properties/code": "a raised map's code from an expression",
}
# Reviewed and kept strict: JSON pointer -> why.
KEPT = {
    # The schema (after Google's `for` reference) says to write range: ${[a, b]}, one
    # expression, not [${a}, ${b}]: its string alternative already takes that form.
    "/definitions/for/properties/range/anyOf/0/items": "one expression for the whole range",
}


def _resolve(schema: dict, pointer: str) -> tuple[Any, str | int] | None:
    """The parent node and key at a JSON pointer, or None where the path does not exist."""
    node: Any = schema
    parts = pointer.strip("/").split("/")
    for part in parts[:-1]:
        key: str | int = int(part) if isinstance(node, list) else part
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    last: str | int = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if isinstance(node, list) and not 0 <= int(last) < len(node):
        return None
    if isinstance(node, dict) and last not in node:
        return None
    return node, last


def _numeric_paths(node: Any, pointer: str = "") -> Iterable[str]:
    if isinstance(node, dict):
        kind = node.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "integer" in kinds or "number" in kinds:
            yield pointer
        for key, value in node.items():
            yield from _numeric_paths(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _numeric_paths(value, f"{pointer}/{index}")


def patched_schema(schema: dict) -> tuple[dict, list[str]]:
    """The schema with an expression allowed at every PATCHED path; and notes on paths
    missing from it or number-typed paths neither patched nor kept."""
    result, notes = copy.deepcopy(schema), []
    unreviewed = set(_numeric_paths(schema)) - set(PATCHED) - set(KEPT)
    notes += [f"number-typed, not reviewed for expressions: {p}" for p in sorted(unreviewed)]
    for pointer in PATCHED:
        found = _resolve(result, pointer)
        if found is None:
            notes.append(f"patched path no longer in the schema: {pointer}")
            continue
        parent, key = found
        original = dict(parent[key])
        description = original.pop("description", None)
        parent[key] = {"anyOf": [original, EXPRESSION]}
        if description:
            parent[key]["description"] = description
    return result, notes


def load_schema() -> tuple[dict, list[str]]:
    """The vendored schema, patched (ValueError if the file is not SchemaStore's)."""
    schema = json.loads(SCHEMA_FILE.read_text())
    if schema.get("$id") != SCHEMA_ID:
        raise ValueError(f"{SCHEMA_FILE}: $id is not {SCHEMA_ID}")
    return patched_schema(schema)


def _deepest(error: Any) -> Any:
    """The most specific failure under an anyOf/oneOf error (the schema nests many)."""
    found = [_deepest(e) for e in error.context or []]
    return max([error, *found], key=lambda e: len(e.absolute_path))


def problems_in(document: Any, schema: dict, label: str) -> list[str]:
    """Every schema violation of one workflow document, one line each (where: message)."""
    from jsonschema import Draft7Validator

    errors = [_deepest(e) for e in Draft7Validator(schema).iter_errors(document)]
    lines = {f"{label}: /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors}
    return sorted(lines)


def validate_files(files: list[Path], root: Path) -> tuple[list[str], list[str]]:
    """(problems, notes) of the files against the patched schema."""
    schema, notes = load_schema()
    problems: list[str] = []
    for path in files:
        label = path.relative_to(root).as_posix()
        try:
            document = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            problems.append(f"{label}: not YAML: {exc}")
            continue
        problems += problems_in(document, schema, label)
    return problems, notes
