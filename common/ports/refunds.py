"""Refunds in the system of record: what an order may give back, the refunds decided, and
what recording one changes (common/adapters/postgres_refunds.py), inside one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ContextManager, Iterable, Protocol

from common.domain.events import Event
from common.domain.refunds import OrderRefund, RefundableOrder, RefundLine
from common.ports.identity import Accounts


@dataclass(frozen=True)
class PaidPayment:
    """The order's payment at the provider: what a refund goes back through."""

    payment_id: str
    payment_ref: str | None
    amount_received: int
    currency: str
    method: str  # card, paypal, bank_transfer
    payer_id: str  # the buyer's account


class RefundStore(Protocol):
    def order(self, order_id: str, *, lock: bool = False) -> RefundableOrder | None:
        """The order with its lines and what refunds not failed claimed; `lock` takes its row."""
        ...

    def payment(self, order_id: str) -> PaidPayment | None: ...

    def add(self, refund: OrderRefund, idempotency_key: str) -> tuple[OrderRefund, bool]:
        """Insert the refund, or find the one this key already made for the order: (it, new)."""
        ...

    def get(self, refund_id: str, *, lock: bool = False) -> OrderRefund | None: ...

    def for_order(self, order_id: str) -> list[OrderRefund]: ...

    def set_execution(self, refund_id: str, execution_name: str) -> None: ...

    def mark_executed(self, refund_id: str, provider_refund_ref: str) -> None: ...

    def finish(self, refund_id: str, status: str, failure_reason: str | None = None) -> bool:
        """requested → succeeded or failed; False if it had left `requested` already."""
        ...

    def add_to_lines(self, lines: Iterable[RefundLine]) -> None:
        """The lines' refunded quantity and amount grow by what the refund gave back."""
        ...

    def set_statuses(self, order_id: str, order_status: str, parts: dict[str, str]) -> None: ...

    def cancel_paid(self, order_id: str) -> bool:
        """A paid order and its paid parts become cancelled; False if it was no longer paid."""
        ...

    def return_stock(self, quantities: dict[str, int]) -> None:
        """Put back what the lines had taken of each product (locks: products first)."""
        ...

    def lock_products(self, product_ids: Iterable[str]) -> None: ...

    def add_step(self, order_id: str, step: str, detail: dict, part_id: str | None = None
                 ) -> None: ...

    def add_payment_event(self, payment_id: str, kind: str, amount: int, detail: dict) -> None:
        ...

    def stale(self, older_than_s: float, limit: int) -> list[tuple[str, float]]:
        """Refunds still requested, untouched for `older_than_s`: (id, age in seconds)."""
        ...


class RefundsTransaction(ContextManager["RefundsTransaction"], Protocol):
    @property
    def refunds(self) -> RefundStore: ...

    @property
    def accounts(self) -> Accounts: ...

    def record(self, *events: Event) -> None: ...

    def commit(self) -> None: ...


RefundsUnitOfWork = Callable[[], RefundsTransaction]
