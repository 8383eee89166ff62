"""The OpenAPI document says what the server answers and enforces (the fuzz run in
tests/contract holds the server to it; these are the cheap, exact checks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.api.openapi import document
from common.api.operations import OPERATIONS
from common.http import _IDEMPOTENCY_KEY
from common.http_caller import DEVICE_ID
from common.http_inputs import IDEMPOTENCY_KEY_PATTERN

ROOT = Path(__file__).resolve().parents[2]
CHECKS_DEVICE, NOTES_DEVICE = re.compile(r"\bdevice_id\("), re.compile(r"\brequest_origin\(")
ANONYMIZER_OPS = {"record_interactions", "record_analytics_events"}  # edge_workers/anonymizer

BODIES = [op for op in OPERATIONS.values() if op.request is not None or op.upload]


def _doc(op) -> dict:  # noqa: ANN001
    return document()["paths"][op.path][op.method.lower()]


@pytest.mark.parametrize("op", BODIES, ids=lambda op: op.function)
def test_an_operation_with_a_body_documents_413_and_415(op):
    assert {"413", "415"} <= set(_doc(op)["responses"])


@pytest.mark.parametrize("op", [op for op in OPERATIONS.values() if op.path_pattern.groupindex],
                         ids=lambda op: op.function)
def test_ids_in_paths_are_uuids_and_an_unknown_one_is_a_documented_404(op):
    doc = _doc(op)
    path_params = [p for p in doc["parameters"] if p["in"] == "path"]
    assert all(p["schema"] == {"type": "string", "format": "uuid"} for p in path_params)
    assert "404" in doc["responses"]


def test_the_idempotency_key_is_documented_as_it_is_checked():
    header = next(p for p in _doc(OPERATIONS["register_customer"])["parameters"]
                  if p["name"] == "Idempotency-Key")
    assert header["schema"]["pattern"] == IDEMPOTENCY_KEY_PATTERN
    for key in ["a" * 7, "a" * 8, "a" * 255, "a" * 256, "with space", "tab\tkey!!", "é" * 8]:
        assert bool(_IDEMPOTENCY_KEY.match(key)) == bool(
            re.match(IDEMPOTENCY_KEY_PATTERN, key)), key


def test_query_parameters_are_never_null():
    for op in OPERATIONS.values():
        for param in _doc(op)["parameters"]:
            assert "anyOf" not in param["schema"], (op.function, param["name"])


def test_optional_fields_of_an_edit_are_not_nullable():
    schemas = document()["components"]["schemas"]
    for name, field in [("UpdateVendorProfile", "payment_methods"), ("UpdateProduct", "name"),
                        ("UpdateProduct", "price"), ("UpdateProduct", "stock")]:
        assert "anyOf" not in schemas[name]["properties"][field], (name, field)


def _device_header_of(function: str) -> str | None:
    """How the operation's door reads X-Device-Id: checked, only as a hint, or not at all."""
    door = ROOT / "functions" / function / "main.py"
    if function in ANONYMIZER_OPS:
        door = ROOT / "edge_workers" / "anonymizer" / "main.py"
    source = door.read_text()
    if CHECKS_DEVICE.search(source):
        return "checked"
    return "hint" if NOTES_DEVICE.search(source) else None


@pytest.mark.parametrize("op", OPERATIONS.values(), ids=lambda op: op.function)
def test_an_operation_documents_x_device_id_as_its_door_reads_it(op):
    headers = {p["name"]: p for p in _doc(op)["parameters"] if p["in"] == "header"}
    read = _device_header_of(op.function)

    assert op.device_header == read
    assert ("X-Device-Id" in headers) == (read is not None)
    if read is not None:
        assert headers["X-Device-Id"]["required"] is False
        assert headers["X-Device-Id"]["schema"].get("pattern") == (
            DEVICE_ID.pattern if read == "checked" else None)
