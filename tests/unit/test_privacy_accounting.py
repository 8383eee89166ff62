"""The privacy accountant: ε of federated rounds from dp-accounting (RDP)."""

import math

import pytest

from common.domain import privacy


def test_epsilon_grows_with_every_round():
    # Given 2,000 devices, 200 a round, z = 1, δ = 1/N
    q, delta = privacy.sampling_rate(200, 2000), privacy.default_delta(2000)

    # When ε is computed after 1, 10, 100 and 200 rounds
    spent = [privacy.epsilon(rounds, q, 1.0, delta) for rounds in (1, 10, 100, 200)]

    # Then it only grows
    assert spent == sorted(spent)
    assert len(set(spent)) == 4


def test_epsilon_falls_as_the_noise_multiplier_rises():
    q, delta = privacy.sampling_rate(200, 2000), privacy.default_delta(2000)
    spent = [privacy.epsilon(100, q, z, delta) for z in (0.8, 1.0, 2.0, 4.0)]
    assert spent == sorted(spent, reverse=True)
    assert len(set(spent)) == 4


def test_epsilon_matches_the_measured_figures_of_the_local_stack():
    # Given the figures in ../shared/local-stack.md: ≈ 11 after 200 rounds of 200 of 2,000
    # users (we use integer RDP orders only: a little looser), ≈ 1.3 at 1,000 of 100k
    small = privacy.epsilon(200, 0.1, 1.0, 1 / 2000)
    large = privacy.epsilon(200, 0.01, 1.0, 1 / 100_000)
    assert 8.0 < small < 12.0
    assert 1.2 < large < 1.5


def test_no_rounds_spend_nothing_and_no_noise_has_no_bound():
    assert privacy.epsilon(0, 0.1, 1.0, 1e-3) == 0.0
    assert privacy.epsilon(5, 0.1, 0.0, 1e-3) == math.inf


def test_sampling_rate_is_at_most_one():
    assert privacy.sampling_rate(50, 20) == 1.0
    assert privacy.sampling_rate(50, 200) == 0.25


def test_population_for_epsilon_is_the_smallest_population_that_meets_it():
    # Given 200 rounds of 1,000 devices at z = 1
    population = privacy.population_for_epsilon(1.5, rounds=200, devices_per_round=1000,
                                                noise_multiplier=1.0)

    # Then ε ≤ 1.5 holds at that population and not at one a tenth smaller
    assert population is not None

    def spent(n: int) -> float:
        return privacy.epsilon(200, privacy.sampling_rate(1000, n), 1.0,
                               privacy.default_delta(n))

    assert spent(population) <= 1.5
    assert spent(int(population * 0.9)) > 1.5


def test_population_for_epsilon_is_none_without_noise():
    assert privacy.population_for_epsilon(1.0, 10, 100, 0.0, limit=10_000) is None


def test_rounds_that_differed_compose_to_the_same_epsilon_as_equal_rounds():
    # Given 30 identical rounds, as a list of (q, z)
    same = privacy.epsilon_of_rounds([(0.1, 1.0)] * 30, 1e-4)

    # Then it equals the self-composed figure; a noisier extra round adds less than a plain one
    assert same == pytest.approx(privacy.epsilon(30, 0.1, 1.0, 1e-4))
    noisier = privacy.epsilon_of_rounds([(0.1, 1.0)] * 30 + [(0.1, 3.0)], 1e-4)
    plain = privacy.epsilon(31, 0.1, 1.0, 1e-4)
    assert same < noisier < plain
    assert privacy.epsilon_of_rounds([], 1e-4) == 0.0
    assert privacy.epsilon_of_rounds([(0.1, 1.0), (0.1, 0.0)], 1e-4) == math.inf
