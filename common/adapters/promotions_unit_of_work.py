"""The unit of work of promotions: the money side (the ledger, vendors' transfers) plus
promotions and saved cards, so that a fee, its journal and its event commit together."""

from __future__ import annotations

from common.adapters.money_unit_of_work import MoneyUnitOfWork
from common.adapters.postgres_promotions import PostgresPromotions


class PromotionsUnitOfWork(MoneyUnitOfWork):
    def __enter__(self) -> "PromotionsUnitOfWork":
        super().__enter__()
        self.promotions = PostgresPromotions(self.connection, self.locks)
        return self
