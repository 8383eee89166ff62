"""Production settings refuse emulators and demo data; local defaults are documented."""

from __future__ import annotations

import pytest

from common.settings import (
    LOCAL_DEMO_PASSWORD,
    LOCAL_PAGE_TOKEN_KEY,
    SettingsError,
    from_environment,
)

PRODUCTION = {"BAZAAR_ENV": "production", "CLOUD_SQL_INSTANCE": "p:r:i",
              "FIREBASE_WEB_API_KEY": "key", "PUBLIC_BASE_URL": "https://bazaar.example",
              "MEDIA_BASE_URL": "https://bazaar.example/media"}


def test_production_settings_start_without_emulators():
    settings = from_environment(PRODUCTION)
    assert settings.is_production and settings.smtp_starttls


@pytest.mark.parametrize("variable", ["FIREBASE_AUTH_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST",
                                      "STORAGE_EMULATOR_HOST"])
def test_production_refuses_any_emulator_host(variable):
    with pytest.raises(SettingsError, match=variable):
        from_environment({**PRODUCTION, variable: "127.0.0.1:9099"})


@pytest.mark.parametrize("overrides,message", [
    ({"BAZAAR_DEMO_DATA": "1"}, "BAZAAR_DEMO_DATA"),
    ({"PUBLIC_BASE_URL": "http://bazaar.example"}, "https"),
    ({"CLOUD_SQL_INSTANCE": ""}, "DATABASE_URL or CLOUD_SQL_INSTANCE"),
    ({"MEDIA_BASE_URL": "http://bazaar.example/media"}, "MEDIA_BASE_URL"),
    ({"UPLOAD_SIGNER_KEY_FILE": "/tmp/key.json"}, "UPLOAD_SIGNER_KEY_FILE"),
    ({"IMAGE_RECOGNITION": "magic"}, "IMAGE_RECOGNITION"),
    ({"UPLOAD_URL_TTL_S": "86400"}, "UPLOAD_URL_TTL_S"),
])
def test_production_refuses_unsafe_settings(overrides, message):
    with pytest.raises(SettingsError, match=message):
        from_environment({**PRODUCTION, **overrides})


def test_local_defaults():
    settings = from_environment({"DATABASE_URL": "postgresql+pg8000://x@/y"})
    assert settings.environment == "local"
    assert settings.demo_password == LOCAL_DEMO_PASSWORD
    assert settings.demo_data is False
    assert settings.public_base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize("overrides", [{"BAZAAR_ENV": "staging"}, {"LOGIN_WINDOW_S": "soon"},
                                       {"BAZAAR_DEMO_DATA": "maybe"}])
def test_malformed_settings_are_refused(overrides):
    with pytest.raises(SettingsError):
        from_environment({"DATABASE_URL": "postgresql+pg8000://x@/y", **overrides})


def test_only_the_rest_calls_of_the_identity_adapter_need_the_api_key():
    # Given production without the Web API key (a function that only verifies tokens or
    # administers users: `auth` / `auth_admin`, not `auth_client`)
    from common.adapters.firebase_identity import FirebaseIdentity

    settings = from_environment({**PRODUCTION, "FIREBASE_WEB_API_KEY": ""})

    # When the adapter starts, it starts; when it signs in, it refuses before any request
    identity = FirebaseIdentity(settings)
    with pytest.raises(SettingsError, match="FIREBASE_WEB_API_KEY"):
        identity.sign_in("someone@example.com", "Password-1")


def test_image_model_defaults_to_the_user_cache_outside_the_repo():
    settings = from_environment({"DATABASE_URL": "postgresql+pg8000://x@/y",
                                 "XDG_CACHE_HOME": "/var/cache/me"})
    assert settings.image_model_path == "/var/cache/me/bazaar/efficientnet-lite0.onnx"
    assert settings.image_recognition == "local"


def test_page_tokens_are_signed_with_a_local_key_outside_production():
    settings = from_environment({"DATABASE_URL": "postgresql+pg8000://x@/y"})
    assert settings.page_token_signing_key() == LOCAL_PAGE_TOKEN_KEY.encode()


def test_production_pages_only_with_its_own_page_token_key():
    # Only the functions that page get the secret: the others start without it.
    without = from_environment(PRODUCTION)
    with pytest.raises(SettingsError, match="PAGE_TOKEN_KEY"):
        without.page_token_signing_key()
    for weak in ("short", LOCAL_PAGE_TOKEN_KEY):
        with pytest.raises(SettingsError, match="PAGE_TOKEN_KEY"):
            from_environment({**PRODUCTION, "PAGE_TOKEN_KEY": weak})
    key = "k" * 48
    assert from_environment({**PRODUCTION, "PAGE_TOKEN_KEY": key}).page_token_signing_key() \
        == key.encode()


def test_production_talks_to_stripe_itself_never_to_the_local_twin():
    # Given production settings with the provider's keys
    keys = {"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}
    settings = from_environment({**PRODUCTION, **keys})
    assert settings.stripe_api_base is None and settings.stripe_key() == "sk_live_x"

    # When the twin's address is set too, Then production refuses to start
    with pytest.raises(SettingsError, match="STRIPE_API_BASE"):
        from_environment({**PRODUCTION, **keys, "STRIPE_API_BASE": "http://127.0.0.1:12111"})


def test_a_function_without_the_stripe_secret_key_cannot_call_the_provider():
    with pytest.raises(SettingsError, match="stripe-secret-key"):
        from_environment(PRODUCTION).stripe_key()
