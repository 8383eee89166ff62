"""Fraud model quality on the held-out days (60-89) of the seeded generator: the committed
model against the hand-written rules, overall and per pattern; decide() latency in process
beside a bare Python call. `python -m bench.fraud_quality` prints the section."""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report import table  # noqa: E402
from edge_workers.fraud import generator, training  # noqa: E402
from edge_workers.fraud.committed_models import newest_model_path  # noqa: E402
from edge_workers.fraud.decision import decide  # noqa: E402
from edge_workers.fraud.features import OrderFacts  # noqa: E402
from edge_workers.fraud.metrics import pr_auc, rates, roc_auc, threshold_at_fpr  # noqa: E402
from edge_workers.fraud.scoring import OnnxScorer  # noqa: E402

CALLS = 10_000
GOAL_RECALL = 0.85  # at 0.1 % false positives


@dataclass
class FraudQuality:
    """What the benchmark measured."""

    version: str
    rows: int
    generate_s: float
    held_out: dict[str, Any]
    per_pattern: list[list[str]]
    latency_us: dict[str, tuple[float, float]]


def _model() -> tuple[Path, dict[str, Any]]:
    """The newest committed model and its meta."""
    path = newest_model_path()
    return path, json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def _quantiles_us(call: Callable[[OrderFacts], Any], facts: list[OrderFacts]) -> tuple[
        float, float]:
    """p50 and p99 of one call's wall time, in microseconds."""
    times = []
    for item in facts:
        start = time.perf_counter_ns()
        call(item)
        times.append(time.perf_counter_ns() - start)
    p50, p99 = np.percentile(np.asarray(times, dtype=np.float64) / 1_000, [50, 99])
    return float(p50), float(p99)


def _baseline(facts: OrderFacts) -> OrderFacts:
    """A bare Python function call, the floor of any in-process decision."""
    return facts


def _held_out(labels: np.ndarray, scores: np.ndarray, rules: np.ndarray,
              cut: dict[str, float]) -> dict[str, Any]:
    """Overall metrics of the model and of the rules alone."""
    return {"fraud": int(labels.sum()), "honest": int((1 - labels).sum()),
            "roc_auc": roc_auc(labels, scores), "pr_auc": pr_auc(labels, scores),
            "recall_at_0.1pct": rates(labels, scores >= threshold_at_fpr(labels, scores,
                                                                           0.001))["recall"],
            "model_review": rates(labels, scores >= cut["review"]),
            "model_block": rates(labels, scores >= cut["block"]),
            "rules_flag": rates(labels, rules != "allow"),
            "rules_block": rates(labels, rules == "block")}


def _per_pattern(test: training.Split, scores: np.ndarray,
                 cut: dict[str, float]) -> list[list[str]]:
    """Share of each pattern's orders flagged by model and rules (look-alikes: false flags)."""
    body = []
    for pattern in sorted(set(test.patterns)):
        mine = test.patterns == pattern
        body.append([pattern, "fraud" if test.labels[mine][0] else "honest",
                     f"{int(mine.sum()):,}",
                     f"{(scores[mine] >= cut['review']).mean():.3f}",
                     f"{(scores[mine] >= cut['block']).mean():.3f}",
                     f"{(test.rule_actions[mine] != 'allow').mean():.3f}",
                     f"{(test.rule_actions[mine] == 'block').mean():.3f}"])
    return body


def run(quick: bool = False, say: Callable[[str], None] = print) -> FraudQuality:
    """Regenerate the held-out days, score them, time decide()."""
    path, meta = _model()
    scorer = OnnxScorer.from_files(path)
    seed, accounts = meta["trained_on"]["generator_seed"], meta["trained_on"]["accounts"]
    say(f"  generating {accounts:,} accounts over {generator.DAYS} days (seed {seed})")
    start = time.perf_counter()
    rows = generator.generate(seed=seed, accounts=accounts)
    generate_s = time.perf_counter() - start
    test = training.split(rows, range(training.VALIDATION_DAYS.stop, generator.DAYS))
    scores = scorer.score_many(test.features)
    test_facts = [row.facts for row in rows if row.day >= training.VALIDATION_DAYS.stop]
    sample = random.Random(1).sample(test_facts, 1_000 if quick else CALLS)
    flagged = [f for f, s in zip(test_facts, scores, strict=True)
               if s >= scorer.thresholds["review"]][:1_000]
    say(f"  timing decide() over {len(sample):,} orders")
    latency = {"bare Python call": _quantiles_us(_baseline, sample),
               "decide(), all orders": _quantiles_us(lambda f: decide(f, scorer), sample),
               "decide(), flagged orders": _quantiles_us(lambda f: decide(f, scorer), flagged)}
    return FraudQuality(meta["version"], len(rows), generate_s,
                        _held_out(test.labels, scores, test.rule_actions, scorer.thresholds),
                        _per_pattern(test, scores, scorer.thresholds), latency)


METHOD = (
    "The committed model `fraud-{version}` scored on the held-out days 60-89 of the seeded "
    "generator ({rows:,} orders over 90 days, generated in {generate_s:.1f} s): "
    "{fraud:,} fraud, {honest:,} honest orders. Thresholds were chosen on days 50-59 "
    "(review at 1 % false positives, block at 0.1 %); the rules are "
    "`edge_workers/fraud/rules.py` alone. Recall is of fraud orders, FPR of honest ones.")


def section(result: FraudQuality, where: str) -> str:
    """The benchmark's section of docs/benchmarks.md."""
    m = result.held_out
    overall = [[name, f"{m[key]['recall']:.3f}", f"{m[key]['fpr'] * 100:.3f} %"] for name, key in
               (("model ≥ review", "model_review"), ("model ≥ block", "model_block"),
                ("rules flag (review or block)", "rules_flag"), ("rules block", "rules_block"))]
    goal = "met" if m["recall_at_0.1pct"] >= GOAL_RECALL else "NOT met"
    return "\n\n".join([
        "## Fraud model quality", f"Measured {where}.",
        METHOD.format(version=result.version, rows=result.rows, generate_s=result.generate_s,
                      fraud=m["fraud"], honest=m["honest"]),
        f"ROC-AUC {m['roc_auc']:.4f}, PR-AUC {m['pr_auc']:.4f}, recall at 0.1 % FPR "
        f"{m['recall_at_0.1pct']:.3f} (goal ≥ {GOAL_RECALL}: {goal}).",
        table(["decision", "recall", "FPR"], overall),
        "Per pattern, the share of its orders flagged (for honest look-alikes: false flags):",
        table(["pattern", "is", "orders", "model review", "model block", "rules flag",
               "rules block"], result.per_pattern),
        "Decision latency in process (p50 / p99, µs):",
        table(["call", "p50 µs", "p99 µs"],
              [[name, f"{p50:.1f}", f"{p99:.1f}"]
               for name, (p50, p99) in result.latency_us.items()]),
    ])


if __name__ == "__main__":
    print(section(run(quick="--quick" in sys.argv), "in process on this machine"))
