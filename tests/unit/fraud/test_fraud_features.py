"""The fraud model's one encoding of an order's facts."""

from dataclasses import replace

from edge_workers.fraud.features import FEATURE_NAMES, METHODS, amount_ratio, vector
from tests.unit.fraud.fraud_model_given import REGULAR, fresh


def test_vector_has_one_number_per_feature_name_in_order():
    # Given a regular order by card
    # When it is encoded
    values = vector(REGULAR)

    # Then each feature name has its value, the method one-hot, the ratio to the mean
    assert len(values) == len(FEATURE_NAMES)
    named = dict(zip(FEATURE_NAMES, values, strict=True))
    assert named["amount"] == 4_000.0
    assert named["prior_orders"] == 5.0
    assert named["amount_to_prior_mean"] == 0.8
    assert named["new_device"] == 0.0
    assert [named[f"method_{m}"] for m in METHODS] == [1.0, 0.0, 0.0]


def test_vector_encodes_flags_as_ones_and_paypal_in_its_column():
    # Given an order with every flag set, paid with PayPal
    facts = replace(REGULAR, new_device=True, password_reset_24h=True, country_mismatch=True,
                    method="paypal")

    # When it is encoded
    named = dict(zip(FEATURE_NAMES, vector(facts), strict=True))

    # Then the flags are 1 and only the PayPal column is set
    assert (named["new_device"], named["password_reset_24h"], named["country_mismatch"]) == (
        1.0, 1.0, 1.0)
    assert [named[f"method_{m}"] for m in METHODS] == [0.0, 1.0, 0.0]


def test_vector_sets_no_method_column_for_an_unknown_method():
    # Given an order paid by a method the model never saw
    # When it is encoded
    named = dict(zip(FEATURE_NAMES, vector(replace(REGULAR, method="cash")), strict=True))

    # Then no method column is set
    assert [named[f"method_{m}"] for m in METHODS] == [0.0, 0.0, 0.0]


def test_amount_ratio_is_zero_for_a_first_order():
    # Given a first order of EUR 500
    # When its ratio to the mean past order is taken
    # Then it is 0: there is no past order
    assert amount_ratio(fresh(amount=50_000)) == 0.0
