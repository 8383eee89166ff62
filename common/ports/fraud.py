"""Fraud screening as the order path sees it: one decision per order, within a budget."""

from __future__ import annotations

from typing import Protocol

from common.domain.fraud import FraudDecision, OrderScreening


class FraudScreening(Protocol):
    def screen(self, screening: OrderScreening) -> FraudDecision:
        """The fraud worker's decision on the order, or the fallback (screened=False) when it
        did not answer within the budget; never raises for the worker's failures."""
        ...
