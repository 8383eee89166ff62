"""Admins block and unblock accounts; Firebase follows through `account.*` events."""

from __future__ import annotations

import logging

from common.domain.errors import InvalidState, NotFound
from common.domain.events import AccountBlocked, AccountUnblocked
from common.domain.identity import AccountState, check_blockable
from common.logs import log
from common.ports.identity import Identity
from common.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)


def block_account(account_id: str, reason: str, *, admin_id: str, uow: UnitOfWorkFactory,
                  identity: Identity) -> AccountState:
    """Active → blocked. Effective at once: every request re-reads the account's state."""
    with uow() as tx:
        account = tx.accounts.get(account_id, for_update=True)
        if account is None or account.state is AccountState.REGISTERING:
            raise NotFound("No account has this id.")
        check_blockable(account.role, admin_id, account_id)
        if account.state is AccountState.BLOCKED:
            raise InvalidState("The account is already blocked.")
        tx.accounts.set_state(account_id, AccountState.BLOCKED, reason)
        tx.accounts.record_admin_action(admin_id, "account.block", account_id, reason)
        tx.record(AccountBlocked(account_id=account_id))
        tx.commit()
    _sync_now(account_id, uow, identity)
    return AccountState.BLOCKED


def unblock_account(account_id: str, reason: str, *, admin_id: str, uow: UnitOfWorkFactory,
                    identity: Identity) -> AccountState:
    """Blocked → active."""
    with uow() as tx:
        account = tx.accounts.get(account_id, for_update=True)
        if account is None or account.state is AccountState.REGISTERING:
            raise NotFound("No account has this id.")
        if account.state is not AccountState.BLOCKED:
            raise InvalidState("The account is not blocked.")
        tx.accounts.set_state(account_id, AccountState.ACTIVE, None)
        tx.accounts.record_admin_action(admin_id, "account.unblock", account_id, reason)
        tx.record(AccountUnblocked(account_id=account_id))
        tx.commit()
    _sync_now(account_id, uow, identity)
    return AccountState.ACTIVE


def _sync_now(account_id: str, uow: UnitOfWorkFactory, identity: Identity) -> None:
    """Let Firebase follow at once (logins right after an unblock work).

    The committed state is the answer: whatever goes wrong here is logged (ids and the
    error's type only) and left to the `account.*` event's consumer, which retries.
    """
    # Entering may first commit the change itself (an idempotent request's held effect):
    # a failure of that must reach the caller, so only what follows is caught.
    with uow() as tx:
        try:
            sync_firebase_state(account_id, tx, identity=identity)
            tx.commit()
        except Exception as error:  # committed already; sync_account_status is the guarantee
            log(logger, logging.WARNING, "firebase sync deferred to the account event",
                account_id=account_id, error=type(error).__name__,
                dependency=getattr(error, "dependency", None))


def sync_firebase_state(account_id: str, tx: UnitOfWork, *, identity: Identity) -> None:
    """Make Firebase agree with the database (disabled iff blocked).

    Reads the current state instead of trusting the event, under the account's row lock,
    so syncs and block/unblock transactions take turns: duplicated or out-of-order
    `account.blocked` / `account.unblocked` deliveries converge on the last committed state.
    """
    account = tx.accounts.get(account_id, for_update=True)
    if account is None or account.state is AccountState.REGISTERING:
        return
    identity.set_disabled(account_id, account.state is AccountState.BLOCKED)
