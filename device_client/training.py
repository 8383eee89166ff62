"""Local training on the device: its own user factor, and a clipped change of the item factors.

The objective is weighted matrix factorisation on implicit feedback (Hu, Koren, Volinsky
2008), split between device and server as in federated collaborative filtering
(Ammad-ud-din et al. 2019): for the items V of the model and the device's own items P,

    L(u, V) = Σ_i c_i (p_i − v_i·u)² + λ‖u‖² + μ‖V‖²,  p_i = 1 if i ∈ P else 0,
    c_i = 1 + α p_i  (λ `user_regularization`, μ `regularization`, α `confidence`)

Every item the model holds is a negative unless the user touched it, so the gradient, and
the update, is dense: it does not show which items the user touched. Each local epoch
solves u exactly (the ridge "ALS" step, on the device only) and takes one gradient step on
V. What leaves the device is V_local − V clipped to `clip_norm` (Frobenius), with the
number of the device's items; u and P never do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Hyper:
    """The training knobs the model object carries (`hyper` of GET /v1/fl/model's object)."""

    learning_rate: float = 0.1
    regularization: float = 0.0  # L2 on the item factors (weight decay of the local step)
    local_epochs: int = 1
    clip_norm: float = 1.0
    confidence: float = 5.0  # α: how much more a touched item counts than an untouched one
    user_regularization: float = 30.0  # λ: L2 on the user factor in the device's solve

    @classmethod
    def of(cls, hyper: Mapping[str, Any]) -> Hyper:
        """The knobs from a model's `hyper`, defaults for the ones it leaves out."""
        known = {name: hyper[name] for name in cls.__dataclass_fields__ if name in hyper}
        return cls(**known)


@dataclass(frozen=True)
class LocalUpdate:
    """What the device sends (update, num_examples), and what it keeps (user_factor)."""

    update: np.ndarray  # (items, dim), clipped
    num_examples: int
    user_factor: np.ndarray  # stays on the device
    norm_before_clip: float


def user_factor(item_factors: np.ndarray, positives: np.ndarray, hyper: Hyper) -> np.ndarray:
    """The user's factor that minimises L for fixed item factors (a d × d solve)."""
    dim = item_factors.shape[1]
    own = item_factors[positives]
    gram = item_factors.T @ item_factors + hyper.confidence * own.T @ own
    gram += hyper.user_regularization * np.eye(dim)
    target = (1.0 + hyper.confidence) * own.sum(axis=0)
    return np.linalg.solve(gram, target)


def item_gradient(item_factors: np.ndarray, user: np.ndarray, positives: np.ndarray,
                  hyper: Hyper) -> np.ndarray:
    """∂L/∂V for the user's factor `user`: dense over all the model's items."""
    preference = np.zeros(item_factors.shape[0])
    preference[positives] = 1.0
    confidence = 1.0 + hyper.confidence * preference
    residual = confidence * (preference - item_factors @ user)
    return -2.0 * np.outer(residual, user) + 2.0 * hyper.regularization * item_factors


def clipped(update: np.ndarray, clip_norm: float) -> np.ndarray:
    """`update` scaled down to Frobenius norm `clip_norm` when it is longer."""
    norm = float(np.linalg.norm(update))
    return update if norm <= clip_norm else update * (clip_norm / norm)


def train_locally(item_factors: np.ndarray, positives: np.ndarray, hyper: Hyper) -> LocalUpdate:
    """Local epochs on the device's own items; the clipped change of the item factors."""
    if len(positives) == 0:
        raise ValueError("a device with no interactions has nothing to train on")
    local = np.array(item_factors, dtype=np.float64, copy=True)
    for _ in range(hyper.local_epochs):
        user = user_factor(local, positives, hyper)
        local -= hyper.learning_rate * item_gradient(local, user, positives, hyper)
    change = local - item_factors
    return LocalUpdate(update=clipped(change, hyper.clip_norm), num_examples=len(positives),
                       user_factor=user_factor(local, positives, hyper),
                       norm_before_clip=float(np.linalg.norm(change)))


def scores(item_factors: np.ndarray, user: np.ndarray) -> np.ndarray:
    """The user's predicted preference for every item of the model."""
    return item_factors @ user
