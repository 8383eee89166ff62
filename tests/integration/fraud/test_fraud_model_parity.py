"""The ONNX export scores as LightGBM does, and the committed model's metrics reproduce from
the seeded generator (the training tools: the fraud_training extra)."""

import json

import numpy as np
import pytest

from edge_workers.fraud import training
from edge_workers.fraud.metrics import roc_auc
from edge_workers.fraud.scoring import OnnxScorer
from tests.unit.fraud.fraud_model_given import committed_model_path


def test_onnx_scores_equal_lightgbms_on_the_held_out_days():
    # Given a small, fast training (2,500 accounts, 40 rounds) exported to ONNX
    train, _, test = training.periods(seed=5, accounts=2_500)
    booster = training.fit(train, rounds=40)
    scorer = OnnxScorer.from_bytes(training.to_onnx(booster), {
        "version": "parity", "feature_names": list(training.FEATURE_NAMES),
        "thresholds": {}})

    # When both score the held-out period
    onnx_scores = scorer.score_many(test.features)
    original = booster.predict(test.features)

    # Then every score agrees within 1e-5, over thousands of orders, fraud among them
    assert len(original) > 4_000 and test.labels.sum() > 50
    assert float(np.max(np.abs(onnx_scores - original))) < 1e-5


def test_the_committed_model_reproduces_its_held_out_roc_auc():
    # Given the committed model and the generator seed its meta names
    path = committed_model_path()
    meta = json.loads(path.with_suffix(".json").read_text())
    trained_on = meta["trained_on"]

    # When the held-out days are generated again and scored
    test = training.held_out(trained_on["generator_seed"], trained_on["accounts"])
    scores = OnnxScorer.from_files(path).score_many(test.features)

    # Then the ROC-AUC is the one recorded, on as many rows and frauds
    assert (len(test.labels), int(test.labels.sum())) == (
        meta["metrics"]["rows"], meta["metrics"]["fraud"])
    assert roc_auc(test.labels, scores) == pytest.approx(meta["metrics"]["roc_auc"], abs=1e-9)
