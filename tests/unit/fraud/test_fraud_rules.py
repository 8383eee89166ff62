"""The hand-written fraud rules: their decision and their reasons in words."""

from dataclasses import replace

import pytest

from edge_workers.fraud.rules import blocks_account, rule_action, rule_reasons
from tests.unit.fraud.fraud_model_given import REGULAR, fresh


@pytest.mark.parametrize("changes, action", [
    pytest.param({}, "allow", id="regular-order"),
    pytest.param({"declines_device_24h": 5}, "block", id="five-declines-on-device"),
    pytest.param({"declines_device_24h": 4}, "allow", id="four-declines-on-device"),
    pytest.param({"cards_device_24h": 5}, "block", id="five-cards-on-device"),
    pytest.param({"orders_ip_1h": 5}, "review", id="five-orders-from-ip-in-an-hour"),
    pytest.param({"password_reset_24h": True, "new_device": True, "amount": 25_000},
                 "review", id="reset-new-device-five-times-the-mean"),
    pytest.param({"password_reset_24h": True, "new_device": True, "amount": 24_999},
                 "allow", id="reset-new-device-usual-amount"),
])
def test_rule_action_of_a_regular_customer(changes, action):
    # Given a regular customer's order with some facts changed
    facts = replace(REGULAR, **changes)

    # When the rules decide
    # Then they give the expected action
    assert rule_action(facts) == action


@pytest.mark.parametrize("changes, action", [
    pytest.param({"amount": 50_000, "country_mismatch": True}, "review", id="500-abroad"),
    pytest.param({"amount": 49_999, "country_mismatch": True}, "allow", id="499-abroad"),
    pytest.param({"amount": 50_000}, "allow", id="500-at-home"),
])
def test_rule_action_of_a_first_order(changes, action):
    # Given a fresh customer's first order
    # When the rules decide
    # Then only a high first order shipped abroad is held
    assert rule_action(fresh(**changes)) == action


def test_rule_reasons_say_what_was_seen_in_words():
    # Given an order after 5 declines and 6 cards on the device
    facts = replace(REGULAR, declines_device_24h=5, cards_device_24h=6)

    # When the rules explain
    # Then both are named with their numbers, and card testing blocks the account
    assert rule_reasons(facts) == ("5 declined payments on this device in 24 h",
                                   "6 different cards on this device in 24 h")
    assert blocks_account(facts) is True


def test_rule_reasons_of_a_high_first_order_abroad_name_the_amount():
    # Given a first order of EUR 612.34 shipped abroad
    # When the rules explain
    # Then the reason names the whole euros
    assert rule_reasons(fresh(amount=61_234, country_mismatch=True)) == (
        "first order of EUR 612 shipped outside the client's country",)


def test_a_regular_order_has_no_reasons_and_blocks_no_account():
    # Given a regular order
    # When the rules explain
    # Then there is nothing to say
    assert rule_reasons(REGULAR) == ()
    assert blocks_account(REGULAR) is False
