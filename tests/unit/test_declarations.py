"""The manifest, the operations, the event topics and the OpenAPI document agree."""

from __future__ import annotations

import pytest

from common.api.openapi import document
from common.api.operations import OPERATIONS
from common.domain.events import TOPIC_OF, Event
from devstack import manifest


def test_every_operation_is_a_manifest_route_of_its_function():
    functions = manifest.functions()
    for op in OPERATIONS.values():
        routes = {(r.method, r.path) for r in functions[op.function].routes}
        assert (op.method, op.path) in routes, op.function


def test_every_public_route_has_an_operation_except_the_docs():
    for function in manifest.functions().values():
        if function.trigger == "http" and function.name != "api_docs":
            assert function.name in OPERATIONS, function.name
        if function.trigger != "http":
            assert not function.routes, function.name


def test_every_function_has_its_main_module():
    for function in manifest.functions().values():
        assert function.source.is_file(), function.name


def test_every_event_type_is_declared_on_its_topic():
    topics = manifest.events()["topics"]
    for event_type, topic in TOPIC_OF.items():
        assert event_type in topics[topic]["events"], event_type


def test_every_subscription_feeds_a_pubsub_function():
    functions = manifest.functions()
    for name, subscription in manifest.events()["subscriptions"].items():
        assert functions[subscription["function"]].trigger == "pubsub", name
        assert subscription["topic"] in manifest.events()["topics"], name


def test_unknown_event_types_are_refused():
    with pytest.raises(ValueError):
        Event("user.teleported", {})


def test_openapi_is_3_1_and_lists_every_operation():
    from openapi_spec_validator import validate

    doc = document()
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    operation_ids = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert operation_ids == set(OPERATIONS)
    create = doc["paths"]["/v1/customers"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/RegisterCustomer")
    assert "409" in create["responses"] and "422" in create["responses"]
