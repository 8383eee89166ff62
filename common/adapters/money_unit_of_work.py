"""The unit of work of the money side: the common one (accounts, catalog, inbox, outbox)
plus the ledger, vendors' transfers and connected accounts, and shipping/delivery."""

from __future__ import annotations

from common.adapters.postgres_fulfilment import PostgresFulfilment
from common.adapters.postgres_ledger import PostgresLedger
from common.adapters.postgres_payouts import PostgresPaymentAccounts, PostgresVendorTransfers
from common.adapters.unit_of_work import UnitOfWork


class MoneyUnitOfWork(UnitOfWork):
    def __enter__(self) -> "MoneyUnitOfWork":
        super().__enter__()
        self.ledger = PostgresLedger(self.connection)
        self.transfers = PostgresVendorTransfers(self.connection, self.locks)
        self.payment_accounts = PostgresPaymentAccounts(self.connection)
        self.fulfilment = PostgresFulfilment(self.connection, self.locks)
        return self
