"""The interaction use cases (common/services/interactions.py) over fakes of their ports:
keying by pseudonym, the rate limit, Pub/Sub down, folding, and the once-only login merge."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from common.domain.events import OrderPaid
from common.domain.preferences import Preferences, ProductFacts
from common.domain.pseudonyms import pseudonym
from common.services import interactions as use_cases
from tests.interaction_batches import batch_event

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
KEY = b"unit-test-pseudonym-key-of-32-bytes!!"
ACCOUNT = "5b0d7a3e-0c4e-4d55-9a43-5e0a1c1d0a01"
DEVICE = "device-0123456789"
HEADPHONES = "11111111-1111-4111-8111-111111111111"
FACTS = {HEADPHONES: ProductFacts(HEADPHONES, "vendor-a", "electronics",
                                  "electronics--audio-headphones", 4_999)}
VIEW = {"type": "view", "at": NOW, "product_id": HEADPHONES, "query": None, "dwell_ms": None}


class FakePreferenceStore:
    def __init__(self) -> None:
        self.rows: dict[str, Preferences] = {}
        self.links: set[tuple[str, str]] = set()
        self.order_lines = {"order-1": [HEADPHONES]}

    def locked(self, pseudonyms):
        return {p: self.rows.get(p, Preferences(p)) for p in pseudonyms}

    def save(self, prefs):
        self.rows[prefs.pseudonym] = prefs

    def link_device(self, device, account):
        new = (device, account) not in self.links
        self.links.add((device, account))
        return new

    def products(self, ids):
        return {i: FACTS[i] for i in ids if i in FACTS}

    def ordered_products(self, order_id):
        return self.order_lines[order_id]


class FakeTransaction:
    def __init__(self, store: FakePreferenceStore) -> None:
        self.preferences, self.inbox = store, None

    def commit(self) -> None:
        pass


def record(account=None, device=None, events=(VIEW,)):
    return batch_event(account, device, list(events), now=NOW, key=KEY)


def test_a_signed_in_batch_merges_the_device_features_into_the_account_once():
    store = FakePreferenceStore()
    device = pseudonym("device", DEVICE, KEY)
    use_cases.update_preferences(record(device=DEVICE), FakeTransaction(store))
    signed_in = record(ACCOUNT, DEVICE)

    use_cases.update_preferences(signed_in, FakeTransaction(store))
    use_cases.update_preferences(replace(signed_in, id="another-batch"), FakeTransaction(store))

    account = store.rows[pseudonym("account", ACCOUNT, KEY)]
    assert account.vendor_weights == {"vendor-a": 3.0}  # the device's view once, and 2 own
    assert store.rows[device].vendor_weights == {"vendor-a": 1.0}


def test_after_a_key_rotation_the_old_pseudonyms_features_merge_into_the_new_one_once():
    # Given features kept under the pseudonym of the zone's previous key
    store = FakePreferenceStore()
    old_key = b"unit-test-previous-key-of-32-bytes!!"
    before = record(ACCOUNT)
    old = pseudonym("account", ACCOUNT, old_key)
    use_cases.update_preferences(replace(before, pseudonym=old, account_pseudonym=old),
                                 FakeTransaction(store))
    # When two batches come keyed by the new key, each naming the previous pseudonym
    rotated = replace(record(ACCOUNT), previous_pseudonym=old)
    use_cases.update_preferences(rotated, FakeTransaction(store))
    use_cases.update_preferences(replace(rotated, id="another-batch"), FakeTransaction(store))

    # Then the new pseudonym holds the old view once plus its own two
    new = store.rows[pseudonym("account", ACCOUNT, KEY)]
    assert new.vendor_weights == {"vendor-a": 3.0}
    assert store.links == {(old, new.pseudonym)}


def test_a_paid_order_counts_its_products_as_purchases_of_the_buyer():
    store = FakePreferenceStore()
    paid = OrderPaid(occurred_at=NOW, order_id="order-1", buyer_id=ACCOUNT, payment_id="pay",
                     total=4_999, parts=())

    use_cases.record_purchase_features(paid, FakeTransaction(store), key=KEY)

    prefs = store.rows[pseudonym("account", ACCOUNT, KEY)]
    assert (prefs.vendor_weights, prefs.bought) == ({"vendor-a": 8.0}, (HEADPHONES,))
    assert [(item.product_id, item.type) for item in prefs.recent] == [(HEADPHONES, "purchase")]


def test_events_older_than_two_days_are_stale():
    paid = OrderPaid(occurred_at=NOW, order_id="o", buyer_id=ACCOUNT, payment_id="p", total=1,
                     parts=())

    assert not use_cases.is_stale(paid, NOW.replace(day=3))
    assert use_cases.is_stale(paid, NOW.replace(day=3, minute=1))
