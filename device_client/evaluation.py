"""Hit@k and NDCG@k of held-out items: how the simulation and the benchmark score a ranker."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

K = 10


@dataclass(frozen=True)
class Quality:
    """Leave-one-out ranking quality over a population."""

    hit: float
    ndcg: float


def rank_of(scores: np.ndarray, seen: np.ndarray, target: int) -> int:
    """0-based rank of `target` among the items not in `seen` (ties counted against it)."""
    mask = np.ones(scores.shape[0], dtype=bool)
    mask[seen] = False
    mask[target] = True
    return int(np.count_nonzero(scores[mask] >= scores[target])) - 1


def quality(ranks: np.ndarray, k: int = K) -> Quality:
    """Hit@k and NDCG@k from the held-out items' ranks."""
    hits = ranks < k
    gains = np.where(hits, 1.0 / np.log2(ranks + 2.0), 0.0)
    return Quality(hit=float(hits.mean()), ndcg=float(gains.mean()))


def score_all(scores_of, train: list[np.ndarray], held_out: np.ndarray,  # noqa: ANN001
              k: int = K) -> Quality:
    """Quality of `scores_of(user) -> scores over items`, each user's training items excluded."""
    ranks = np.array([rank_of(scores_of(user), train[user], int(held_out[user]))
                      for user in range(len(train))])
    return quality(ranks, k)
