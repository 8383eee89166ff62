"""The reference device client trains on its own items and sends only a clipped item update."""

from __future__ import annotations

import json

import numpy as np
import pytest

from device_client import evaluation
from device_client.client import DeviceClient, update_body
from device_client.model import DeviceModel
from device_client.population import PopulationSpec, generate, popularity_counts
from device_client.training import Hyper, clipped, item_gradient, train_locally, user_factor

HYPER = Hyper(learning_rate=0.1, regularization=0.0, local_epochs=2, clip_norm=100.0,
              confidence=5.0, user_regularization=1.0)
OWN = np.array([1, 4, 7])


def _factors(items: int = 12, dim: int = 4, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 0.3, size=(items, dim))


def test_a_local_step_raises_the_users_predicted_preference_for_its_own_items():
    # Given a model and a device that touched items 1, 4 and 7
    before = _factors()
    user = user_factor(before, OWN, HYPER)
    # When it trains locally (no clipping in the way)
    local = train_locally(before, OWN, HYPER)
    # Then its own items score higher against its user factor, and the others lower
    after = before + local.update
    gain = (after - before) @ user
    others = np.setdiff1d(np.arange(12), OWN)
    assert np.all(gain[OWN] > 0)
    assert gain[OWN].min() > gain[others].max()


def test_the_update_is_a_step_against_the_gradient_of_the_devices_loss():
    # Given one local epoch
    before = _factors()
    one_epoch = Hyper(**{**HYPER.__dict__, "local_epochs": 1})
    # When it trains
    local = train_locally(before, OWN, one_epoch)
    # Then the update is exactly −learning_rate × ∂L/∂V at the solved user factor
    expected = -0.1 * item_gradient(before, user_factor(before, OWN, one_epoch), OWN, one_epoch)
    np.testing.assert_allclose(local.update, expected, rtol=1e-12)


def test_the_update_is_dense_so_it_does_not_show_which_items_were_touched():
    local = train_locally(_factors(), OWN, HYPER)
    assert np.count_nonzero(np.abs(local.update).sum(axis=1)) == 12


@pytest.mark.parametrize("clip_norm", [0.01, 0.5], ids=["tight", "loose"])
def test_the_update_is_clipped_to_the_models_clip_norm(clip_norm):
    # Given a clip norm below the raw change
    hyper = Hyper(**{**HYPER.__dict__, "clip_norm": clip_norm})
    # When the device trains
    local = train_locally(_factors(), OWN, hyper)
    # Then the raw change was longer, and what it sends is exactly at the clip, same direction
    raw = train_locally(_factors(), OWN, HYPER).update
    assert local.norm_before_clip > clip_norm
    assert np.linalg.norm(local.update) == pytest.approx(clip_norm, rel=1e-12)
    np.testing.assert_allclose(local.update, raw * clip_norm / np.linalg.norm(raw), rtol=1e-9)


def test_a_short_update_is_not_scaled_up():
    small = np.full((2, 2), 0.1)
    assert clipped(small, 1.0) is small


def test_what_is_sent_holds_the_version_the_update_and_a_count_never_the_user_factor():
    # Given a local update
    local = train_locally(_factors(), OWN, HYPER)
    # When the device builds its request
    body = update_body(7, local)
    # Then it has exactly these fields; no value of the user factor or the item ids is in it
    assert set(body) == {"model_version", "update", "num_examples"}
    assert body["model_version"] == 7 and body["num_examples"] == 3
    assert np.asarray(body["update"]).shape == (12, 4)
    np.testing.assert_allclose(body["update"], local.update, atol=5e-7)
    wire = json.dumps(body)
    assert all(f"{value:.6f}"[:8] not in wire for value in local.user_factor)


def test_a_device_with_no_interactions_refuses_to_train():
    with pytest.raises(ValueError, match="nothing to train on"):
        train_locally(_factors(), np.array([], dtype=np.int64), HYPER)


def test_the_device_reranks_only_items_that_carry_a_factor_and_keeps_the_others_in_place():
    # Given a device whose user factor is (1, 0)
    device = DeviceClient("http://unused", "token")
    device.user_factor = np.array([1.0, 0.0])
    items = [{"id": "a", "item_factor": [0.1, 0.0]}, {"id": "new", "item_factor": None},
             {"id": "b", "item_factor": [0.9, 0.0]}, {"id": "c", "item_factor": [0.5, 3.0]}]
    # When it re-ranks the feed
    ranked = [item["id"] for item in device.rerank(items)]
    # Then the factor-carrying items are ordered by its own score; "new" keeps slot 1
    assert ranked == ["b", "new", "c", "a"]


def test_the_model_maps_product_ids_to_rows_and_ignores_products_it_lacks():
    model = DeviceModel.of({"version": 2, "dim": 2, "item_ids": ["p", "q", "r"],
                            "item_factors": [[0, 1], [1, 0], [1, 1]], "hyper": {"clip_norm": 3}})
    assert model.rows_of(["r", "x", "p", "r"]).tolist() == [0, 2]
    assert model.hyper.clip_norm == 3 and model.hyper.local_epochs == Hyper().local_epochs


def test_a_model_whose_factors_do_not_match_its_items_is_refused():
    with pytest.raises(ValueError, match="do not match"):
        DeviceModel.of({"version": 1, "dim": 3, "item_ids": ["p"], "item_factors": [[0, 1]]})


def test_the_population_is_seeded_and_holds_out_one_unseen_item_per_user():
    # Given a small population generated twice with one seed
    spec = PopulationSpec(users=50, items=40, segments=4, seed=5)
    first, again = generate(spec), generate(spec)
    # Then it is the same, and each user's held-out item is not among its training items
    assert all(np.array_equal(a, b) for a, b in zip(first.train, again.train, strict=True))
    assert np.array_equal(first.held_out, again.held_out)
    assert all(first.held_out[u] not in first.train[u] for u in range(50))
    assert all(len(items) >= 7 for items in first.train)
    assert popularity_counts(first).sum() == first.interactions()


def test_hit_and_ndcg_count_ranks_below_k_only():
    quality = evaluation.quality(np.array([0, 1, 9, 10]), k=10)
    assert quality.hit == 0.75
    assert quality.ndcg == pytest.approx((1 + 1 / np.log2(3) + 1 / np.log2(11)) / 4)


def test_the_rank_of_the_held_out_item_ignores_the_users_own_items():
    scores = np.array([5.0, 4.0, 3.0, 2.0])
    assert evaluation.rank_of(scores, seen=np.array([0, 1]), target=3) == 1


def test_item_regularization_adds_weight_decay_to_the_gradient():
    before = _factors()
    decayed = Hyper(**{**HYPER.__dict__, "regularization": 0.5})
    user = user_factor(before, OWN, HYPER)
    difference = item_gradient(before, user, OWN, decayed) - item_gradient(before, user, OWN,
                                                                            HYPER)
    np.testing.assert_allclose(difference, 2 * 0.5 * before, rtol=1e-12)


def test_the_user_factor_solves_the_devices_ridge_normal_equations():
    factors = _factors()
    user = user_factor(factors, OWN, HYPER)
    preference = np.isin(np.arange(12), OWN).astype(float)
    confidence = 1 + 5.0 * preference
    gradient = -2 * factors.T @ (confidence * (preference - factors @ user)) + 2 * 1.0 * user
    np.testing.assert_allclose(gradient, 0.0, atol=1e-10)


class FakeAnswer:
    def __init__(self, status_code: int, body: dict) -> None:
        self.status_code, self._body = status_code, body

    def json(self) -> dict:
        return self._body

    def raise_for_status(self) -> None:
        assert self.status_code < 400


class FakeServer:
    """The two FL endpoints and the model objects, with version 1 going stale once."""

    def __init__(self) -> None:
        self.version, self.gets, self.posts = 1, [], []

    def _object(self, version: int) -> dict:
        return {"version": version, "dim": 4, "item_ids": [f"p{i}" for i in range(12)],
                "item_factors": _factors(seed=version).tolist(), "hyper": {"clip_norm": 0.01}}

    def get(self, url: str, **_: object) -> FakeAnswer:
        self.gets.append(url)
        if url.endswith("/v1/fl/model"):
            return FakeAnswer(200, {"version": self.version, "url": f"cdn/v{self.version}"})
        return FakeAnswer(200, self._object(int(url.rsplit("v", 1)[1])))

    def post(self, url: str, data: bytes, **_: object) -> FakeAnswer:
        body = json.loads(data)
        self.posts.append(body)
        if body["model_version"] != 2:
            self.version = 2  # published meanwhile
            return FakeAnswer(409, {"code": "stale_model_version"})
        return FakeAnswer(202, {"model_version": 2, "status": "accepted"})


def test_a_stale_version_makes_the_device_fetch_the_new_model_retrain_and_send_once_more():
    # Given a device whose first update will meet a version published meanwhile
    server = FakeServer()
    device = DeviceClient("http://api", "token", http=server)  # type: ignore[arg-type]
    device.record(["p1", "p4", "p7", "not-in-the-model"])
    # When it trains and sends
    answer = device.train_and_send()
    # Then it sent for v1, got 409, fetched v2's object and sent for v2, clipped to 0.01
    assert answer is not None and answer.status_code == 202
    assert [body["model_version"] for body in server.posts] == [1, 2]
    assert [url for url in server.gets if url.startswith("cdn/")] == ["cdn/v1", "cdn/v2"]
    assert server.posts[1]["num_examples"] == 3
    assert np.linalg.norm(server.posts[1]["update"]) == pytest.approx(0.01, rel=1e-3)
    assert device.model is not None and device.model.version == 2
