"""The clock: real UTC time plus the offset a local or test run writes to a file; production
refuses the setting and ignores any file."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from common import clock
from common.settings import SettingsError, from_environment

PRODUCTION = {"BAZAAR_ENV": "production", "CLOUD_SQL_INSTANCE": "p:r:i",
              "FIREBASE_WEB_API_KEY": "key", "PUBLIC_BASE_URL": "https://bazaar.example",
              "MEDIA_BASE_URL": "https://bazaar.example/media"}


def test_without_the_setting_the_clock_is_real_utc_time(monkeypatch):
    monkeypatch.delenv(clock.OFFSET_FILE_VARIABLE, raising=False)

    now = clock.now()

    assert now.tzinfo is timezone.utc
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_writing_the_offset_file_moves_now_and_rewriting_it_moves_it_again(monkeypatch,
                                                                          tmp_path):
    # Given the setting naming a file holding one day
    path = tmp_path / "clock-offset"
    monkeypatch.setenv("BAZAAR_ENV", "test")
    monkeypatch.setenv(clock.OFFSET_FILE_VARIABLE, str(path))
    clock.write_offset(str(path), 86400)
    assert clock.offset_seconds() == 86400.0

    # When it is rewritten with two days
    clock.write_offset(str(path), 172800.5)

    # Then the next read sees two days
    assert clock.offset_seconds() == 172800.5
    assert clock.now() - datetime.now(timezone.utc) > timedelta(days=2) - timedelta(seconds=5)


def test_a_missing_or_empty_file_is_no_offset(monkeypatch, tmp_path):
    path = tmp_path / "clock-offset"
    monkeypatch.setenv("BAZAAR_ENV", "test")
    monkeypatch.setenv(clock.OFFSET_FILE_VARIABLE, str(path))
    assert clock.offset_seconds() == 0.0

    path.write_text("")

    assert clock.offset_seconds() == 0.0


def test_production_ignores_an_offset_file(monkeypatch, tmp_path):
    path = tmp_path / "clock-offset"
    clock.write_offset(str(path), 3600)
    monkeypatch.setenv(clock.OFFSET_FILE_VARIABLE, str(path))
    monkeypatch.setenv("BAZAAR_ENV", "production")

    assert clock.offset_seconds() == 0.0


def test_production_refuses_the_clock_offset_setting():
    with pytest.raises(SettingsError, match="BAZAAR_CLOCK_OFFSET_FILE"):
        from_environment({**PRODUCTION, "BAZAAR_CLOCK_OFFSET_FILE": "/tmp/offset"})


def test_promotion_rates_are_read_and_checked():
    settings = from_environment({"DATABASE_URL": "postgresql://x", "PROMOTION_DAILY_RATES":
                                 '{"audio": 900}', "PROMOTION_MAX_DAYS": "30"})
    assert (settings.promotion_daily_rates, settings.promotion_daily_rate,
            settings.promotion_max_days) == ({"audio": 900}, 500, 30)
    with pytest.raises(SettingsError, match="PROMOTION_DAILY_RATES"):
        from_environment({"DATABASE_URL": "postgresql://x", "PROMOTION_DAILY_RATES": "[1]"})
    with pytest.raises(SettingsError, match="PROMOTION_MAX_DAYS"):
        from_environment({"DATABASE_URL": "postgresql://x", "PROMOTION_MAX_DAYS": "0"})
