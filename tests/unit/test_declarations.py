"""The manifest, the operations, the event topics and the OpenAPI document agree."""

from __future__ import annotations

import dataclasses

import pytest

from common.api.openapi import document
from common.api.operations import OPERATIONS
from common.domain.events import EVENT_TYPES, TOPIC_OF
from devstack import manifest
from tests.conftest import ROOT


def edge_worker_routes() -> set[tuple[str, str]]:
    """The public routes the edge workers serve (edge_workers/services.yaml)."""
    return {(r.method, r.path) for service in manifest.edge_services().values()
            for r in service.routes}


def test_every_operation_is_a_manifest_route_of_its_function_or_an_edge_worker_route():
    functions, edge = manifest.functions(), edge_worker_routes()
    for op in OPERATIONS.values():
        if (op.method, op.path) in edge:
            assert op.function not in functions, op.function  # served once, at the edge
            continue
        routes = {(r.method, r.path) for r in functions[op.function].routes}
        assert (op.method, op.path) in routes, op.function


def test_every_edge_worker_route_has_an_operation():
    documented = {(op.method, op.path) for op in OPERATIONS.values()}
    assert edge_worker_routes() == {("POST", "/v1/interactions"),
                                    ("POST", "/v1/analytics/events")}
    assert edge_worker_routes() <= documented


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


def test_every_subscription_feeds_a_pubsub_function_or_an_edge_service():
    functions = manifest.functions()
    for name, subscription in manifest.events()["subscriptions"].items():
        assert ("function" in subscription) != ("service" in subscription), name
        if "service" in subscription:
            assert subscription["service"] in manifest.edge_services(), name
            assert "via" not in subscription, name
        else:
            assert functions[subscription["function"]].trigger == "pubsub", name
        assert subscription["topic"] in manifest.events()["topics"], name


def test_every_edge_service_has_its_folder_and_no_function_shares_its_routes():
    function_routes = {(r.method, r.path) for f in manifest.functions().values()
                       for r in f.routes}
    for name, service in manifest.edge_services().items():
        folder = ROOT / "edge_workers" / name
        assert (folder / "Dockerfile").is_file() and (folder / "README.md").is_file(), name
        assert service.module_source.parent == folder, name
        assert service.requirements.parent == folder, name
        assert not {(r.method, r.path) for r in service.routes} & function_routes, name
        dockerfile = (folder / "Dockerfile").read_text()
        assert f"COPY edge_workers/{name}/requirements.txt " in dockerfile, name
        assert f"'{service.app}()'" in dockerfile and "--workers 1 --threads 8" in dockerfile, name


def _consumer(subscription: dict) -> str:
    """A subscription's consumer as the events table names it: a function, or
    `edge_workers/<service>`."""
    if "service" in subscription:
        return f"edge_workers/{subscription['service']}"
    return subscription["function"]


def test_an_unknown_event_type_is_a_malformed_message():
    import base64
    import json

    from common.events import decode

    body = {"id": "e", "type": "user.teleported", "occurred_at": "2026-12-01T00:00:00+00:00",
            "payload": {}}
    with pytest.raises(ValueError):
        decode({"message": {"data": base64.b64encode(json.dumps(body).encode())}})


def _event_table() -> list[list[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Events\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split("|") for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| event ")]
    return [[cell.strip() for cell in row] for row in rows]


def test_the_event_table_of_the_architecture_doc_is_the_code():
    rows = {row[0]: row for row in _event_table()}
    assert set(rows) == set(EVENT_TYPES)
    consumers: dict[str, set[str]] = {}
    for subscription in manifest.events()["subscriptions"].values():
        for event_type in EVENT_TYPES:
            if f'"{event_type}"' in subscription.get("filter", ""):
                consumers.setdefault(event_type, set()).add(_consumer(subscription))
    for event_type, cls in EVENT_TYPES.items():
        _, name, topic, payload, _, consumed_by = rows[event_type]
        assert (name, topic) == (cls.__name__, cls.topic), event_type
        fields = [f.name for f in dataclasses.fields(cls) if f.name not in ("id", "occurred_at")]
        assert payload.split(", ") == fields, event_type
        services = {f"edge_workers/{name}" for name in manifest.edge_services()}
        named = {word for word in consumed_by.replace("(", " ").split() if word in
                 manifest.functions() or word in services}
        assert named == consumers.get(event_type, set()), event_type


def test_events_round_trip_through_their_wire_form():
    from datetime import datetime, timezone

    from common.domain.events import Price, ProductListed

    listed = ProductListed(product_id="p", vendor_id="v", category_id="c", subcategory_id="s",
                           price=Price(1999, "EUR"),
                           occurred_at=datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert listed.payload()["price"] == {"amount": 1999, "currency": "EUR"}
    assert ProductListed.from_message(listed.id, listed.occurred_at, listed.payload()) == listed


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


def _problem_classes() -> list[type]:
    from common.domain import errors

    found, todo = [], [errors.Problem]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls not in (errors.Problem, errors.DomainError)]


def test_every_problem_has_its_own_code_and_a_message():
    codes = [cls.code for cls in _problem_classes()]
    assert len(codes) == len(set(codes)), sorted(codes)
    for cls in _problem_classes():
        assert 400 <= cls.status <= 599 and cls.title and cls.message, cls.__name__


def test_every_code_the_document_names_is_a_problem_class():
    doc = document()
    named = {code.strip() for path in doc["paths"].values() for op in path.values()
             for status, answer in op["responses"].items() if status >= "400"
             for code in answer["description"].removeprefix("code: ").split(",")}
    assert named <= {cls.code for cls in _problem_classes()}
