"""Decides on an order: the model's score against its thresholds, with the rules as a floor."""

from __future__ import annotations

from typing import Protocol

from common.domain.fraud import Action, FraudDecision
from edge_workers.fraud.features import FEATURE_NAMES, OrderFacts, vector
from edge_workers.fraud.rules import blocks_account, rule_action, rule_reasons

_SEVERITY: dict[Action, int] = {"allow": 0, "review": 1, "block": 2}
TOP_FEATURES = 2  # how many of the model's strongest features a decision names
MIN_SHARE = 0.2  # a feature named must account for at least this share of the score


class Scorer(Protocol):
    """What decide() needs of a model (OnnxScorer; fakes in tests)."""

    version: str
    thresholds: dict[str, float]
    meta: dict

    def score(self, vector: list[float]) -> float: ...

    def score_many(self, vectors: list[list[float]]): ...


def model_action(score: float, thresholds: dict[str, float]) -> Action:
    """The model's own decision from its score."""
    if score >= thresholds["block"]:
        return "block"
    if score >= thresholds["review"]:
        return "review"
    return "allow"


def combine(rules: Action, model: Action) -> Action:
    """The stricter of the two, except that a rule's review stays a review for a person.

    The review rules match patterns that honest buyers share (large first purchases, buyers
    abroad), so the model may hold such an order but not reject it on its own.
    """
    if rules == "review":
        return "review"
    return rules if _SEVERITY[rules] >= _SEVERITY[model] else model


def decide(facts: OrderFacts, scorer: Scorer) -> FraudDecision:
    """allow, review or block, with the score, the reasons and the model's version."""
    features = vector(facts)
    score = scorer.score(features)
    action = combine(rule_action(facts), model_action(score, scorer.thresholds))
    block_account = action == "block" and (
        blocks_account(facts) or score >= scorer.thresholds["block_account"])
    reasons = rule_reasons(facts)
    if action != "allow":
        reasons += model_reasons(features, score, scorer)
    return FraudDecision(action=action, score=round(score, 6), reasons=reasons,
                         model_version=scorer.version, block_account=block_account)


def model_reasons(features: list[float], score: float, scorer: Scorer) -> tuple[str, ...]:
    """The features that raise the score most: each set back to a typical honest value."""
    baseline = scorer.meta.get("baseline", {})
    names = [name for name in FEATURE_NAMES if name in baseline]
    if not names:
        return ()
    variants = []
    for name in names:
        variant = list(features)
        variant[FEATURE_NAMES.index(name)] = float(baseline[name])
        variants.append(variant)
    drops = [score - float(s) for s in scorer.score_many(variants)]
    ranked = sorted(zip(drops, names, strict=True), reverse=True)[:TOP_FEATURES]
    return tuple(f"model: {name} = {features[FEATURE_NAMES.index(name)]:g}"
                 for drop, name in ranked if drop > 0 and drop >= MIN_SHARE * score)
