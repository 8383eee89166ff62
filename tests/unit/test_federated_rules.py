"""Federated learning rules: checking, clipping, capping, filtering and averaging updates."""

import numpy as np
import pytest

from common.domain import federated
from common.domain.errors import InvalidModelUpdate

SHAPE = (20, 4)


def honest_updates(count: int, seed: int = 7, scale: float = 0.05) -> list[np.ndarray]:
    """Updates that agree on a common direction plus small per-device noise."""
    rng = np.random.default_rng(seed)
    direction = rng.normal(0.0, 1.0, size=SHAPE)
    direction *= 0.3 / np.linalg.norm(direction)
    return [direction + rng.normal(0.0, scale, size=SHAPE) for _ in range(count)]


def test_checked_update_accepts_an_update_of_the_model_shape_within_the_clip():
    # Given an update of the right shape with norm 0.5 under clip 1
    values = (np.ones(SHAPE) * 0.5 / np.sqrt(80)).tolist()

    # When it is checked
    update = federated.checked_update(values, SHAPE, clip_norm=1.0)

    # Then it comes back as an array of that shape
    assert update.shape == SHAPE
    assert federated.l2_norm(update) == pytest.approx(0.5)


@pytest.mark.parametrize("values, reason", [
    (np.zeros((19, 4)).tolist(), "shape"),
    (np.zeros((20, 5)).tolist(), "shape"),
    ([[0.0] * 4] * 19 + [[0.0] * 3], "rectangular"),
    ([["a"] * 4] * 20, "rectangular"),
    (np.full(SHAPE, np.nan).tolist(), "NaN"),
    (np.where(np.eye(20, 4) > 0, np.inf, 0.0).tolist(), "NaN or infinite"),
    ((np.ones(SHAPE) * 1.02 / np.sqrt(80)).tolist(), "exceeds the clip norm"),
], ids=["too-few-items", "wrong-dim", "ragged", "not-numbers", "nan", "inf", "beyond-clip"])
def test_checked_update_refuses_what_does_not_fit_the_model(values, reason):
    # Given an update that is malformed in one way
    # When it is checked, Then it is refused, saying why
    with pytest.raises(InvalidModelUpdate, match=reason):
        federated.checked_update(values, SHAPE, clip_norm=1.0)


def test_checked_update_tolerates_float_rounding_just_over_the_clip():
    # Given an update 0.5 % over the clip (rounding on the device)
    values = np.ones(SHAPE) * 1.005 / np.sqrt(80)

    # When / Then it is accepted
    assert federated.checked_update(values, SHAPE, clip_norm=1.0).shape == SHAPE


def test_clip_scales_a_long_update_to_the_clip_norm_and_keeps_its_direction():
    # Given an update of norm 5
    update = np.zeros(SHAPE)
    update[0, 0], update[1, 1] = 3.0, 4.0

    # When it is clipped to 1
    clipped = federated.clip(update, 1.0)

    # Then it has norm 1 and the same direction
    assert federated.l2_norm(clipped) == pytest.approx(1.0)
    assert clipped[0, 0] == pytest.approx(0.6)
    assert clipped[1, 1] == pytest.approx(0.8)


def test_clip_leaves_a_short_update_unchanged():
    update = np.full(SHAPE, 0.01)
    assert np.array_equal(federated.clip(update, 1.0), update)


def test_capped_weights_cap_claims_at_max_weight_and_floor_them_at_one_example():
    # Given claims of 0, 1, 50, 100 and 10 million examples, max weight 100
    # When weights are computed
    weights = federated.capped_weights([0, 1, 50, 100, 10_000_000], max_weight=100)

    # Then nobody counts more than a full device, nor less than one example
    assert weights.tolist() == [0.01, 0.01, 0.5, 1.0, 1.0]


def test_aggregate_is_the_weighted_mean_of_the_clipped_updates_without_noise():
    # Given two updates, one claiming twice the examples of the other (both under the cap)
    first, second = np.full(SHAPE, 0.01), np.full(SHAPE, 0.04)

    # When aggregated without noise and without the filter
    result = federated.aggregate([first, second], [10, 20], clip_norm=1.0, max_weight=100,
                                 noise_multiplier=0.0, rng=np.random.default_rng(0),
                                 robust=False)

    # Then the mean is (1·0.01 + 2·0.04) / 3 everywhere
    assert np.allclose(result.delta, 0.03)
    assert result.total_weight == pytest.approx(0.3)
    assert result.noise_stddev == 0.0
    assert result.kept == (0, 1)


def test_aggregate_counts_a_huge_example_claim_as_one_full_device():
    # Given an honest device and one claiming a billion examples
    small, claimer = np.full(SHAPE, 0.01), np.full(SHAPE, 0.05)

    # When aggregated (cap 100)
    result = federated.aggregate([small, claimer], [100, 1_000_000_000], clip_norm=1.0,
                                 max_weight=100, noise_multiplier=0.0,
                                 rng=np.random.default_rng(0), robust=False)

    # Then both weigh the same: the mean is halfway
    assert np.allclose(result.delta, 0.03)


def test_noise_stddev_is_z_times_clip_over_the_total_weight():
    assert federated.noise_stddev(2.0, 1.5, 10.0) == pytest.approx(0.3)
    assert federated.noise_stddev(2.0, 1.5, 0.0) == 0.0


def test_aggregate_adds_gaussian_noise_of_the_documented_stddev():
    # Given 50 zero updates at full weight, clip 1, z = 1
    updates = [np.zeros((200, 50)) for _ in range(50)]

    # When aggregated
    result = federated.aggregate(updates, [100] * 50, clip_norm=1.0, max_weight=100,
                                 noise_multiplier=1.0, rng=np.random.default_rng(3))

    # Then the delta is pure noise of σ = z·C/n = 0.02 (10,000 draws: within 3 %)
    assert result.noise_stddev == pytest.approx(0.02)
    assert float(np.std(result.delta)) == pytest.approx(0.02, rel=0.03)
    assert abs(float(np.mean(result.delta))) < 0.001


def test_aggregate_with_the_same_seed_is_reproducible():
    updates = honest_updates(5)
    runs = [federated.aggregate(updates, [10] * 5, clip_norm=1.0, max_weight=100,
                                noise_multiplier=1.0, rng=np.random.default_rng(42))
            for _ in range(2)]
    assert np.array_equal(runs[0].delta, runs[1].delta)


def test_robust_filter_keeps_every_honest_update():
    # Given 30 honest updates
    # When filtered, Then all are kept
    assert federated.robust_filter(honest_updates(30)).all()


def test_robust_filter_keeps_all_of_fewer_than_three_updates():
    updates = [np.full(SHAPE, 0.01), -np.full(SHAPE, 0.01)]
    assert federated.robust_filter(updates).tolist() == [True, True]


def planted(attack: str, honest: list[np.ndarray]) -> np.ndarray:
    """One poisoned update: the honest mean flipped (and as long as the clip allows), or
    scaled up to the clip."""
    mean = np.mean(honest, axis=0)
    if attack == "sign-flip":
        return -mean / np.linalg.norm(mean) * 1.0
    return mean / np.linalg.norm(mean) * 1.0


@pytest.mark.parametrize("attack", ["sign-flip", "scaled"])
def test_robust_filter_drops_a_planted_update_and_keeps_the_honest_ones(attack):
    # Given 19 honest updates (norm ≈ 0.5) and one poisoned one at the clip norm 1
    honest = honest_updates(19)
    updates = [*honest[:7], planted(attack, honest), *honest[7:]]

    # When filtered
    keep = federated.robust_filter([federated.clip(u, 1.0) for u in updates])

    # Then exactly the planted update (index 7) is dropped
    assert np.flatnonzero(~keep).tolist() == [7]


@pytest.mark.parametrize("attack", ["sign-flip", "scaled"])
def test_the_filter_removes_the_pull_of_a_planted_attack_on_the_mean(attack):
    # Given 19 honest updates and 1 planted one, all at full weight, no noise
    honest = honest_updates(19)
    honest_mean = np.mean(honest, axis=0)
    updates = [*honest, planted(attack, honest)]

    def shift(robust: bool) -> float:
        result = federated.aggregate(updates, [100] * 20, clip_norm=1.0, max_weight=100,
                                     noise_multiplier=0.0, rng=np.random.default_rng(0),
                                     robust=robust)
        return federated.l2_norm(result.delta - honest_mean) / federated.l2_norm(honest_mean)

    # When aggregated with and without the robust filter
    unfiltered, filtered = shift(robust=False), shift(robust=True)

    # Then without it the attack moves the mean by ≥ 10 % of its length, with it by none
    assert unfiltered > 0.10
    assert filtered == pytest.approx(0.0, abs=1e-12)


def test_apply_adds_server_lr_times_delta_to_the_item_factors():
    factors, delta = np.ones(SHAPE), np.full(SHAPE, 0.2)
    assert np.allclose(federated.apply(factors, delta, server_lr=0.5), 1.1)
    assert np.array_equal(factors, np.ones(SHAPE))


def test_initial_factors_are_small_seeded_and_reproducible():
    first = federated.initial_factors(500, 16, seed=1)
    assert first.shape == (500, 16)
    assert np.array_equal(first, federated.initial_factors(500, 16, seed=1))
    assert float(np.std(first)) == pytest.approx(0.1, rel=0.05)
