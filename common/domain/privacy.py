"""Differential privacy spent by federated rounds, from Google's dp-accounting (RDP).

Each round is a Poisson-sampled Gaussian mechanism: a fraction q = devices / population of
the population contributes, each bounded by the clip norm, with noise multiplier z. The
accountant composes the rounds and converts to (ε, δ) at δ = 1/N unless told otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import dp_accounting
from dp_accounting import rdp

# Integer orders from 2: fractional orders near 1 fail to converge (and only log warnings)
# at the sampling rates of small populations.
RDP_ORDERS = tuple(range(2, 65)) + (80, 96, 128, 192, 256, 512, 1024)


def default_delta(population: int) -> float:
    """δ = 1/N: the chance of a total leak should not exceed one person of the population."""
    return 1.0 / max(population, 1)


def sampling_rate(devices_per_round: int, population: int) -> float:
    """q = devices / population, at most 1 (every device in every round)."""
    return min(1.0, devices_per_round / max(population, 1))


def epsilon(rounds: int, q: float, noise_multiplier: float, delta: float) -> float:
    """ε after `rounds` rounds at sampling rate q and noise z, for δ; inf without noise."""
    if rounds <= 0:
        return 0.0
    if noise_multiplier <= 0:
        return math.inf
    accountant = rdp.RdpAccountant(orders=list(RDP_ORDERS))
    event = dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(noise_multiplier))
    accountant.compose(dp_accounting.SelfComposedDpEvent(event, rounds))
    return float(accountant.get_epsilon(delta))


def epsilon_of_rounds(rounds: Sequence[tuple[float, float]], delta: float) -> float:
    """ε of rounds that differed: each (q, z) as it was when that round ran; inf if any z = 0."""
    if not rounds:
        return 0.0
    if any(z <= 0 for _, z in rounds):
        return math.inf
    accountant = rdp.RdpAccountant(orders=list(RDP_ORDERS))
    for q, z in rounds:
        accountant.compose(
            dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(z)))
    return float(accountant.get_epsilon(delta))


def population_for_epsilon(
    target: float, rounds: int, devices_per_round: int, noise_multiplier: float,
    limit: int = 1_000_000_000,
) -> int | None:
    """The smallest population for which ε ≤ target (δ = 1/N) holds; None beyond `limit`."""

    def meets(population: int) -> bool:
        q = sampling_rate(devices_per_round, population)
        return epsilon(rounds, q, noise_multiplier, default_delta(population)) <= target

    low, high = max(devices_per_round, 1), max(devices_per_round, 1)
    while not meets(high):
        if high >= limit:
            return None
        low, high = high, min(high * 2, limit)
    while low < high:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle + 1
    return high
