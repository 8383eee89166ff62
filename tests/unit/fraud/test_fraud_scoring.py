"""OnnxScorer: the committed model and meta, loaded as the worker loads them."""

import json

import pytest

from edge_workers.fraud.features import FEATURE_NAMES, vector
from edge_workers.fraud.scoring import ModelMismatch, OnnxScorer
from tests.unit.fraud.fraud_model_given import REGULAR, committed_model_path


def test_from_files_reads_the_model_and_its_meta():
    # Given the committed model file and the .json beside it
    path = committed_model_path()
    meta = json.loads(path.with_suffix(".json").read_text())

    # When it is loaded
    scorer = OnnxScorer.from_files(path)

    # Then version and thresholds come from the meta, ordered review < block < block_account
    assert path.name == f"fraud-{meta['version']}.onnx"
    assert scorer.version == meta["version"]
    t = scorer.thresholds
    assert 0 < t["review"] < t["block"] < t["block_account"] < 1


def test_score_is_a_probability_and_equals_the_batch_score():
    # Given the committed model
    scorer = OnnxScorer.from_files(committed_model_path())

    # When one regular order is scored alone and in a batch
    single = scorer.score(vector(REGULAR))
    batch = scorer.score_many([vector(REGULAR), vector(REGULAR)])

    # Then it is in [0, 1] and the same both ways
    assert 0.0 <= single <= 1.0
    assert list(batch) == [pytest.approx(single, abs=1e-7)] * 2


def test_a_meta_with_other_feature_names_is_refused():
    # Given the committed model bytes and a meta naming other features
    path = committed_model_path()
    meta = {**json.loads(path.with_suffix(".json").read_text()),
            "feature_names": list(reversed(FEATURE_NAMES))}

    # When a scorer is made
    # Then it is refused: the encoding would not match
    with pytest.raises(ModelMismatch):
        OnnxScorer.from_bytes(path.read_bytes(), meta)
