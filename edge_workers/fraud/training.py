"""Trains the fraud model: LightGBM on days 0-49, thresholds on 50-59, tested on 60-89, exported
to ONNX and checked against the original; writes fraud-<version>.onnx, its .json meta.

`python -m edge_workers.fraud.training --out edge_workers/fraud/model` (or `nox -s train-fraud`).
Needs train-requirements.txt (lightgbm, onnxmltools, onnx); the worker needs none of them.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge_workers.fraud import generator
from edge_workers.fraud.features import FEATURE_NAMES, vector
from edge_workers.fraud.metrics import pr_auc, rates, roc_auc, threshold_at_fpr
from edge_workers.fraud.rules import rule_action

TRAIN_DAYS, VALIDATION_DAYS = range(0, 50), range(50, 60)
REVIEW_FPR, BLOCK_FPR, BLOCK_ACCOUNT_FPR = 0.01, 0.001, 0.0002
PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 40,
    "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "seed": 7, "deterministic": True, "force_row_wise": True, "num_threads": 2,
    "verbose": -1,
}


@dataclass(frozen=True)
class Split:
    """Feature matrix, labels and patterns of one period."""

    features: np.ndarray
    labels: np.ndarray
    patterns: np.ndarray
    rule_actions: np.ndarray


def split(rows: list[generator.Row], days: range) -> Split:
    """The rows of some days, as float32 arrays (what the ONNX model is fed)."""
    chosen = [row for row in rows if row.day in days]
    return Split(
        features=np.asarray([vector(row.facts) for row in chosen], dtype=np.float32),
        labels=np.asarray([row.label for row in chosen], dtype=np.int8),
        patterns=np.asarray([row.pattern for row in chosen]),
        rule_actions=np.asarray([rule_action(row.facts) for row in chosen]))


def periods(seed: int, accounts: int) -> tuple[Split, Split, Split]:
    """Training, validation and test periods of one generated dataset."""
    rows = generator.generate(seed=seed, accounts=accounts)
    return (split(rows, TRAIN_DAYS), split(rows, VALIDATION_DAYS),
            split(rows, range(VALIDATION_DAYS.stop, generator.DAYS)))


def held_out(seed: int, accounts: int) -> Split:
    """The test period alone (days 60-89), for checks that need no training."""
    rows = generator.generate(seed=seed, accounts=accounts)
    return split(rows, range(VALIDATION_DAYS.stop, generator.DAYS))


def fit(train: Split, rounds: int = 300) -> Any:
    """A LightGBM booster over the training period (no native categorical features)."""
    import lightgbm  # the training tools only

    data = lightgbm.Dataset(train.features, label=train.labels,
                            feature_name=list(FEATURE_NAMES), free_raw_data=False)
    return lightgbm.train(PARAMS, data, num_boost_round=rounds)


def to_onnx(booster: Any) -> bytes:
    """The booster as an ONNX classifier (probabilities as a tensor, no zipmap)."""
    import onnxmltools  # type: ignore[import-untyped]  # the training tools only
    from onnxmltools.convert.common.data_types import (  # type: ignore[import-untyped]
        FloatTensorType,
    )

    model = onnxmltools.convert_lightgbm(
        booster, initial_types=[("features", FloatTensorType([None, len(FEATURE_NAMES)]))],
        zipmap=False, target_opset=15)
    return bytes(model.SerializeToString())


def thresholds(validation: Split, scores: np.ndarray) -> dict[str, float]:
    """Review, block and block-account thresholds at their false-positive rates."""
    return {name: threshold_at_fpr(validation.labels, scores, fpr) for name, fpr in
            (("review", REVIEW_FPR), ("block", BLOCK_FPR),
             ("block_account", BLOCK_ACCOUNT_FPR))}


def evaluate(test: Split, scores: np.ndarray, cut: dict[str, float]) -> dict[str, Any]:
    """The held-out period's metrics: model and rules, overall and per pattern."""
    labels = test.labels
    report: dict[str, Any] = {
        "rows": int(len(labels)), "fraud": int(labels.sum()),
        "roc_auc": roc_auc(labels, scores), "pr_auc": pr_auc(labels, scores),
        "recall_at_0.1pct_fpr": rates(
            labels, scores >= threshold_at_fpr(labels, scores, 0.001))["recall"],
        "review": rates(labels, scores >= cut["review"]),
        "block": rates(labels, scores >= cut["block"]),
        "rules_flag": rates(labels, test.rule_actions != "allow"),
        "rules_block": rates(labels, test.rule_actions == "block"),
        "per_pattern": {},
    }
    for pattern in sorted(set(test.patterns[labels == 1])):
        mine = test.patterns == pattern
        report["per_pattern"][pattern] = {
            "rows": int(mine.sum()),
            "model_review": float((scores[mine] >= cut["review"]).mean()),
            "model_block": float((scores[mine] >= cut["block"]).mean()),
            "rules_flag": float((test.rule_actions[mine] != "allow").mean())}
    return report


def baseline(train: Split) -> dict[str, float]:
    """Typical honest values of each feature (the medians), to explain a score."""
    honest = train.features[train.labels == 0]
    return {name: float(np.median(honest[:, k])) for k, name in enumerate(FEATURE_NAMES)}


def train(version: str, seed: int = generator.SEED, accounts: int = 30_000,
          rounds: int = 300) -> tuple[bytes, dict[str, Any], float]:
    """Model bytes, meta, and the largest ONNX-vs-LightGBM score difference on the test set."""
    from edge_workers.fraud.scoring import OnnxScorer

    training, validation, test = periods(seed, accounts)
    booster = fit(training, rounds)
    model = to_onnx(booster)
    probe = OnnxScorer.from_bytes(model, {"version": version, "feature_names": FEATURE_NAMES,
                                          "thresholds": {}})
    cut = thresholds(validation, probe.score_many(validation.features))
    test_scores = probe.score_many(test.features)
    parity = float(np.max(np.abs(test_scores - booster.predict(test.features))))
    meta = {
        "version": version, "feature_names": list(FEATURE_NAMES), "thresholds": cut,
        "metrics": evaluate(test, test_scores, cut), "baseline": baseline(training),
        "trained_on": {"generator_seed": seed, "accounts": accounts, "rounds": rounds,
                       "train_days": [0, 49], "validation_days": [50, 59],
                       "test_days": [60, generator.DAYS - 1], "params": PARAMS},
        "onnx_parity_max_abs_diff": parity,
    }
    return model, meta, parity


def write(out: Path, model: bytes, meta: dict[str, Any]) -> Path:
    """fraud-<version>.onnx and fraud-<version>.json in out."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"fraud-{meta['version']}.onnx"
    path.write_bytes(model)
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """Train, check parity, write the model, print the report."""
    parser = argparse.ArgumentParser(prog="python -m edge_workers.fraud.training")
    parser.add_argument("--out", type=Path, default=Path("edge_workers/fraud/model"))
    parser.add_argument("--version", default="2026-12-01.1")
    parser.add_argument("--seed", type=int, default=generator.SEED)
    args = parser.parse_args(argv)
    model, meta, parity = train(args.version, seed=args.seed)
    if parity >= 1e-5:
        raise SystemExit(f"ONNX scores differ from LightGBM's by {parity:.2e}: not written")
    path = write(args.out, model, meta)
    print(json.dumps({"model": str(path), "thresholds": meta["thresholds"],
                      "metrics": meta["metrics"], "parity": parity}, indent=2))


if __name__ == "__main__":
    main()
