"""The fraud screening settings, and the request headers the order path screens with:
the client's country (X-Client-Region) and address (X-Forwarded-For)."""

from __future__ import annotations

import flask
import pytest

from common.http import client_address
from common.http_caller import client_ip, client_region
from common.settings import SettingsError, from_environment

LOCAL = {"DATABASE_URL": "postgresql+pg8000://x@/y"}
PRODUCTION = {"BAZAAR_ENV": "production", "CLOUD_SQL_INSTANCE": "p:r:i",
              "FIREBASE_WEB_API_KEY": "key", "PUBLIC_BASE_URL": "https://bazaar.example",
              "MEDIA_BASE_URL": "https://bazaar.example/media"}


def test_the_budget_is_50_ms_and_a_worker_that_fails_lets_the_order_go_on():
    settings = from_environment(LOCAL)

    assert (settings.fraud_url, settings.fraud_budget_ms, settings.fraud_on_failure,
            settings.fraud_model_uri) == (None, 50, "allow", None)


@pytest.mark.parametrize("overrides,message", [
    ({"FRAUD_BUDGET_MS": "0"}, "FRAUD_BUDGET_MS"),
    ({"FRAUD_BUDGET_MS": "5000"}, "FRAUD_BUDGET_MS"),
    ({"FRAUD_BUDGET_MS": "fast"}, "FRAUD_BUDGET_MS"),
    ({"FRAUD_ON_FAILURE": "block"}, "FRAUD_ON_FAILURE"),
], ids=["zero", "too-long", "not-a-number", "block-on-failure"])
def test_fraud_settings_that_would_stall_or_reject_orders_are_refused(overrides, message):
    with pytest.raises(SettingsError, match=message):
        from_environment({**LOCAL, **overrides})


def test_production_calls_the_worker_over_https_only():
    with pytest.raises(SettingsError, match="FRAUD_URL"):
        from_environment({**PRODUCTION, "FRAUD_URL": "http://fraud.internal"})
    assert from_environment({**PRODUCTION, "FRAUD_URL": "https://fraud-eu.a.run.app/"}
                            ).fraud_url == "https://fraud-eu.a.run.app"


def request_with(headers: dict[str, str], remote_addr: str = "127.0.0.1") -> flask.Request:
    app = flask.Flask(__name__)
    with app.test_request_context("/", headers=headers,
                                  environ_base={"REMOTE_ADDR": remote_addr}):
        return flask.request._get_current_object()  # type: ignore[attr-defined]


@pytest.mark.parametrize("value,expected", [
    ("US", "US"), ("us", None), ("USA", None), ("U1", None), ("", None), (None, None),
], ids=["code", "lower-case", "three-letters", "digit", "empty", "absent"])
def test_the_client_region_is_two_upper_case_letters_or_nothing(value, expected):
    headers = {} if value is None else {"X-Client-Region": value}

    assert client_region(request_with(headers)) == expected


@pytest.mark.parametrize("forwarded,remote,expected", [
    ("203.0.113.9", "127.0.0.1", "203.0.113.9"),
    ("198.51.100.1, 203.0.113.9, 35.191.0.1", "35.191.0.2", "203.0.113.9"),
    ("203.0.113.9, 35.191.0.1", "35.191.0.2", "203.0.113.9"),
    (None, "192.0.2.10", "192.0.2.10"),
    (None, "127.0.0.1", None),
    ("not-an-address", "192.0.2.10", None),
    ("2001:db8::1", "127.0.0.1", "2001:db8::1"),
], ids=["direct", "forged-then-lb", "lb", "peer", "loopback", "garbage", "ipv6"])
def test_the_client_ip_is_the_address_the_load_balancer_saw(forwarded, remote, expected):
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}

    assert client_ip(request_with(headers, remote)) == expected


@pytest.mark.parametrize("forwarded,remote,expected", [
    ("198.51.100.1, 203.0.113.9, 35.191.0.1", "35.191.0.2", "203.0.113.9"),
    (None, "127.0.0.1", "127.0.0.1"),
    ("not-an-address", "192.0.2.10", "192.0.2.10"),
], ids=["forged-then-lb", "loopback", "garbage"])
def test_the_rate_limits_count_the_address_the_fraud_signals_see(forwarded, remote, expected):
    # The per-address login and reset limits key on the same address as the signals,
    # falling back to the peer's when that is unknown (the local stack's loopback)
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}

    assert client_address(request_with(headers, remote)) == expected
