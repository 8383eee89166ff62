"""PSEUDONYM_KEYS_<ZONE> and RESIDENCY_ZONE: local defaults that keep today's pseudonyms
valid, and production refusing missing, short or local keys."""

from __future__ import annotations

import json

import pytest

from common.settings import LOCAL_PSEUDONYM_KEY, SettingsError, from_environment
from tests.unit.test_settings import PRODUCTION

LOCAL = {"DATABASE_URL": "postgresql://unused/unused"}
STRONG = {f"PSEUDONYM_KEYS_{zone.upper()}": json.dumps([f"{zone}-key-of-production-quality-0123"])
          for zone in ("eu", "americas", "asia")}


def test_locally_each_zone_has_its_own_key_and_the_eu_one_is_the_old_single_key():
    settings = from_environment(LOCAL)

    keys = {zone: settings.zone_keys(zone) for zone in ("eu", "americas", "asia")}

    assert keys["eu"] == (LOCAL_PSEUDONYM_KEY.encode(),) == (settings.pseudonym_hmac_key(),)
    assert len({k[0] for k in keys.values()}) == 3
    assert settings.residency_zone == "eu"


def test_a_rotation_lists_the_current_key_first_then_the_previous_one():
    rotating = json.dumps(["eu-new-key-0123456789-0123456789-x", "eu-old-key"])
    settings = from_environment({**LOCAL, "PSEUDONYM_KEYS_EU": rotating})
    assert settings.zone_keys("eu") == (b"eu-new-key-0123456789-0123456789-x", b"eu-old-key")


def test_each_zone_is_read_from_its_own_setting():
    settings = from_environment({**LOCAL, **STRONG})
    assert settings.zone_keys("americas") == (b"americas-key-of-production-quality-0123",)
    assert settings.zone_keys("asia") == (b"asia-key-of-production-quality-0123",)


@pytest.mark.parametrize("overrides, message", [
    ({"PSEUDONYM_KEYS_EU": "not json"}, "PSEUDONYM_KEYS_EU must be a JSON list"),
    ({"PSEUDONYM_KEYS_ASIA": json.dumps({"asia": ["k"]})}, "PSEUDONYM_KEYS_ASIA must be a JSON"),
    ({"PSEUDONYM_KEYS_AMERICAS": json.dumps(["k", ""])}, "PSEUDONYM_KEYS_AMERICAS must be"),
    ({"PSEUDONYM_KEYS_EU": json.dumps([])}, "at least one key"),
    ({"RESIDENCY_ZONE": "mars"}, "RESIDENCY_ZONE"),
    ({"ANONYMIZER_BUFFER_MESSAGES": "0"}, "ANONYMIZER_BUFFER_MESSAGES"),
], ids=["not-json", "not-a-list", "empty-key", "no-key", "unknown-zone", "no-buffer"])
def test_malformed_residency_settings_are_refused(overrides, message):
    with pytest.raises(SettingsError, match=message):
        from_environment({**LOCAL, **overrides})


def test_production_refuses_short_or_local_zone_keys_and_accepts_strong_ones():
    weak = {**STRONG, "PSEUDONYM_KEYS_ASIA": json.dumps(["short"])}
    local = {**STRONG, "PSEUDONYM_KEYS_EU": json.dumps([LOCAL_PSEUDONYM_KEY])}
    for keys in (weak, local):
        with pytest.raises(SettingsError, match="production needs PSEUDONYM_KEYS_<ZONE>"):
            from_environment({**PRODUCTION, **keys})
    settings = from_environment({**PRODUCTION, **STRONG})
    assert settings.zone_keys("asia") == (b"asia-key-of-production-quality-0123",)


def test_production_without_a_zone_secret_has_no_key_for_that_zone():
    settings = from_environment({**PRODUCTION, "PSEUDONYM_KEYS_EU": STRONG["PSEUDONYM_KEYS_EU"]})
    assert settings.zone_keys("eu") == (b"eu-key-of-production-quality-0123",)
    with pytest.raises(SettingsError, match="PSEUDONYM_KEYS_ASIA is not set"):
        settings.zone_keys("asia")
