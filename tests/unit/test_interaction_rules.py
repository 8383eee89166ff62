"""The rules of interaction batches (common/domain/interactions.py, the request model of
common/api/interaction_schemas.py) and of preference features (common/domain/preferences.py):
validation, type weights, recency decay, price bands, folding and the login merge."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from common.api.interaction_schemas import RecordInteractions
from common.domain import interactions as rules
from common.domain.errors import InvalidRequest
from common.domain.events import Interaction
from common.domain.preferences import (
    HALF_LIFE,
    MAX_RECENT,
    Preferences,
    ProductFacts,
    RecentItem,
    decay,
    decayed_to,
    folded,
    merged,
    price_band,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
HEADPHONES = "11111111-1111-4111-8111-111111111111"
SOFA = "22222222-2222-4222-8222-222222222222"
FACTS = {
    HEADPHONES: ProductFacts(HEADPHONES, "vendor-a", "electronics",
                             "electronics--audio-headphones", 4_999),
    SOFA: ProductFacts(SOFA, "vendor-b", "home", "home--furniture", 45_000),
}


def event(kind="view", at=NOW, **fields):
    return {"type": kind, "at": at, "product_id": HEADPHONES, "query": None, "dwell_ms": None,
            **fields}


def at(delta: timedelta = timedelta()) -> str:
    return (NOW + delta).isoformat()


# Validation ------------------------------------------------------------------------------

def test_a_valid_batch_becomes_interactions_with_utc_times():
    cet = timezone(timedelta(hours=1))
    batch = rules.validated([event("view", NOW.astimezone(cet)),
                             event("dwell", dwell_ms=1500),
                             event("search", product_id=None, query="headphones")], NOW)

    assert batch == (Interaction("view", NOW.isoformat(), HEADPHONES),
                     Interaction("dwell", NOW.isoformat(), HEADPHONES, dwell_ms=1500),
                     Interaction("search", NOW.isoformat(), None, query="headphones"))


@pytest.mark.parametrize("item,field", [
    (event(at=NOW - timedelta(hours=24, seconds=1)), "events[0].at"),
    (event(at=NOW + timedelta(minutes=5, seconds=1)), "events[0].at"),
    (event(at=NOW.replace(tzinfo=None)), "events[0].at"),
    (event(product_id=None), "events[0].product_id"),
    (event("search", query=None, product_id=None), "events[0].query"),
    (event("search", query="x"), "events[0].product_id"),
    (event("dwell"), "events[0].dwell_ms"),
    (event("click", dwell_ms=10), "events[0].dwell_ms"),
    (event("view", query="x"), "events[0].query"),
], ids=["too-old", "too-far-ahead", "no-time-zone", "no-product", "search-without-query",
        "search-with-product", "dwell-without-ms", "ms-without-dwell", "query-without-search"])
def test_a_batch_breaking_a_rule_is_refused_naming_the_field(item, field):
    with pytest.raises(InvalidRequest) as refused:
        rules.validated([event(), item], NOW)

    assert [error["field"] for error in refused.value.extra["errors"]] == [
        field.replace("[0]", "[1]")]


def test_the_edges_of_the_time_window_are_accepted():
    batch = rules.validated([event(at=NOW - timedelta(hours=24)),
                             event(at=NOW + timedelta(minutes=5))], NOW)

    assert len(batch) == 2


@pytest.mark.parametrize("count", [0, 51], ids=["empty", "over-50"])
def test_an_empty_batch_or_one_over_50_events_is_refused(count):
    with pytest.raises(InvalidRequest):
        rules.validated([event()] * count, NOW)


@pytest.mark.parametrize("body", [
    {"events": [{"type": "like", "at": NOW.isoformat(), "product_id": HEADPHONES}]},
    {"events": [{"type": "view", "at": NOW.isoformat(), "product_id": "not-a-uuid"}]},
    {"events": [{"type": "dwell", "at": NOW.isoformat(), "product_id": HEADPHONES,
                 "dwell_ms": 3_600_001}]},
    {"events": [{"type": "search", "at": NOW.isoformat(), "query": "q" * 201}]},
    {"events": [{"type": "view", "at": NOW.isoformat(), "product_id": HEADPHONES}] * 51},
    {"events": []},
    {"device_id": "short", "events": [{"type": "view", "at": NOW.isoformat(),
                                       "product_id": HEADPHONES}]},
], ids=["unknown-type", "product-not-uuid", "dwell-too-long", "query-too-long", "51-events",
        "no-events", "device-id-too-short"])
def test_the_request_model_refuses_malformed_batches(body):
    with pytest.raises(ValidationError):
        RecordInteractions.model_validate(body)


def test_a_retried_batch_gets_the_same_id_and_another_batch_another():
    one = rules.validated([event()], NOW)
    other = rules.validated([event("click")], NOW)

    assert rules.batch_id("p" * 32, one) == rules.batch_id("p" * 32, one)
    assert rules.batch_id("p" * 32, one) != rules.batch_id("p" * 32, other)
    assert rules.batch_id("p" * 32, one) != rules.batch_id("q" * 32, one)


# Weights, decay, price bands -------------------------------------------------------------

@pytest.mark.parametrize("interaction,weight", [
    (Interaction("view", at(), HEADPHONES), 1.0),
    (Interaction("click", at(), HEADPHONES), 2.0),
    (Interaction("add_to_cart", at(), HEADPHONES), 4.0),
    (Interaction("purchase", at(), HEADPHONES), 8.0),
    (Interaction("dwell", at(), HEADPHONES, dwell_ms=30_000), 1.5),
    (Interaction("dwell", at(), HEADPHONES, dwell_ms=3_600_000), 3.0),
    (Interaction("search", at(), query="lamp"), 0.0),
], ids=["view", "click", "add-to-cart", "purchase", "half-a-minute-dwell", "hour-dwell",
        "search"])
def test_each_type_of_interaction_has_its_weight(interaction, weight):
    assert rules.weight(interaction) == weight


def test_a_weight_halves_every_half_life_and_never_grows():
    assert decay(HALF_LIFE) == 0.5
    assert decay(2 * HALF_LIFE) == 0.25
    assert decay(-HALF_LIFE) == 1.0


@pytest.mark.parametrize("amount,band", [(999, "under_10"), (1_000, "10_50"),
                                         (4_999, "10_50"), (20_000, "200_1000"),
                                         (100_000, "over_1000")])
def test_prices_fall_in_bands(amount, band):
    assert price_band(amount) == band


# Folding ---------------------------------------------------------------------------------

def test_folding_adds_decayed_weights_to_category_subcategory_vendor_and_band():
    events = [Interaction("view", at(-HALF_LIFE), HEADPHONES),
              Interaction("click", at(), HEADPHONES), Interaction("view", at(), SOFA)]

    prefs = folded(Preferences("p" * 32), events, FACTS)

    assert prefs.category_weights == {"electronics": 2.5, "electronics--audio-headphones": 2.5,
                                      "home": 1.0, "home--furniture": 1.0}
    assert prefs.vendor_weights == {"vendor-a": 2.5, "vendor-b": 1.0}
    assert prefs.price_band == {"10_50": 2.5, "200_1000": 1.0}
    assert prefs.updated_at == NOW
    assert prefs.recent == (RecentItem(SOFA, "view", at()), RecentItem(HEADPHONES, "click", at()),
                            RecentItem(HEADPHONES, "view", at(-HALF_LIFE)))
    assert prefs.bought == ()


def test_folding_in_any_order_gives_the_same_features():
    first = [Interaction("view", at(-HALF_LIFE), HEADPHONES)]
    later = [Interaction("click", at(), SOFA)]

    one_way = folded(folded(Preferences("p" * 32), first, FACTS), later, FACTS)
    other_way = folded(folded(Preferences("p" * 32), later, FACTS), first, FACTS)

    assert one_way == other_way
    assert one_way.vendor_weights == {"vendor-a": 0.5, "vendor-b": 2.0}


def test_unknown_products_and_searches_change_nothing():
    prefs = Preferences("p" * 32)
    events = [Interaction("view", at(), "33333333-3333-4333-8333-333333333333"),
              Interaction("search", at(), query="lamp")]

    assert folded(prefs, events, FACTS) is prefs


def test_a_purchase_weighs_8_and_is_remembered_as_bought():
    prefs = folded(Preferences("p" * 32), [Interaction("purchase", at(), SOFA)], FACTS)

    assert prefs.vendor_weights == {"vendor-b": 8.0}
    assert prefs.bought == (SOFA,)


def test_recent_keeps_the_newest_50():
    events = [Interaction("view", at(timedelta(seconds=-i)), HEADPHONES) for i in range(60)]

    prefs = folded(Preferences("p" * 32), events, FACTS)

    assert len(prefs.recent) == MAX_RECENT
    assert prefs.recent[0].at == at() and prefs.recent[-1].at == at(timedelta(seconds=-49))


def test_a_reader_decays_features_to_its_own_now():
    prefs = folded(Preferences("p" * 32), [Interaction("click", at(), HEADPHONES)], FACTS)

    later = decayed_to(prefs, NOW + HALF_LIFE)

    assert later.vendor_weights == {"vendor-a": 1.0}
    assert decayed_to(prefs, NOW - HALF_LIFE) is prefs


# The login merge -------------------------------------------------------------------------

def test_merging_a_device_adds_its_features_decayed_to_the_later_of_the_two():
    account = folded(Preferences("a" * 32), [Interaction("view", at(-HALF_LIFE), SOFA),
                                             Interaction("purchase", at(-HALF_LIFE), SOFA)],
                     FACTS)
    device = folded(Preferences("d" * 32), [Interaction("click", at(), HEADPHONES)], FACTS)

    result = merged(account, device)

    assert result.pseudonym == "a" * 32
    assert result.vendor_weights == {"vendor-a": 2.0, "vendor-b": 4.5}
    assert result.bought == (SOFA,)
    assert result.updated_at == NOW
    assert [item.product_id for item in result.recent] == [HEADPHONES, SOFA, SOFA]


def test_merging_an_empty_device_changes_nothing():
    account = folded(Preferences("a" * 32), [Interaction("view", at(), SOFA)], FACTS)

    assert merged(account, Preferences("d" * 32)) == account
