"""Promoted feed use cases (common/services/promoted_feed.py) over fake ports: the viewer's
pseudonym, features and the model reach the ranking, the page is published, counts."""

from __future__ import annotations

from datetime import timedelta

from common.adapters.postgres_feed import CachedPromotedProducts
from common.domain.catalog import ProductSummary
from common.domain.events import FeedServed, Interaction, InteractionsReceived
from common.domain.feed_ranking import Candidate
from common.domain.identity import AccountState, Principal, Role
from common.domain.preferences import Preferences, RecentItem
from common.domain.pseudonyms import pseudonym
from common.ports.feed import PromotedProduct
from common.services.promoted_feed import (
    count_clicks,
    count_impressions,
    promoted_feed,
    seed_of,
    viewer_of,
)
from tests.unit.fakes.base import START
from tests.unit.fakes.feed import (
    FakeEventPublisher,
    FakeModelStore,
    FakePreferenceReads,
    FakePromotedProducts,
    FakePromotionCounters,
    model_of,
)

KEY = b"k" * 32


def offer(n: int, subcategory: str = "electronics--audio", name: str = "Audio") -> PromotedProduct:
    product_id = f"product-{n}"
    candidate = Candidate(f"promo-{n}", product_id, f"vendor-{n}", "electronics", "Electronics",
                          subcategory, name, "10_50", impressions=500, clicks=5)
    product = ProductSummary(product_id, f"vendor-{n}", "Vendor", f"Thing {n}", 2500, "EUR",
                             "electronics", subcategory, 3, START, None)
    return PromotedProduct(candidate, product)


def feed(viewer, offers, *, features=None, model=None, publisher=None, models=None):
    return promoted_feed(viewer, 10, now=START, promoted=FakePromotedProducts(offers),
                         features=FakePreferenceReads(features), publisher=publisher
                         or FakeEventPublisher(), models=models or FakeModelStore(model))


def test_the_viewer_is_the_accounts_pseudonym_when_signed_in_else_the_devices():
    principal = Principal("acc-1", Role.CUSTOMER, AccountState.ACTIVE, True)
    assert viewer_of(principal, "device-123", KEY) == pseudonym("account", "acc-1", KEY)
    assert viewer_of(None, "device-123", KEY) == pseudonym("device", "device-123", KEY)
    assert viewer_of(None, None, KEY) is None


def test_the_viewers_features_and_the_model_rank_the_page_and_the_page_is_published():
    # Given a device that viewed a garden product the model places near product-2
    viewer = pseudonym("device", "device-123", KEY)
    prefs = Preferences(viewer, recent=(RecentItem("seen", "view", START.isoformat()),),
                        updated_at=START)
    model = model_of(4, {"seen": [1.0, 0.0], "product-2": [0.95, 0.05], "product-1": [0, 1]})
    publisher = FakeEventPublisher()
    # When its feed is served
    page = feed(viewer, [offer(1), offer(2), offer(3)], features={viewer: prefs}, model=model,
                publisher=publisher)
    # Then the model's neighbour leads, with its factor, and the page's promotions are published
    assert page.model_version == 4
    assert page.entries[0].item.candidate.product_id == "product-2"
    assert page.entries[0].item.item_factor == (0.95, 0.05)
    served = publisher.published[0]
    assert isinstance(served, FeedServed)
    assert served.promotion_ids == tuple(e.item.candidate.promotion_id for e in page.entries)
    assert (served.occurred_at, served.model_version) == (START, 4)


def test_a_bought_product_is_left_out_of_the_viewers_page():
    viewer = "p" * 32
    prefs = Preferences(viewer, category_weights={"electronics--audio": 1.0},
                        bought=("product-1",), updated_at=START)
    page = feed(viewer, [offer(1), offer(2)], features={viewer: prefs})
    assert [e.product.id for e in page.entries] == ["product-2"]


def test_the_feed_is_served_without_the_model_or_pubsub_when_they_are_down():
    # Given the model store and Pub/Sub both unavailable
    publisher = FakeEventPublisher(down=True)
    # When an anonymous feed is served
    page = feed(None, [offer(1), offer(2)], publisher=publisher,
                models=FakeModelStore(down=True))
    # Then it ranks by popularity with no model version, and nothing was published
    assert page.model_version is None
    assert [e.item.reason for e in page.entries] == ["popular right now"] * 2
    assert publisher.published == []


def test_an_empty_page_publishes_nothing():
    publisher = FakeEventPublisher()
    assert feed(None, [], publisher=publisher).entries == []
    assert publisher.published == []


def test_the_seed_is_one_per_viewer_and_minute():
    assert seed_of("a", START) == seed_of("a", START + timedelta(seconds=59))
    assert seed_of("a", START) != seed_of("a", START + timedelta(minutes=1))
    assert seed_of("a", START) != seed_of("b", START)


def test_impressions_count_once_per_promotion_on_the_day_served():
    counters = FakePromotionCounters()
    event = FeedServed(promotion_ids=("promo-1", "promo-2"), model_version=None,
                       occurred_at=START)
    assert count_impressions(event, counters) == 2
    assert counters.impressions == {("promo-1", START.date()): 1, ("promo-2", START.date()): 1}


def test_only_clicks_during_a_running_promotion_count():
    # Given product-1 promoted for one hour from START, product-2 not promoted
    counters = FakePromotionCounters({"product-1": ("promo-1", START, START + timedelta(hours=1))})
    at = (START + timedelta(minutes=5)).isoformat()
    late = (START + timedelta(hours=2)).isoformat()
    batch = InteractionsReceived(
        batch_id="b", pseudonym="p", account_pseudonym=None, device_pseudonym="p",
        events=(Interaction("click", at, "product-1"), Interaction("view", at, "product-1"),
                Interaction("click", late, "product-1"), Interaction("click", at, "product-2"),
                Interaction("search", at, query="lamp")))
    # When the batch's clicks are counted
    counted = count_clicks(batch, counters)
    # Then only the click on product-1 within its promotion counted
    assert counted == 1
    assert counters.clicks == {("promo-1", START.date()): 1}


def test_the_active_promotions_are_read_at_most_once_per_ttl():
    # Given a cache of 2 s over a reader, and a clock the test moves
    reader, seconds = FakePromotedProducts([offer(1)]), [100.0]
    cached = CachedPromotedProducts(reader, 2.0, clock=lambda: seconds[0])
    # When it is asked twice within 2 s, then once 2 s after the first
    first = cached.active(START)
    seconds[0] = 101.9
    cached.active(START)
    reader.offers = [offer(2)]
    seconds[0] = 102.0
    later = cached.active(START)
    # Then the reader was asked twice, and the later answer is the new one
    assert len(reader.asked_at) == 2
    assert [o.product.id for o in first.offers] == ["product-1"]
    assert [o.product.id for o in later.offers] == ["product-2"]


def test_while_one_request_rereads_stale_promotions_the_others_get_the_previous_read():
    # Given a cached read that has gone stale, and a re-read under way in another request
    reader, seconds = FakePromotedProducts([offer(1)]), [100.0]
    cached = CachedPromotedProducts(reader, 2.0, clock=lambda: seconds[0])
    cached.active(START)
    seconds[0] = 103.0
    reader.offers = [offer(2)]
    cached._refreshing.acquire()  # noqa: SLF001  (the other request's re-read)
    # When another request asks meanwhile
    meanwhile = cached.active(START)
    cached._refreshing.release()  # noqa: SLF001
    # Then it gets the previous read at once, and the next request re-reads
    assert [o.product.id for o in meanwhile.offers] == ["product-1"]
    assert [o.product.id for o in cached.active(START).offers] == ["product-2"]
    assert len(reader.asked_at) == 2
