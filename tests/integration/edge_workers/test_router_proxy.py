"""The dev router forwards each edge worker's `routes` to its process, as the balancer's URL
map forwards them to the nearest region's Cloud Run service."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client

from devstack.edge_workers import EdgeWorker
from devstack.ports import free_port
from devstack.router import Router


@pytest.fixture(scope="module")
def router(sample_worker: EdgeWorker) -> Client:
    """The router with the anonymizer's routes (services.yaml) sent to the sample service."""
    return Client(Router(edge_urls={"ANONYMIZER_URL": sample_worker.url}))


def test_a_service_route_reaches_the_service_with_its_request_and_answers_with_its_response(
        router: Client):
    # Given a client behind the balancer: its own X-Forwarded-For, a device id, a body
    body = json.dumps({"events": [{"type": "view"}]})

    # When it posts to a route of the anonymizer
    response = router.post("/v1/interactions?batch=7", data=body,
                           headers={"Content-Type": "application/json",
                                    "X-Device-Id": "device-1",
                                    "X-Forwarded-For": "203.0.113.9"},
                           environ_base={"REMOTE_ADDR": "198.51.100.4"})

    # Then the service's status, headers and body come back as it sent them
    assert response.status_code == 201
    assert response.headers["X-Sample-Service"] == "echo"
    seen = response.get_json()
    assert (seen["method"], seen["path"], seen["query"], seen["body"]) == (
        "POST", "/v1/interactions", "batch=7", body)
    # And the service saw the client's headers, the addresses appended as the balancer does
    assert seen["headers"]["X-Device-Id"] == "device-1"
    assert seen["headers"]["Content-Type"] == "application/json"
    assert seen["headers"]["X-Forwarded-For"] == "203.0.113.9, 198.51.100.4, localhost"
    assert seen["headers"]["X-Forwarded-Proto"] == "http"


def test_a_function_route_is_still_served_by_its_function(router: Client):
    # When a client asks for a route no edge worker declares
    response = router.get("/v1/no-such-route")

    # Then the functions' router answers it (here: its 404 problem), not the service
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "X-Sample-Service" not in response.headers


def test_a_service_that_does_not_answer_gives_a_503_problem():
    # Given the anonymizer's URL where nothing listens
    router = Client(Router(edge_urls={"ANONYMIZER_URL": f"http://127.0.0.1:{free_port()}"}))

    # When a client posts to one of its routes
    response = router.post("/v1/analytics/events", json={"events": []})

    # Then a retryable 503 in the problem format
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["code"] == "service_unavailable"
    assert response.headers["Retry-After"] == "5"
