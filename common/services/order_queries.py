"""Reading orders: the buyer its own, a vendor the orders holding one of its parts (only
its parts), an admin every order; anyone else gets 404, as if the order did not exist."""

from __future__ import annotations

from common.domain.errors import NotFound
from common.domain.identity import Principal, Role
from common.domain.order_records import Order
from common.domain.page_tokens import issue, read, timestamp_value, uuid_value
from common.services.purchase_saga import UnitOfWork


def visible_order(principal: Principal, order_id: str, *, uow: UnitOfWork) -> Order:
    """The order as the caller may see it; NotFound otherwise."""
    with uow() as tx:
        order = tx.orders.get(order_id)
    seen = _as_seen_by(principal, order) if order else None
    if seen is None:
        raise NotFound("No such order.")
    return seen


def order_page(principal: Principal, page_size: int, page_token: str | None, *,
               uow: UnitOfWork, token_key: bytes) -> tuple[list[Order], str | None]:
    """A page of the orders the caller may see, newest first, and the next page's token."""
    from common.adapters.order_reads import read_page

    scope = _scope(principal)
    after = None
    if page_token:
        fields = read(page_token, token_key, purpose=f"orders:{scope}")
        after = (timestamp_value(fields.get("t")), uuid_value(fields.get("i")))
    with uow() as tx:
        rows = read_page(tx.connection, buyer_id=principal.account_id
                         if principal.role is Role.CUSTOMER else None,
                         vendor_id=principal.account_id if principal.role is Role.VENDOR
                         else None, after=after, limit=page_size + 1)
    orders = [seen for seen in (_as_seen_by(principal, o) for o in rows[:page_size]) if seen]
    next_token = None
    if len(rows) > page_size:
        last = rows[page_size - 1]
        next_token = issue({"t": last.created_at.isoformat(), "i": last.id}, token_key,
                           purpose=f"orders:{scope}")
    return orders, next_token


def _scope(principal: Principal) -> str:
    """A token is good only for the list it came from (the same caller's)."""
    return "admin" if principal.role is Role.ADMIN else principal.account_id


def _as_seen_by(principal: Principal, order: Order) -> Order | None:
    if principal.role is Role.ADMIN:
        return order
    if principal.role is Role.CUSTOMER:
        return order if order.buyer_id == principal.account_id else None
    if any(part.vendor_id == principal.account_id for part in order.parts):
        return order.for_vendor(principal.account_id)
    return None
