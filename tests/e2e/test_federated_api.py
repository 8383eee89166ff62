"""Federated learning over HTTP: the model and its downloadable immutable object, device
updates accepted or refused the way the contract says, and the scheduled aggregation
publishing the next version."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import requests

from tests.conftest import unique_email
from tests.e2e.catalog import list_product
from tests.e2e.client import PASSWORD, Api, User


def signed_in_customer(api: Api) -> User:
    """A verified customer made with the use case, signed in over HTTP (no mail round trip)."""
    from common import bootstrap
    from common.domain.identity import Role
    from common.services.registration import NewAccount, register

    email = unique_email("fl")
    account = register(NewAccount("Test device", email, PASSWORD, Role.CUSTOMER),
                       bootstrap.unit_of_work, bootstrap.identity(), email_verified=True)
    return Api(api.base_url, api.mail).login(User(account.id, email, PASSWORD))


def aggregate(stack) -> None:  # noqa: ANN001
    assert stack.services["scheduler"].trigger("aggregate_fl_round").last_status == 200


@pytest.fixture
def model(stack, api, verified_vendor) -> dict:
    """The current model as GET /v1/fl/model answers it (version 1 published if none was)."""
    list_product(api, verified_vendor)
    aggregate(stack)
    answer = api.get("/v1/fl/model", headers=signed_in_customer(api).auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


def send(api: Api, user: User, version: int, update, num_examples: int = 5):  # noqa: ANN001
    return api.post("/v1/fl/updates", headers=user.auth, json={
        "model_version": version, "update": update, "num_examples": num_examples})


def test_the_model_needs_a_signed_in_caller(api):
    assert api.get("/v1/fl/model").status_code == 401
    answer = api.post("/v1/fl/updates", json={"model_version": 1, "update": [[0.0]],
                                              "num_examples": 1})
    assert answer.status_code == 401


def test_the_model_url_serves_the_immutable_object_of_that_version(model):
    # Given the current model's answer
    assert set(model) == {"version", "url", "dim", "items", "hyper"}

    # When its URL is downloaded (as a device does, no credentials)
    answer = requests.get(model["url"], timeout=30)

    # Then it is that version, of the announced shape, cacheable forever
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    document = answer.json()
    assert document["version"] == model["version"]
    assert len(document["item_ids"]) == model["items"]
    assert np.asarray(document["item_factors"]).shape == (model["items"], model["dim"])
    assert document["hyper"] == model["hyper"]


def test_an_update_for_another_version_is_stale(api, model):
    user = signed_in_customer(api)
    zero = np.zeros((model["items"], model["dim"])).tolist()

    answer = send(api, user, model["version"] + 1, zero)

    assert answer.status_code == 409
    assert answer.json()["code"] == "stale_model_version"
    assert answer.json()["current_version"] == model["version"]


@pytest.mark.parametrize("case", ["wrong-shape", "beyond-clip", "overflow-to-inf"])
def test_a_malformed_update_is_refused(api, model, case):
    # Given an update that does not fit the model
    user = signed_in_customer(api)
    update = np.zeros((model["items"], model["dim"]))
    if case == "wrong-shape":
        update = np.zeros((model["items"], model["dim"] + 1))
    elif case == "beyond-clip":
        update[0, 0] = model["hyper"]["clip_norm"] * 2
    body = json.dumps({"model_version": model["version"], "update": update.tolist(),
                       "num_examples": 5})
    if case == "overflow-to-inf":
        body = body.replace("0.0", "1e400", 1)  # valid JSON that parses to infinity

    # When it is sent, Then 422 says why
    answer = api.post("/v1/fl/updates", data=body,
                      headers={**user.auth, "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_model_update"


@pytest.mark.parametrize("body", [
    {"model_version": 1, "update": [[0.0]]},
    {"model_version": 1, "update": [[0.0]], "num_examples": 0},
    {"model_version": 1, "update": [["a"]], "num_examples": 1},
    {"model_version": "1", "update": [[0.0]], "num_examples": 1},
], ids=["no-num-examples", "zero-examples", "not-numbers", "version-as-string"])
def test_a_body_outside_the_contract_is_refused(api, body):
    answer = api.post("/v1/fl/updates", headers=signed_in_customer(api).auth, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_request"


def test_updates_are_accepted_once_per_device_and_the_round_publishes_the_next_version(
        stack, api, model):
    # Given as many devices as a round needs, each with a small update of the model's shape
    from common import bootstrap

    needed = bootstrap.settings().fl_min_updates
    with ThreadPoolExecutor(max_workers=4) as pool:
        devices = list(pool.map(lambda _: signed_in_customer(api), range(needed)))
    update = np.full((model["items"], model["dim"]), 0.001).tolist()

    # When each sends its update, and the first sends a second one
    answers = [send(api, device, model["version"], update) for device in devices]
    again = send(api, devices[0], model["version"], update)

    # Then each is accepted once
    assert [a.status_code for a in answers] == [202] * needed
    assert answers[0].json() == {"model_version": model["version"], "status": "accepted"}
    assert again.status_code == 409
    assert again.json()["code"] == "update_already_received"

    # And when the scheduled aggregation runs, the next version is current and downloadable
    aggregate(stack)
    answer = api.get("/v1/fl/model", headers=devices[0].auth)
    assert answer.json()["version"] == model["version"] + 1
    assert requests.get(answer.json()["url"], timeout=30).json()["version"] == (
        model["version"] + 1)
    # And updates for the old version are now stale
    late = send(api, devices[0], model["version"], update)
    assert late.status_code == 409
    assert late.json()["code"] == "stale_model_version"
