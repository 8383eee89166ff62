"""Blocked accounts lose chat access at once: Firestore's `blocked/{uid}` follows the account's
state in PostgreSQL, which the security rules check (rules cannot see PostgreSQL, and an ID
token lives up to an hour)."""

from __future__ import annotations

import logging
from typing import Any

from common.logs import log
from common.ports.chat import ChatAccess

logger = logging.getLogger(__name__)


def mirror_block(account_id: str, tx: Any, *, access: ChatAccess) -> bool | None:
    """Write `blocked/{uid}` while the account is blocked, delete it otherwise; what it
    mirrored (None: no such account).

    Reads the current state instead of trusting the event, under the account's advisory
    lock (tx.account_blocks), so duplicated or out-of-order `account.blocked` /
    `account.unblocked` deliveries converge on the last committed state.
    """
    blocked = tx.account_blocks.is_blocked(account_id)
    if blocked is None:
        return None
    access.set_blocked(account_id, blocked)
    log(logger, logging.INFO, "chat access mirrored", account_id=account_id, blocked=blocked)
    return blocked
