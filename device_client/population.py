"""A seeded synthetic population of shoppers with known preferences, for tests and benchmarks.

No recommendation data set ships offline (../shared/local-stack.md), so quality is measured
on generated data whose ground truth is known. The generator, for a seed:

1. draws `segments` taste centroids and one latent vector per item, all N(0, 1) in
   `true_dim` dimensions, and a popularity bias per item, N(0, `popularity_spread`);
2. puts each user in one segment (uniformly) with a taste = centroid + N(0, `taste_noise`);
3. gives each user 8 + Poisson(`mean_extra`) interactions (at most `max_items`), items drawn
   without replacement with probability ∝ exp(taste·item / `temperature` + popularity)
   (the Gumbel top-k trick), in random order;
4. holds each user's last interaction out: `train[u]` is what the device holds and trains
   on, `held_out[u]` the item a recommender should put in its top 10.

Items are indices 0..n_items-1; a test maps them onto real product ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_ITEMS = 8


@dataclass(frozen=True)
class PopulationSpec:
    """The knobs of the generator; the defaults give the benchmark's population."""

    users: int = 2_000
    items: int = 500
    segments: int = 20
    true_dim: int = 8
    taste_noise: float = 0.5
    temperature: float = 0.6
    popularity_spread: float = 1.0
    mean_extra: float = 12.0
    max_items: int = 60
    seed: int = 11


@dataclass(frozen=True)
class Population:
    """Users' training interactions, held-out items and the ground-truth segment of each."""

    spec: PopulationSpec
    segment: np.ndarray  # (users,) int
    train: list[np.ndarray]  # per user, item indices it interacted with (held-out excluded)
    held_out: np.ndarray  # (users,) int

    @property
    def users(self) -> int:
        """How many users."""
        return self.spec.users

    @property
    def items(self) -> int:
        """How many items."""
        return self.spec.items

    def interactions(self) -> int:
        """Training interactions over all users."""
        return sum(len(items) for items in self.train)


def generate(spec: PopulationSpec = PopulationSpec()) -> Population:
    """The population of `spec`, the same for the same seed."""
    rng = np.random.default_rng(spec.seed)
    centroids = rng.normal(size=(spec.segments, spec.true_dim))
    items = rng.normal(size=(spec.items, spec.true_dim))
    popularity = rng.normal(scale=spec.popularity_spread, size=spec.items)
    segment = rng.integers(spec.segments, size=spec.users)
    tastes = centroids[segment] + rng.normal(scale=spec.taste_noise,
                                             size=(spec.users, spec.true_dim))
    logits = tastes @ items.T / (spec.temperature * np.sqrt(spec.true_dim)) + popularity
    counts = np.minimum(MIN_ITEMS + rng.poisson(spec.mean_extra, size=spec.users),
                        min(spec.max_items, spec.items))
    train, held_out = [], np.empty(spec.users, dtype=np.int64)
    for user in range(spec.users):
        chosen = _sample_without_replacement(logits[user], int(counts[user]), rng)
        train.append(np.sort(chosen[:-1]))
        held_out[user] = chosen[-1]
    return Population(spec, segment, train, held_out)


def _sample_without_replacement(logits: np.ndarray, count: int,
                                rng: np.random.Generator) -> np.ndarray:
    """`count` distinct indices drawn ∝ exp(logits) (Gumbel top-k), in random order."""
    perturbed = logits + rng.gumbel(size=logits.shape)
    chosen = np.argpartition(-perturbed, count - 1)[:count]
    return rng.permutation(chosen)


def popularity_counts(population: Population) -> np.ndarray:
    """How often each item occurs in the training interactions."""
    return np.bincount(np.concatenate(population.train), minlength=population.items)
