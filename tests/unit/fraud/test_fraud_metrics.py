"""ROC-AUC, PR-AUC and thresholds at a false-positive rate, on numbers worked by hand."""

import numpy as np
import pytest

from edge_workers.fraud.metrics import pr_auc, rates, roc_auc, threshold_at_fpr

LABELS = np.array([0, 0, 1, 0, 1, 1])
SCORES = np.array([0.1, 0.4, 0.35, 0.2, 0.8, 0.9])


def test_roc_auc_counts_the_pairs_where_fraud_scores_higher():
    # Given 3 fraud and 3 honest scores, 8 of the 9 pairs ordered right
    # When the ROC-AUC is taken
    # Then it is 8/9
    assert roc_auc(LABELS, SCORES) == pytest.approx(8 / 9)


def test_roc_auc_counts_ties_as_half():
    # Given one fraud and one honest order with the same score
    # Then the AUC is one half
    assert roc_auc(np.array([0, 1]), np.array([0.5, 0.5])) == 0.5


def test_pr_auc_averages_precision_at_each_fraud():
    # Given the ranking 0.9 (fraud) 0.8 (fraud) 0.4 (honest) 0.35 (fraud)
    # When average precision is taken
    # Then it is (1 + 1 + 3/4) / 3
    assert pr_auc(LABELS, SCORES) == pytest.approx((1 + 1 + 0.75) / 3)


def test_threshold_at_fpr_flags_at_most_that_share_of_honest_orders():
    # Given 1,000 honest scores 0..999 and fraud scores
    labels = np.r_[np.zeros(1_000), np.ones(3)]
    scores = np.r_[np.arange(1_000.0), [5_000.0, 998.5, 10.0]]

    # When the threshold at 1 % FPR is chosen
    cut = threshold_at_fpr(labels, scores, 0.01)

    # Then 10 honest orders are at or above it, and 2 of 3 fraud
    assert rates(labels, scores >= cut) == {"recall": pytest.approx(2 / 3), "fpr": 0.01}


def test_threshold_at_a_tiny_fpr_is_above_every_honest_score():
    # Given 100 honest scores and FPR 0.1 % (not even one of them)
    labels, scores = np.zeros(100), np.linspace(0, 1, 100)

    # When the threshold is chosen
    # Then no honest order reaches it
    assert threshold_at_fpr(labels, scores, 0.001) > 1.0
