"""review.posted / review.edited: bursts, reviewers without history, copied texts,
rating outliers and reviewers tied to the vendor."""

import uuid
from datetime import timedelta

from edge_workers.fraud.event_handlers import HANDLERS, on_review_edited, on_review_posted
from edge_workers.fraud.history import MemoryHistory
from edge_workers.fraud.signals import Signal
from tests.unit.fraud.signals_given import NOW, event_id, minutes

COPIED = ("Best lamp I have ever owned, the light is warm and the build quality is "
          "excellent, five stars from me")
OLD = NOW - timedelta(days=400)


def review(product_id, vendor_id, author_id, *, rating=5, text="Bright and quiet."):
    return {"review_id": str(uuid.uuid4()), "product_id": product_id, "vendor_id": vendor_id,
            "author_id": author_id, "rating": rating, "title": "Lamp", "text": text}


def ids(n):
    return [str(uuid.uuid4()) for _ in range(n)]


def test_an_ordinary_review_by_an_old_account_opens_no_case():
    product, vendor, author = ids(3)
    history = MemoryHistory({author: OLD})
    assert on_review_posted(event_id(), review(product, vendor, author), history, NOW) == []
    [signal] = history.recorded
    assert (signal.kind, signal.subject, signal.detail["minhash"]) == ("review", product, None)


def test_the_same_text_from_three_new_accounts_is_hidden_on_the_third():
    # Given three new accounts, each with one order
    product, vendor = ids(2)
    authors = ids(3)
    history = MemoryHistory({a: NOW - timedelta(days=1) for a in authors})
    # When each posts the same long text
    results = [on_review_posted(event_id(), review(product, vendor, a, text=COPIED), history,
                                NOW + minutes(i)) for i, a in enumerate(authors)]
    # Then the first is alone, the second a case, the third hidden
    assert results[0] == []
    assert [c.action for c in results[1]] == ["none"]
    [hidden] = results[2]
    assert (hidden.action, hidden.score, hidden.account_id) == ("review_hidden", 0.76,
                                                                authors[2])
    assert hidden.reasons == ("reviewer's account is 1 days old with 0 order(s)",
                              "text nearly the same as 2 other account(s)' reviews")
    assert COPIED not in str(hidden.evidence)


def test_a_burst_of_five_with_an_outlying_rating_is_a_case_not_a_hiding():
    product, vendor = ids(2)
    authors = ids(5)
    history = MemoryHistory({a: OLD for a in authors})
    for i, author in enumerate(authors[:4]):
        on_review_posted(event_id(), review(product, vendor, author, rating=5), history,
                         NOW + minutes(i))
    [case] = on_review_posted(event_id(), review(product, vendor, authors[4], rating=1),
                              history, NOW + minutes(5))
    assert case.reasons == ("5 reviews of this product in 1 h", "rating 1 against a mean of 5.0")
    assert (case.action, case.score) == ("none", 0.545)


def test_a_reviewer_who_shares_a_device_with_the_vendor_is_tied_to_it():
    # Given a vendor and a reviewer who logged in from the same device
    product, vendor, author = ids(3)
    history = MemoryHistory({author: NOW - timedelta(days=2)})
    for account in (vendor, author):
        history.record(Signal(event_id(), "login", NOW - minutes(30), account_id=account,
                              device_id="device-shared-1"))
    # When the reviewer posts a five-star review
    [case] = on_review_posted(event_id(), review(product, vendor, author), history, NOW)
    # Then it is a case (tied + new account), not yet hidden
    assert case.reasons == ("reviewer's account is 2 days old with 0 order(s)",
                            "reviewer shares a device with the vendor")
    assert (case.action, case.score) == ("none", 0.68)


def test_an_edit_into_a_copied_text_is_hidden_and_is_no_new_review_of_the_product():
    product, vendor = ids(2)
    authors = ids(3)
    history = MemoryHistory({a: NOW - timedelta(days=1) for a in authors})
    for author in authors[:2]:
        on_review_posted(event_id(), review(product, vendor, author, text=COPIED), history, NOW)
    edit = review(product, vendor, authors[2], text=COPIED)
    [case] = HANDLERS["review.edited"](event_id(), edit, history, NOW + minutes(1))
    assert (case.action, case.subject_id) == ("review_hidden", edit["review_id"])
    assert history.count("review", "subject", product, NOW - minutes(5)) == 2
    assert on_review_edited is HANDLERS["review.edited"]
