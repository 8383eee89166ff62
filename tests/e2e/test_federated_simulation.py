"""A simulated population of devices trains the ranking model through the HTTP API.

200 signed-in customers, each one device of the reference client holding a seeded synthetic
history over this test's own products (device_client/population.py), run 10 rounds: fetch
the model, train locally, POST the clipped update; the scheduled aggregation publishes the
next version each round. The federated model then ranks each device's held-out item better
than popularity does. Full-size numbers are in bench/fl_quality.py.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import requests

from device_client import evaluation
from device_client.client import DeviceClient
from device_client.model import ModelCache
from device_client.population import Population, PopulationSpec, generate, popularity_counts
from tests.conftest import unique_email
from tests.e2e.catalog import list_product
from tests.e2e.client import PASSWORD, Api, User

DEVICES = 200
PRODUCTS = 100
ROUNDS = 10
SPEC = PopulationSpec(users=DEVICES, items=PRODUCTS, segments=5, mean_extra=8.0, seed=3)
def _signed_in_customer(api: Api) -> User:
    """A customer created with the use case (verified), signed in over HTTP: fast."""
    from common import bootstrap
    from common.domain.identity import Role
    from common.services.registration import NewAccount, register

    email = unique_email("device")
    account = register(NewAccount("Test device", email, PASSWORD, Role.CUSTOMER),
                       bootstrap.unit_of_work, bootstrap.identity(), email_verified=True)
    return api.login(User(account.id, email, PASSWORD))


def _devices(api: Api, population: Population, products: list[str]) -> list[DeviceClient]:
    """One device per customer, holding its synthetic training history as product ids."""
    shared = ModelCache()  # the CDN edge: one download per immutable model object
    with ThreadPoolExecutor(max_workers=8) as pool:
        users = list(pool.map(lambda _: _signed_in_customer(Api(api.base_url, api.mail)),
                              range(population.users)))
    devices = []
    for user, history in zip(users, population.train, strict=True):
        device = DeviceClient(api.base_url, user.id_token or "", requests.Session(), shared)
        device.record([products[item] for item in history])
        devices.append(device)
    return devices


def _current_version(api: Api, device: DeviceClient) -> int:
    answer = api.get("/v1/fl/model", headers={"Authorization": f"Bearer {device.id_token}"})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["version"])


def _aggregate(stack, api: Api, device: DeviceClient) -> int:  # noqa: ANN001
    """Run the scheduled aggregation now; the version then current."""
    assert stack.services["scheduler"].trigger("aggregate_fl_round").last_status == 200
    return _current_version(api, device)


def _cover_products(stack, api: Api, devices: list[DeviceClient],  # noqa: ANN001
                    products: list[str]) -> None:
    """Make the current model hold this test's products: a model the shared session
    published earlier predates them, and the next version picks them up. Devices have
    nothing to train on yet, so every device sends a zero update of full weight (the
    round's noise, z·C/Σw with Σw = 200, stays small)."""
    version = _aggregate(stack, api, devices[0])  # publishes version 1 when none exists
    model = devices[0].refresh_model()
    if set(products) <= set(model.item_ids):
        return
    from common import bootstrap

    zero = np.zeros(model.item_factors.shape).tolist()
    full_weight = bootstrap.settings().fl_max_weight
    for device in devices:
        answer = device.http.post(api.base_url + "/v1/fl/updates", headers={
            "Authorization": f"Bearer {device.id_token}"},
            json={"model_version": version, "update": zero, "num_examples": full_weight})
        assert answer.status_code == 202, answer.text
    assert _aggregate(stack, api, devices[0]) == version + 1
    assert set(products) <= set(devices[0].refresh_model().item_ids)


def _train_round(devices: list[DeviceClient]) -> list[int]:
    """Every device trains and sends its update; the status codes."""
    def one(device: DeviceClient) -> int:
        answer = device.train_and_send()
        return 0 if answer is None else answer.status_code
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, devices))


def _federated_quality(devices: list[DeviceClient], population: Population,
                       products: list[str]) -> evaluation.Quality:
    """Each device ranks this test's products with its own factor against the final model."""
    final = devices[0].refresh_model()
    factors = final.item_factors[[final.item_ids.index(p) for p in products]]

    def scores_of(user: int) -> np.ndarray:
        devices[user].refresh_model()  # folds its user factor in against the new version
        assert devices[user].user_factor is not None
        return factors @ devices[user].user_factor
    return evaluation.score_all(scores_of, population.train, population.held_out)


def test_two_hundred_devices_train_a_model_that_beats_popularity(stack, api, verified_vendor):
    # Given this test's products, 200 signed-in devices holding seeded synthetic histories
    # over them, and a current model that covers the products
    products = [list_product(api, verified_vendor, name=f"Simulated item {i}")["id"]
                for i in range(PRODUCTS)]
    population = generate(SPEC)
    devices = _devices(api, population, products)
    _cover_products(stack, api, devices, products)
    start = _current_version(api, devices[0])
    # When they train for 10 rounds through the API, the server aggregating each round
    for round_number in range(1, ROUNDS + 1):
        statuses = _train_round(devices)
        assert statuses == [202] * DEVICES, sorted(set(statuses))
        assert _aggregate(stack, api, devices[0]) == start + round_number
    # Then the federated model's hit@10 on the held-out items beats popularity's
    counts = popularity_counts(population).astype(np.float64)
    popular = evaluation.score_all(lambda user: counts, population.train, population.held_out)
    federated = _federated_quality(devices, population, products)
    print(f"hit@10 federated {federated.hit:.3f} vs popularity {popular.hit:.3f}; "
          f"NDCG@10 {federated.ndcg:.3f} vs {popular.ndcg:.3f}")
    assert federated.hit > popular.hit
