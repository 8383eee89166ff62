"""Federated learning settings: defaults, refusals, and the model URL in production."""

from __future__ import annotations

import pytest

from common.settings import SettingsError, from_environment

LOCAL = {"DATABASE_URL": "postgresql+pg8000://bazaar@127.0.0.1/bazaar"}
PRODUCTION = {"BAZAAR_ENV": "production", "CLOUD_SQL_INSTANCE": "p:r:i",
              "FIREBASE_WEB_API_KEY": "key", "PUBLIC_BASE_URL": "https://bazaar.example",
              "MEDIA_BASE_URL": "https://bazaar.example/media"}


def test_local_defaults_are_the_documented_ones():
    settings = from_environment(LOCAL)
    assert (settings.model_bucket, settings.model_base_url) == (
        "bazaar-models", "http://127.0.0.1:4443/bazaar-models")
    assert (settings.fl_min_updates, settings.fl_clip_norm, settings.fl_max_weight,
            settings.fl_noise_multiplier, settings.fl_server_lr, settings.fl_max_items,
            settings.fl_dim) == (10, 1.0, 20, 1.0, 10.0, 300, 8)


def test_the_default_model_fits_the_update_body_limit():
    # An update of the default shape, each float written as a device would (6 decimals)
    settings = from_environment(LOCAL)
    row = "[" + ",".join(["-0.123456"] * settings.fl_dim) + "]"
    body = '{"model_version":1,"num_examples":10,"update":[' + ",".join(
        [row] * settings.fl_max_items) + "]}"
    assert len(body.encode()) < 64 * 1024


def test_production_serves_models_from_its_own_origin_unless_told():
    assert from_environment(PRODUCTION).model_base_url == "https://bazaar.example"
    told = from_environment({**PRODUCTION, "MODEL_BASE_URL": "https://cdn.example/"})
    assert told.model_base_url == "https://cdn.example"


def test_production_refuses_a_plain_http_model_url():
    with pytest.raises(SettingsError, match="MODEL_BASE_URL"):
        from_environment({**PRODUCTION, "MODEL_BASE_URL": "http://cdn.example"})


@pytest.mark.parametrize("overrides, message", [
    ({"FL_MIN_UPDATES": "0"}, "FL_MIN_UPDATES"),
    ({"FL_MAX_WEIGHT": "0"}, "FL_MAX_WEIGHT"),
    ({"FL_MAX_ITEMS": "0"}, "FL_MAX_ITEMS"),
    ({"FL_DIM": "0"}, "FL_DIM"),
    ({"FL_CLIP_NORM": "0"}, "FL_CLIP_NORM"),
    ({"FL_CLIP_NORM": "nan"}, "FL_CLIP_NORM must be finite"),
    ({"FL_SERVER_LR": "-1"}, "FL_SERVER_LR"),
    ({"FL_NOISE_MULTIPLIER": "-0.5"}, "FL_NOISE_MULTIPLIER"),
    ({"FL_NOISE_MULTIPLIER": "lots"}, "FL_NOISE_MULTIPLIER must be a number"),
], ids=lambda value: str(value))
def test_settings_that_would_break_a_round_are_refused(overrides, message):
    with pytest.raises(SettingsError, match=message):
        from_environment({**LOCAL, **overrides})
