"""The recommenders the federated-learning benchmark compares, trained in process (no HTTP).

Popularity; central weighted matrix factorisation (ALS over the pooled data, which a
federated design never sees: the ceiling); and federated rounds in which each device runs
the reference client's `train_locally` and the server runs `common.domain.federated`'s
clip, robust filter, capped weights, noise and apply — the same code as the HTTP path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from common.domain import federated
from device_client import evaluation, training
from device_client.population import Population, popularity_counts


def popularity_quality(population: Population) -> evaluation.Quality:
    """Hit@10/NDCG@10 of recommending the most interacted-with items."""
    counts = popularity_counts(population).astype(np.float64)
    return evaluation.score_all(lambda user: counts, population.train, population.held_out)


def _solve_rows(fixed: np.ndarray, rows: list[np.ndarray], hyper: training.Hyper) -> np.ndarray:
    """The ALS half-step: each row's factor against the fixed side (the device's solve)."""
    return np.stack([training.user_factor(fixed, own, hyper) for own in rows])


def central_factors(population: Population, dim: int, hyper: training.Hyper,
                    sweeps: int = 10, seed: int = 0) -> np.ndarray:
    """Item factors of central WRMF trained by ALS on everyone's interactions."""
    rng = np.random.default_rng(seed)
    items = rng.normal(0.0, 0.1, size=(population.items, dim))
    users_of: list[list[int]] = [[] for _ in range(population.items)]
    for user, own in enumerate(population.train):
        for item in own:
            users_of[item].append(user)
    item_rows = [np.array(users, dtype=np.int64) for users in users_of]
    for _ in range(sweeps):
        users = _solve_rows(items, population.train, hyper)
        items = _solve_rows(users, item_rows, hyper)
    return items


def factor_quality(population: Population, items: np.ndarray,
                   hyper: training.Hyper) -> evaluation.Quality:
    """Quality of item factors when each device folds in its own user factor and ranks."""
    def scores_of(user: int) -> np.ndarray:
        own = training.user_factor(items, population.train[user], hyper)
        return training.scores(items, own)
    return evaluation.score_all(scores_of, population.train, population.held_out)


@dataclass(frozen=True)
class Rounds:
    """How a federated run is set up on the server side."""

    rounds: int
    sampling_rate: float  # each device takes part in a round with this probability (Poisson)
    noise_multiplier: float
    server_lr: float
    max_weight: int
    dim: int
    seed: int = 0
    evaluate_every: int = 5


@dataclass
class FederatedRun:
    """A federated run's final factors and its quality curve."""

    items: np.ndarray
    curve: list[tuple[int, float]] = field(default_factory=list)  # (round, hit@10)
    devices_per_round: list[int] = field(default_factory=list)
    dropped: int = 0
    norms_before_clip: list[float] = field(default_factory=list)

    def rounds_to(self, fraction: float) -> int:
        """The first evaluated round whose hit@10 reached `fraction` of the final one."""
        final = self.curve[-1][1]
        return next(r for r, hit in self.curve if hit >= fraction * final)


def _one_round(population: Population, items: np.ndarray, setup: Rounds,
               hyper: training.Hyper, rng: np.random.Generator, run: FederatedRun) -> np.ndarray:
    """Sampled devices train locally; the server aggregates and applies (P4's code)."""
    chosen = np.flatnonzero(rng.random(population.users) < setup.sampling_rate)
    local = [training.train_locally(items, population.train[u], hyper) for u in chosen]
    result = federated.aggregate(
        [update.update for update in local], [update.num_examples for update in local],
        clip_norm=hyper.clip_norm, max_weight=setup.max_weight,
        noise_multiplier=setup.noise_multiplier, rng=rng)
    run.devices_per_round.append(len(chosen))
    run.dropped += len(result.dropped)
    run.norms_before_clip.extend(update.norm_before_clip for update in local[:20])
    return federated.apply(items, result.delta, setup.server_lr)


def federated_run(population: Population, setup: Rounds, hyper: training.Hyper,
                  say: Callable[[str], None] = lambda _: None) -> FederatedRun:
    """`setup.rounds` rounds from version 1's seeded factors, hit@10 every few rounds."""
    rng = np.random.default_rng(setup.seed)
    items = federated.initial_factors(population.items, setup.dim, seed=setup.seed)
    run = FederatedRun(items)
    for round_number in range(1, setup.rounds + 1):
        items = _one_round(population, items, setup, hyper, rng, run)
        if round_number % setup.evaluate_every == 0 or round_number == setup.rounds:
            hit = factor_quality(population, items, hyper).hit
            run.curve.append((round_number, hit))
            say(f"    round {round_number}: hit@10 {hit:.3f}")
    run.items = items
    return run
