"""decide(): the committed model against its thresholds, the rules as a floor; the canonical
decisions the order path's end-to-end tests are built on."""

from dataclasses import replace

import pytest

from edge_workers.fraud.decision import combine, decide, model_action
from edge_workers.fraud.features import FEATURE_NAMES
from tests.unit.fraud.fraud_model_given import REGULAR, committed_scorer, fresh

SCORER = committed_scorer()


class FixedScorer:
    """A model that gives every order the same score (to test decide()'s own logic)."""

    def __init__(self, score: float) -> None:
        self._score = score
        self.version = "fixed-1"
        self.thresholds = {"review": 0.2, "block": 0.6, "block_account": 0.9}
        self.meta = {"baseline": {}}

    def score(self, vector):
        return self._score

    def score_many(self, vectors):
        return [self._score for _ in vectors]


def test_canonical_block_five_declines_on_one_device_blocks_order_and_account():
    # Given a regular customer's order from a device with 5 declined payments in 24 h
    facts = replace(REGULAR, declines_device_24h=5)

    # When the committed model decides
    decision = decide(facts, SCORER)

    # Then the order and the account are blocked, and the reason says why
    assert (decision.action, decision.block_account) == ("block", True)
    assert decision.reasons[0] == "5 declined payments on this device in 24 h"
    assert decision.model_version == SCORER.version


def test_canonical_block_five_cards_on_one_device():
    # Given an order from a device that used 5 cards in 24 h
    # When the committed model decides
    decision = decide(replace(REGULAR, cards_device_24h=5), SCORER)

    # Then the order and the account are blocked
    assert (decision.action, decision.block_account) == ("block", True)


@pytest.mark.parametrize("amount", [50_000, 120_000, 300_000])
def test_canonical_review_high_first_order_abroad_is_held_not_blocked(amount):
    # Given a fresh customer's first order of >= EUR 500 shipped outside the client's country
    facts = fresh(amount=amount, country_mismatch=True)

    # When the committed model decides
    decision = decide(facts, SCORER)

    # Then it is held for a person, the account left alone
    assert (decision.action, decision.block_account) == ("review", False)
    assert decision.reasons[0].startswith(f"first order of EUR {amount // 100} ")


def test_canonical_allow_regular_customer():
    # Given a 30-day-old account with 5 orders of EUR 50 on average, ordering EUR 40
    # When the committed model decides
    decision = decide(REGULAR, SCORER)

    # Then it is allowed, with no reasons and a score under the review threshold
    assert (decision.action, decision.reasons, decision.block_account) == ("allow", (), False)
    assert decision.score < SCORER.thresholds["review"]


@pytest.mark.parametrize("method", ["card", "paypal", "bank_transfer"])
@pytest.mark.parametrize("amount", [500, 2_500, 10_000])
@pytest.mark.parametrize("earlier", [0, 1, 2, 3, 4])
def test_a_fresh_customers_small_orders_in_a_row_are_allowed(method, amount, earlier):
    # Given a customer registered minutes ago, no device id or IP known (as e2e tests run),
    # with `earlier` orders of the same amount in the last hour
    facts = replace(fresh(amount=amount, method=method), prior_orders=earlier,
                    prior_amount_mean=float(amount if earlier else 0),
                    orders_account_1h=earlier, cards_account_24h=min(earlier, 1))

    # When the committed model decides
    # Then it is allowed
    assert decide(facts, SCORER).action == "allow"


@pytest.mark.parametrize("amount", [30_000, 49_999])
def test_a_fresh_customers_first_order_at_home_under_500_is_allowed(amount):
    # Given a customer registered minutes ago, ordering up to EUR 499.99 shipped at home
    # When the committed model decides
    # Then it is allowed
    assert decide(fresh(amount=amount), SCORER).action == "allow"


@pytest.mark.parametrize("declines", [0, 1, 2, 3, 4])
def test_declined_orders_before_the_fifth_are_allowed(declines):
    # Given a fresh customer on one device, the same test card declined `declines` times
    facts = replace(fresh(amount=2_500), prior_orders=declines,
                    prior_amount_mean=2_500.0 if declines else 0.0,
                    orders_account_1h=declines, orders_device_1h=declines,
                    declines_account_24h=declines, declines_device_24h=declines,
                    cards_account_24h=min(declines, 1), cards_device_24h=min(declines, 1),
                    accounts_on_device_30d=min(declines, 1))

    # When the committed model decides
    # Then the order goes on (to be declined by the payment provider)
    assert decide(facts, SCORER).action == "allow"


@pytest.mark.parametrize("score, action", [(0.1, "allow"), (0.2, "review"), (0.6, "block")])
def test_model_action_compares_the_score_with_the_thresholds(score, action):
    # Given thresholds review 0.2, block 0.6
    # When a score is compared
    # Then the action follows
    assert model_action(score, {"review": 0.2, "block": 0.6}) == action


@pytest.mark.parametrize("rules, model, action", [
    ("allow", "block", "block"), ("block", "allow", "block"), ("allow", "review", "review"),
    ("review", "block", "review"), ("review", "allow", "review"), ("allow", "allow", "allow"),
])
def test_combine_takes_the_stricter_but_keeps_a_rules_review_for_a_person(rules, model, action):
    # Given the rules' and the model's actions
    # When they are combined
    # Then the stricter wins, except that the model cannot turn a rules' review into a block
    assert combine(rules, model) == action


def test_the_model_alone_blocks_and_blocks_the_account_above_its_threshold():
    # Given a model scoring 0.95 (above block 0.6 and block_account 0.9) and nothing for rules
    # When it decides on a regular order
    decision = decide(REGULAR, FixedScorer(0.95))

    # Then the order and account are blocked, with the model's score and version
    assert decision == decision.__class__("block", 0.95, (), "fixed-1", block_account=True)


def test_the_model_alone_blocks_the_order_but_not_the_account_below_that_threshold():
    # Given a model scoring 0.7
    # When it decides on a regular order
    decision = decide(REGULAR, FixedScorer(0.7))

    # Then the order is blocked, not the account
    assert (decision.action, decision.block_account) == ("block", False)


def test_a_low_score_cannot_lower_the_rules_block():
    # Given a model scoring 0 on an order after 5 declines
    # When it decides
    decision = decide(replace(REGULAR, declines_device_24h=5), FixedScorer(0.0))

    # Then the rules' block stands, with the account
    assert (decision.action, decision.block_account, decision.score) == ("block", True, 0.0)


def test_a_flagged_order_names_the_features_that_raise_the_committed_models_score():
    # Given a velocity burst: 8 orders in an hour from one device by an account a day old
    facts = replace(fresh(amount=15_000), account_age_days=1.0, prior_orders=8,
                    prior_amount_mean=15_000.0, orders_account_1h=8, orders_device_1h=8,
                    cards_device_24h=1, cards_account_24h=1, accounts_on_device_30d=1)

    # When the committed model decides
    decision = decide(facts, SCORER)

    # Then it is held or blocked, the rule's reason first, then named model features
    assert decision.action in ("review", "block")
    assert decision.reasons[0] == "8 orders in an hour from this account, device or IP"
    model_reasons = [r for r in decision.reasons if r.startswith("model: ")]
    assert 1 <= len(model_reasons) <= 2
    assert all(r.split(" = ")[0].removeprefix("model: ") in FEATURE_NAMES
               for r in model_reasons)
