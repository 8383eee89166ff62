"""PSEUDONYM_KEYS and RESIDENCY_ZONE: local defaults that keep today's pseudonyms valid,
and production refusing missing, short or local keys."""

from __future__ import annotations

import json

import pytest

from common.settings import LOCAL_PSEUDONYM_KEY, SettingsError, from_environment
from tests.unit.test_settings import PRODUCTION

LOCAL = {"DATABASE_URL": "postgresql://unused/unused"}
STRONG = {zone: [f"{zone}-key-of-production-quality-0123456789"]
          for zone in ("eu", "americas", "asia")}


def test_locally_each_zone_has_its_own_key_and_the_eu_one_is_the_old_single_key():
    settings = from_environment(LOCAL)

    keys = {zone: settings.zone_keys(zone) for zone in ("eu", "americas", "asia")}

    assert keys["eu"] == (LOCAL_PSEUDONYM_KEY.encode(),) == (settings.pseudonym_hmac_key(),)
    assert len({k[0] for k in keys.values()}) == 3
    assert settings.residency_zone == "eu"


def test_a_rotation_lists_the_current_key_first_then_the_previous_one():
    keys = {**STRONG, "eu": ["eu-new-key-0123456789-0123456789-x", "eu-old-key"]}
    settings = from_environment({**LOCAL, "PSEUDONYM_KEYS": json.dumps(keys)})
    assert settings.zone_keys("eu") == (b"eu-new-key-0123456789-0123456789-x", b"eu-old-key")


@pytest.mark.parametrize("overrides, message", [
    ({"PSEUDONYM_KEYS": "not json"}, "PSEUDONYM_KEYS must be JSON"),
    ({"PSEUDONYM_KEYS": json.dumps({"eu": "one"})}, "PSEUDONYM_KEYS must be JSON"),
    ({"PSEUDONYM_KEYS": json.dumps({"eu": ["k"], "mars": ["k"]})}, "names zones of"),
    ({"PSEUDONYM_KEYS": json.dumps({"eu": []})}, "at least one key"),
    ({"RESIDENCY_ZONE": "mars"}, "RESIDENCY_ZONE"),
    ({"ANONYMIZER_BUFFER_MESSAGES": "0"}, "ANONYMIZER_BUFFER_MESSAGES"),
], ids=["not-json", "not-lists", "unknown-zone-key", "zone-without-key", "unknown-zone",
        "no-buffer"])
def test_malformed_residency_settings_are_refused(overrides, message):
    with pytest.raises(SettingsError, match=message):
        from_environment({**LOCAL, **overrides})


def test_production_refuses_short_or_local_zone_keys_and_accepts_strong_ones():
    weak = {**STRONG, "asia": ["short"]}
    local = {**STRONG, "eu": [LOCAL_PSEUDONYM_KEY]}
    for keys in (weak, local):
        with pytest.raises(SettingsError, match="production needs PSEUDONYM_KEYS"):
            from_environment({**PRODUCTION, "PSEUDONYM_KEYS": json.dumps(keys)})
    settings = from_environment({**PRODUCTION, "PSEUDONYM_KEYS": json.dumps(STRONG)})
    assert settings.zone_keys("asia") == (STRONG["asia"][0].encode(),)


def test_production_without_the_secret_has_no_zone_keys():
    with pytest.raises(SettingsError, match="no key for zone"):
        from_environment(PRODUCTION).zone_keys("eu")
