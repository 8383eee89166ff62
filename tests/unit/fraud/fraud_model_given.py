"""Facts and the committed model for the fraud model's unit tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from edge_workers.fraud.committed_models import newest_model_path
from edge_workers.fraud.features import OrderFacts
from edge_workers.fraud.scoring import OnnxScorer


def committed_model_path() -> Path:
    """The newest committed model file (versions sort by date)."""
    return newest_model_path()


def committed_scorer() -> OnnxScorer:
    """The committed model, as the worker loads it."""
    return OnnxScorer.from_files(committed_model_path())


REGULAR = OrderFacts(
    amount=4_000, account_age_days=30.0, prior_orders=5, prior_amount_mean=5_000.0,
    orders_account_1h=0, orders_device_1h=0, orders_ip_1h=0, declines_account_24h=0,
    declines_device_24h=0, cards_account_24h=0, cards_device_24h=0, accounts_on_device_30d=0,
    new_device=False, password_reset_24h=False, country_mismatch=False, method="card")


def fresh(**changes: object) -> OrderFacts:
    """A customer who registered a minute ago and has not ordered yet."""
    return replace(REGULAR, account_age_days=0.0007, prior_orders=0, prior_amount_mean=0.0,
                   **changes)  # type: ignore[arg-type]
