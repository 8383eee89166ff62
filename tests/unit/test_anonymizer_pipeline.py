"""The anonymization pipeline, pure: zone pseudonyms (and the previous key's during a
rotation), times cut to the hour, text scrubbed, properties allow-listed, nothing raw left."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest

from common.domain.errors import InvalidRequest
from common.domain.pseudonyms import pseudonym
from common.domain.residency import zone_of
from edge_workers.anonymizer.coarsening import coarse_properties, device_class, value_band
from edge_workers.anonymizer.keys import ZoneKeys
from edge_workers.anonymizer.pipeline import Client, analytics_messages, interactions_message

NOW = datetime(2026, 12, 1, 17, 42, 13, tzinfo=timezone.utc)
KEYS = {"eu": [b"eu-key-now", b"eu-key-before"], "americas": [b"am-key"], "asia": [b"as-key"]}
ACCOUNT, DEVICE, PRODUCT = str(uuid.uuid4()), "device-4f1e2c9a", str(uuid.uuid4())
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def keys() -> ZoneKeys:
    return ZoneKeys(KEYS, "eu")


def client(**changes) -> Client:  # noqa: ANN003
    values = {"account_id": ACCOUNT, "device_id": DEVICE, "country": "DE",
              "user_agent": PHONE_UA, "known": ("anna@example.com", "Anna Berg", "203.0.113.7")}
    return Client(**{**values, **changes})


def test_an_interaction_batch_is_keyed_by_the_zones_current_and_previous_pseudonyms():
    # Given a signed-in client in Germany (zone eu, whose key is being rotated)
    events = [{"type": "view", "at": NOW, "product_id": PRODUCT}]

    # When its batch goes through the pipeline
    message = interactions_message(client(), events, key=keys().of("DE"), now=NOW)

    # Then it is keyed by the account's pseudonym under the current key, the previous
    # key's pseudonym rides along, and the time is cut to the hour
    payload = message.body["payload"]
    assert (message.topic, message.type) == ("interactions", "interactions.received")
    assert payload["pseudonym"] == pseudonym("account", ACCOUNT, b"eu-key-now")
    assert payload["previous_pseudonym"] == pseudonym("account", ACCOUNT, b"eu-key-before")
    assert payload["device_pseudonym"] == pseudonym("device", DEVICE, b"eu-key-now")
    assert payload["zone"] == "eu"
    assert payload["events"] == [{"type": "view", "at": "2026-12-01T17:00:00+00:00",
                                  "product_id": PRODUCT, "query": None, "dwell_ms": None}]
    assert message.body["occurred_at"] == "2026-12-01T17:00:00+00:00"


def test_a_retried_batch_has_the_same_event_id_and_another_batch_of_the_hour_another():
    events = [{"type": "click", "at": NOW, "product_id": PRODUCT}]
    later = [{"type": "click", "at": NOW.replace(minute=10), "product_id": PRODUCT}]

    first = interactions_message(client(), events, key=keys().of("DE"), now=NOW)
    again = interactions_message(client(), events, key=keys().of("DE"), now=NOW)
    other = interactions_message(client(), later, key=keys().of("DE"), now=NOW)

    assert first.id == again.id != other.id


@pytest.mark.parametrize("country, zone, key", [
    ("FR", "eu", b"eu-key-now"), ("US", "americas", b"am-key"), ("BR", "americas", b"am-key"),
    ("JP", "asia", b"as-key"), ("AU", "asia", b"as-key"), (None, "eu", b"eu-key-now"),
], ids=["france", "usa", "brazil", "japan", "australia", "no-region-header"])
def test_the_zone_and_its_key_come_from_the_clients_country(country, zone, key):
    message = interactions_message(client(account_id=None, country=country),
                                   [{"type": "view", "at": NOW, "product_id": PRODUCT}],
                                   key=keys().of(country), now=NOW)

    assert message.body["payload"]["zone"] == zone
    assert message.body["payload"]["pseudonym"] == pseudonym("device", DEVICE, key)
    previous = pseudonym("device", DEVICE, b"eu-key-before") if zone == "eu" else None
    assert message.body["payload"]["previous_pseudonym"] == previous  # only eu rotates here


def test_a_search_query_is_scrubbed_of_the_senders_identifiers_and_recognized_data():
    events = [{"type": "search", "at": NOW, "query": "gift for anna@example.com +49 170 1234567"}]

    message = interactions_message(client(), events, key=keys().of("DE"), now=NOW)

    assert message.body["payload"]["events"][0]["query"] == "gift for <ID> <PHONE>"


def test_an_anonymous_batch_without_a_device_is_refused():
    with pytest.raises(InvalidRequest) as refused:
        interactions_message(client(account_id=None, device_id=None),
                             [{"type": "view", "at": NOW, "product_id": PRODUCT}],
                             key=keys().of("DE"), now=NOW)
    assert refused.value.extra["errors"][0]["field"] == "X-Device-Id"


def test_an_analytics_event_keeps_only_coarse_allowed_fields_and_nothing_raw():
    # Given an event with allowed, coarsened and unknown properties and personal free text
    raw = {"type": "checkout_started", "at": NOW, "product_id": PRODUCT,
           "properties": {"value": 12_345, "currency": "EUR", "city": "Berlin",
                          "email": "anna@example.com", "screen": "cart", "quantity": 45},
           "text": "Hi, I am Anna Berg, IBAN DE89 3704 0044 0532 0130 00"}

    # When it goes through the pipeline
    [message] = analytics_messages(client(), [raw], key=keys().of("DE"), now=NOW)

    # Then only coarse, allow-listed values leave, and no raw value is anywhere in it
    payload = message.body["payload"]
    assert (message.topic, message.type) == ("analytics", "analytics.event")
    assert payload == {
        "pseudonym": pseudonym("account", ACCOUNT, b"eu-key-now"),
        "previous_pseudonym": pseudonym("account", ACCOUNT, b"eu-key-before"),
        "zone": "eu", "event_type": "checkout_started", "at_hour": "2026-12-01T17:00:00+00:00",
        "country": "DE", "device_class": "mobile", "product_id": PRODUCT,
        "properties": {"value_band": "50-200", "currency": "EUR", "screen": "cart",
                       "quantity": 20, "text": "Hi, I am <ID>, IBAN <IBAN>"}}
    text = json.dumps(message.body)
    for value in (ACCOUNT, DEVICE, "anna@example.com", "Anna", "Berlin", "203.0.113.7",
                  "iPhone", "12345", "17:42"):
        assert value not in text, value


def test_an_analytics_event_outside_the_last_day_is_refused():
    raw = {"type": "page_view", "at": NOW.replace(day=2, month=11)}
    with pytest.raises(InvalidRequest):
        analytics_messages(client(), [raw], key=keys().of("DE"), now=NOW)


@pytest.mark.parametrize("agent, kind", [
    (PHONE_UA, "mobile"), ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)", "tablet"),
    ("Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Safari/537.36", "tablet"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36",
     "mobile"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", "desktop"),
    ("Googlebot/2.1 (+http://www.google.com/bot.html)", "bot"), ("", "other"),
    ("SomethingElse/1.0", "other")],
    ids=["iphone", "ipad", "android-tablet", "android-phone", "windows", "bot", "empty",
         "unknown"])
def test_a_user_agent_becomes_its_device_class(agent, kind):
    assert device_class(agent) == kind


def test_amounts_become_bands_and_unknown_or_malformed_properties_are_dropped():
    assert [value_band(a) for a in (999, 1_000, 19_999, 100_000)] == [
        "<10", "10-50", "50-200", ">=1000"]
    assert coarse_properties({"screen": "Has Spaces", "position": True, "language": "de",
                              "street": "Main St", "category_id": "electronics--audio"}) == {
        "language": "de", "category_id": "electronics--audio"}


@pytest.mark.parametrize("code, zone", [("DE", "eu"), ("GB", "eu"), ("ZA", "eu"),
                                        ("AE", "eu"), ("US", "americas"), ("MX", "americas"),
                                        ("IN", "asia"), ("NZ", "asia"), ("de", None),
                                        (None, None), ("DEU", None)])
def test_a_country_maps_to_its_residency_zone(code, zone):
    assert zone_of(code) == zone


def test_zone_keys_refuse_a_zone_without_a_key():
    with pytest.raises(ValueError, match="asia"):
        ZoneKeys({"eu": [b"k"], "americas": [b"k2"], "asia": []}, "eu")
