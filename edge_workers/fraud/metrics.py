"""Quality of fraud scores (numpy only): ROC-AUC, PR-AUC, thresholds at a false-positive rate."""

from __future__ import annotations

import numpy as np


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """The probability that a fraud scores above an honest order (ties count half)."""
    labels = np.asarray(labels, dtype=bool)
    ranks = _average_ranks(np.asarray(scores, dtype=np.float64))
    positives, negatives = labels.sum(), (~labels).sum()
    if positives == 0 or negatives == 0:
        return float("nan")
    return float((ranks[labels].sum() - positives * (positives + 1) / 2)
                 / (positives * negatives))


def pr_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Average precision: precision averaged over the recall each fraud adds."""
    labels = np.asarray(labels, dtype=bool)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    hits = labels[order]
    if hits.sum() == 0:
        return float("nan")
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].sum() / hits.sum())


def threshold_at_fpr(labels: np.ndarray, scores: np.ndarray, fpr: float) -> float:
    """The lowest score that flags at most fpr of the honest orders."""
    honest = np.sort(np.asarray(scores, dtype=np.float64)[~np.asarray(labels, dtype=bool)])
    allowed = int(np.floor(fpr * len(honest)))
    if allowed == 0:
        return float(np.nextafter(honest[-1], np.inf))
    return float(np.nextafter(honest[-allowed - 1], np.inf))


def rates(labels: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    """Recall (of fraud) and false-positive rate (of honest orders) of a yes/no decision."""
    labels, flagged = np.asarray(labels, dtype=bool), np.asarray(flagged, dtype=bool)
    return {"recall": float(flagged[labels].mean()) if labels.any() else float("nan"),
            "fpr": float(flagged[~labels].mean()) if (~labels).any() else float("nan")}


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties given their mean rank."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    sorted_values = values[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_values)) + 1]
    ends = np.r_[starts[1:], len(values)]
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2
    return ranks
