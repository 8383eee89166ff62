"""Pseudonymous ids (common/domain/pseudonyms.py) and the PSEUDONYM_KEY setting."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from common import settings as settings_module
from common.domain.pseudonyms import pseudonym

KEY = b"unit-test-pseudonym-key-of-32-bytes!!"
ACCOUNT = "5b0d7a3e-0c4e-4d55-9a43-5e0a1c1d0a01"
PRODUCTION = {"BAZAAR_ENV": "production", "CLOUD_SQL_INSTANCE": "p:r:i",
              "FIREBASE_WEB_API_KEY": "key", "PUBLIC_BASE_URL": "https://bazaar.example",
              "MEDIA_BASE_URL": "https://bazaar.example/media"}


def test_a_pseudonym_is_the_hmac_of_kind_and_id_cut_to_32_hex_characters():
    expected = hmac.new(KEY, f"account:{ACCOUNT}".encode(), hashlib.sha256).hexdigest()[:32]

    assert pseudonym("account", ACCOUNT, KEY) == expected


def test_the_same_id_gets_the_same_pseudonym_under_one_key():
    assert pseudonym("device", "d-123456789", KEY) == pseudonym("device", "d-123456789", KEY)


def test_an_account_and_a_device_with_one_raw_id_get_different_pseudonyms():
    assert pseudonym("account", ACCOUNT, KEY) != pseudonym("device", ACCOUNT, KEY)


def test_another_key_gives_another_pseudonym():
    assert pseudonym("account", ACCOUNT, KEY) != pseudonym("account", ACCOUNT, KEY + b"2")


def test_a_pseudonym_does_not_contain_the_raw_id():
    assert ACCOUNT.replace("-", "")[:8] not in pseudonym("account", ACCOUNT, KEY)


@pytest.mark.parametrize("kind,key", [("user", KEY), ("account", b"")],
                         ids=["unknown-kind", "empty-key"])
def test_an_unknown_kind_or_an_empty_key_is_refused(kind, key):
    with pytest.raises(ValueError):
        pseudonym(kind, ACCOUNT, key)  # type: ignore[arg-type]


def test_outside_production_a_fixed_local_key_is_used():
    settings = settings_module.from_environment({"DATABASE_URL": "postgresql://x/y"})

    assert settings.pseudonym_hmac_key() == settings_module.LOCAL_PSEUDONYM_KEY.encode()


@pytest.mark.parametrize("key", [settings_module.LOCAL_PSEUDONYM_KEY, "short"],
                         ids=["local-key", "too-short"])
def test_production_refuses_the_local_or_a_short_key(key):
    with pytest.raises(settings_module.SettingsError, match="PSEUDONYM_KEY"):
        settings_module.from_environment({**PRODUCTION, "PSEUDONYM_KEY": key})


def test_production_without_the_secret_refuses_to_key_pseudonyms():
    settings = settings_module.from_environment(PRODUCTION)

    with pytest.raises(settings_module.SettingsError, match="pseudonym-key"):
        settings.pseudonym_hmac_key()
