"""Firestore's `blocked/{uid}` follows the account's state in PostgreSQL through the real
Pub/Sub stand-in: written on a block, deleted on an unblock, and a late, duplicated or
out-of-order account event converges on the state the account is in now."""

from __future__ import annotations

import uuid

import pytest

from common import bootstrap
from common.domain.events import AccountBlocked, AccountUnblocked
from tests.e2e.client import Api, User
from tests.integration.ledger.money import eventually, publish, settle

pytestmark = pytest.mark.events


def _blocked(account_id: str) -> bool:
    return bootstrap.chat_access().is_blocked(account_id)


def _set_state(api: Api, admin: User, account: User, action: str) -> None:
    response = api.post(f"/v1/admin/accounts/{account.id}:{action}", headers=admin.auth,
                        json={"reason": f"chat moderation test: {action}"})
    assert response.status_code == 200, response.text


def test_a_block_writes_the_blocked_document_and_an_unblock_deletes_it(api, admin, pubsub):
    # Given an account
    account = api.register("customer", verify=False, login=False)
    assert _blocked(account.id) is False

    # When an admin blocks it
    _set_state(api, admin, account, "block")

    # Then blocked/{uid} appears
    assert eventually(lambda: _blocked(account.id), bool) is True

    # And when the admin unblocks it, the document goes
    _set_state(api, admin, account, "unblock")
    assert eventually(lambda: _blocked(account.id), lambda found: not found) is False


def test_a_late_block_event_after_the_unblock_leaves_the_account_unblocked(api, admin, pubsub):
    # Given an account blocked and unblocked again, its events handled
    account = api.register("customer", verify=False, login=False)
    _set_state(api, admin, account, "block")
    _set_state(api, admin, account, "unblock")
    settle(pubsub)
    assert _blocked(account.id) is False

    # When an account.blocked arrives late (twice, as a redelivery would)
    publish(AccountBlocked(account_id=account.id), AccountBlocked(account_id=account.id))
    settle(pubsub)

    # Then the mirror read the account's state, not the event: no blocked document
    assert _blocked(account.id) is False


def test_a_late_unblock_event_while_blocked_keeps_the_account_blocked(api, admin, pubsub):
    # Given a blocked account, its block handled
    account = api.register("customer", verify=False, login=False)
    _set_state(api, admin, account, "block")
    assert eventually(lambda: _blocked(account.id), bool) is True

    # When an account.unblocked from earlier arrives after it, then a stale block again
    publish(AccountUnblocked(account_id=account.id))
    publish(AccountBlocked(account_id=account.id))
    settle(pubsub)

    # Then the account stays blocked in Firestore too
    assert _blocked(account.id) is True


def test_an_event_for_no_account_writes_nothing(pubsub):
    # Given an account id that no account has
    account_id = str(uuid.uuid4())

    # When an account.blocked names it
    publish(AccountBlocked(account_id=account_id))
    settle(pubsub)

    # Then there is no blocked document for it
    assert _blocked(account_id) is False
