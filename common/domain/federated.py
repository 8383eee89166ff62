"""Federated learning rules: check, clip, filter and average device updates of item factors.

Pure numpy, so that the server (common/services/federated_rounds.py), the reference device
client and the benchmarks run exactly the same arithmetic. An update is a float array of the
model's item factors' shape (items × dim); each device contributes at most `clip_norm` (L2)
and at most weight 1 after capping its claimed example count, so the noisy sum has
sensitivity `clip_norm` and the Gaussian noise of DP-FedAvg bounds what one device reveals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from common.domain.errors import InvalidModelUpdate

# A submitted update may exceed the clip by float rounding on the device, not more.
NORM_TOLERANCE = 1.01
# Robust filter: an update is an outlier beyond this many robust deviations (MAD × 1.4826).
OUTLIER_DEVIATIONS = 3.0
# ... and never when its cosine to the coordinate-wise median is at least this.
SAFE_COSINE = 0.0


@dataclass(frozen=True)
class Aggregate:
    """One round's result: the mean delta to apply, which updates counted, the noise used."""

    delta: np.ndarray
    kept: tuple[int, ...]
    dropped: tuple[int, ...]
    total_weight: float
    noise_stddev: float


def l2_norm(update: np.ndarray) -> float:
    """The update's Frobenius (flattened L2) norm."""
    return float(np.linalg.norm(np.asarray(update, dtype=np.float64).ravel()))


def checked_update(values: object, shape: tuple[int, int], clip_norm: float) -> np.ndarray:
    """The submitted update as an array; raises InvalidModelUpdate on shape, NaN/inf, norm."""
    try:
        update = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidModelUpdate("The update must be a rectangular array of numbers.") from error
    if update.shape != shape:
        raise InvalidModelUpdate(
            f"The update must have shape {list(shape)} (items × dim of the model), "
            f"not {list(update.shape)}.")
    if not np.all(np.isfinite(update)):
        raise InvalidModelUpdate("The update must not contain NaN or infinite values.")
    norm = l2_norm(update)
    if norm > clip_norm * NORM_TOLERANCE:
        raise InvalidModelUpdate(
            f"The update's L2 norm {norm:.4g} exceeds the clip norm {clip_norm:.4g}: "
            "clip it on the device before sending.", norm=norm, clip_norm=clip_norm)
    return update


def clip(update: np.ndarray, clip_norm: float) -> np.ndarray:
    """The update scaled down to L2 norm `clip_norm` when it is longer; unchanged otherwise."""
    norm = l2_norm(update)
    if norm <= clip_norm or norm == 0.0:
        return np.asarray(update, dtype=np.float64)
    return np.asarray(update, dtype=np.float64) * (clip_norm / norm)


def capped_weights(num_examples: Sequence[int], max_weight: int) -> np.ndarray:
    """Each device's weight in (0, 1]: min(claimed examples, max_weight) / max_weight."""
    claimed = np.clip(np.asarray(num_examples, dtype=np.float64), 1.0, float(max_weight))
    return claimed / float(max_weight)


def _robust_deviation(values: np.ndarray) -> tuple[float, float]:
    """Median and MAD-based scale of `values` (never zero, so a constant set has no outlier)."""
    median = float(np.median(values))
    scale = 1.4826 * float(np.median(np.abs(values - median)))
    return median, max(scale, 1e-12, 1e-6 * abs(median))


def robust_filter(updates: Sequence[np.ndarray]) -> np.ndarray:
    """A mask of the updates to keep: drops norm outliers and direction outliers.

    Direction is the cosine to the coordinate-wise median update; an update pointing away
    from it (a sign flip) or much longer than the others (a scaled update) is dropped. With
    fewer than 3 updates there is no majority to compare against, so all are kept.
    """
    count = len(updates)
    if count < 3:
        return np.ones(count, dtype=bool)
    flat = np.stack([np.asarray(u, dtype=np.float64).ravel() for u in updates])
    norms = np.linalg.norm(flat, axis=1)
    median_update = np.median(flat, axis=0)
    reference = float(np.linalg.norm(median_update))
    cosines = flat @ median_update / np.maximum(norms * reference, 1e-12)
    norm_median, norm_scale = _robust_deviation(norms)
    cos_median, cos_scale = _robust_deviation(cosines)
    too_long = norms > norm_median + OUTLIER_DEVIATIONS * norm_scale
    astray = (cosines < cos_median - OUTLIER_DEVIATIONS * cos_scale) & (cosines < SAFE_COSINE)
    keep = ~(too_long | astray)
    return keep if keep.any() else np.ones(count, dtype=bool)


def noise_stddev(clip_norm: float, noise_multiplier: float, total_weight: float) -> float:
    """σ of the Gaussian noise on the weighted mean: z·C / Σw (z·C/n when every weight is 1)."""
    if total_weight <= 0:
        return 0.0
    return noise_multiplier * clip_norm / total_weight


def aggregate(
    updates: Sequence[np.ndarray],
    num_examples: Sequence[int],
    *,
    clip_norm: float,
    max_weight: int,
    noise_multiplier: float,
    rng: np.random.Generator,
    robust: bool = True,
) -> Aggregate:
    """The round's noisy weighted mean of clipped updates, after the robust filter."""
    if not updates:
        raise ValueError("a round needs at least one update")
    clipped = [clip(u, clip_norm) for u in updates]
    keep = robust_filter(clipped) if robust else np.ones(len(clipped), dtype=bool)
    weights = capped_weights(num_examples, max_weight) * keep
    total = float(weights.sum())
    weighted_sum = np.tensordot(weights, np.stack(clipped), axes=1)
    sigma = noise_stddev(clip_norm, noise_multiplier, total)
    noise = rng.normal(0.0, sigma, size=weighted_sum.shape) if sigma > 0 else 0.0
    indices = np.arange(len(updates))
    return Aggregate(
        delta=weighted_sum / total + noise,
        kept=tuple(int(i) for i in indices[keep]),
        dropped=tuple(int(i) for i in indices[~keep]),
        total_weight=total,
        noise_stddev=sigma,
    )


def apply(item_factors: np.ndarray, delta: np.ndarray, server_lr: float) -> np.ndarray:
    """The next version's item factors: factors + server_lr × delta (a new array)."""
    return np.asarray(item_factors, dtype=np.float64) + server_lr * np.asarray(delta)


def initial_factors(items: int, dim: int, seed: int, scale: float = 0.1) -> np.ndarray:
    """Seeded small random item factors for version 1 (N(0, scale²), reproducible)."""
    return np.random.default_rng(seed).normal(0.0, scale, size=(items, dim))


def carry_over(old_ids: Sequence[str], old_factors: np.ndarray, new_ids: Sequence[str],
               seed: int, scale: float = 0.1) -> np.ndarray:
    """Factors for `new_ids`: an item's learned factor where the old model had it, seeded
    small random ones for items new to the model (a product promoted since)."""
    rows = {item_id: row for row, item_id in enumerate(old_ids)}
    fresh = initial_factors(len(new_ids), old_factors.shape[1], seed, scale)
    for index, item_id in enumerate(new_ids):
        if item_id in rows:
            fresh[index] = old_factors[rows[item_id]]
    return fresh


def training_hyper(clip_norm: float, dim: int) -> dict[str, float | int]:
    """What devices train with (device_client/training.py; docs/federated-learning-protocol.md):
    one local epoch of weighted matrix factorisation on their own interactions, then clip to
    the norm. Tuned in bench/fl_quality.py (docs/benchmarks.md, "Federated learning")."""
    return {"learning_rate": 0.1, "regularization": 0.0, "local_epochs": 1,
            "confidence": 5.0, "user_regularization": 30.0,
            "clip_norm": clip_norm, "dim": dim}
