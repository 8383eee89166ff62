"""What happens to a posted review: customers mark it helpful once each, the product's vendor
replies once, anyone signed in reports it (counted once per reporter), and an admin hides
or restores it: off and back on the list and the rating summary, audited, with events."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.reviewing import (
    audit,
    bought_product,
    buyer_review,
    listed_ids,
    rating,
    review_events,
    review_row,
)


@pytest.fixture
def reviewed(api, verified_vendor):
    """A product of the vendor with one 4-star review: (product id, author, review)."""
    lamp = bought_product(api, verified_vendor)
    author, review = buyer_review(api, lamp, rating=4)
    return lamp, author, review


def helpful(api, user, review_id):
    return api.post(f"/v1/reviews/{review_id}:helpful", headers=user.auth if user else {})


# Helpful votes --------------------------------------------------------------------------

def test_each_customer_marks_a_review_helpful_once(api, reviewed, customer):
    lamp, _, review = reviewed

    # When another customer marks it helpful, twice
    first = helpful(api, customer, review["id"])
    again = helpful(api, customer, review["id"])

    # Then it counts once: the review as now, then 409
    assert first.status_code == 200, first.text
    assert first.json()["id"] == review["id"] and first.json()["helpful_count"] == 1
    assert again.status_code == 409 and again.json()["code"] == "already_marked_helpful"
    assert review_row(review["id"]).helpful_count == 1


def test_nobody_marks_their_own_review_or_as_a_vendor_or_anonymously(api, reviewed,
                                                                     verified_vendor):
    _, author, review = reviewed

    own = helpful(api, author, review["id"])
    vendor = helpful(api, verified_vendor, review["id"])
    anonymous = helpful(api, None, review["id"])

    assert (own.status_code, own.json()["code"]) == (403, "own_review")
    assert (vendor.status_code, vendor.json()["code"]) == (403, "forbidden")
    assert anonymous.status_code == 401
    assert review_row(review["id"]).helpful_count == 0


@pytest.mark.parametrize("review_id", [str(uuid.uuid4()), "not-a-uuid"],
                         ids=["unknown", "not-a-uuid"])
def test_an_unknown_review_is_not_found(api, customer, review_id):
    for response in [helpful(api, customer, review_id),
                     api.post(f"/v1/reviews/{review_id}:report", headers=customer.auth,
                              json={"reason": "Spam"})]:
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"


# Replies --------------------------------------------------------------------------------

def test_the_vendor_replies_once_publicly_and_the_event_carries_the_text(
        api, reviewed, verified_vendor):
    lamp, author, review = reviewed
    text = "Thanks! <a href='x'>Care tips</a>\n\tEnjoy."

    # When the product's vendor replies, twice
    first = api.post(f"/v1/reviews/{review['id']}/reply", headers=verified_vendor.auth,
                     json={"text": text})
    again = api.post(f"/v1/reviews/{review['id']}/reply", headers=verified_vendor.auth,
                     json={"text": "Second thoughts"})

    # Then the first is the review with its reply, verbatim; the second 409, nothing changed
    assert first.status_code == 201, first.text
    assert first.json()["reply"]["text"] == text
    assert again.status_code == 409 and again.json()["code"] == "already_replied"
    [item] = [i for i in _items(api, lamp) if i["id"] == review["id"]]
    assert item["reply"] == first.json()["reply"]
    # And one review.replied went through the outbox
    assert review_events(review["id"], "review.replied") == [{
        "review_id": review["id"], "product_id": lamp, "vendor_id": verified_vendor.id,
        "author_id": author.id, "text": text}]


def test_only_the_products_vendor_replies(api, reviewed, customer, admin):
    _, author, review = reviewed
    other_vendor = _verified_vendor(api, admin)

    answers = [api.post(f"/v1/reviews/{review['id']}/reply", headers=user.auth,
                        json={"text": "Hello"}) for user in (other_vendor, author, customer)]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [(403, "forbidden")] * 3
    assert review_row(review["id"]).reply_body is None


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001, "bell\x07", "nul\x00", "esc\x1b[2J",
                                  "c1\x85"],
                         ids=["empty", "blank", "too-long", "bell", "nul", "escape", "c1"])
def test_a_bad_reply_is_422_and_stores_nothing(api, reviewed, verified_vendor, text):
    _, _, review = reviewed

    response = api.post(f"/v1/reviews/{review['id']}/reply", headers=verified_vendor.auth,
                        json={"text": text})

    assert response.status_code == 422, response.text
    assert review_row(review["id"]).reply_body is None


# Reports --------------------------------------------------------------------------------

def test_a_report_counts_once_per_reporter_and_each_first_one_is_an_event(
        api, reviewed, customer, verified_vendor):
    lamp, author, review = reviewed
    path = f"/v1/reviews/{review['id']}:report"

    # When a customer reports it twice and the vendor once
    answers = [api.post(path, headers=customer.auth, json={"reason": "Fake review"}),
               api.post(path, headers=customer.auth, json={"reason": "Really fake"}),
               api.post(path, headers=verified_vendor.auth, json={"reason": "Not a buyer"})]

    # Then each is 200 alike, the review counts two reporters, and two events were recorded
    assert [r.status_code for r in answers] == [200, 200, 200], answers[-1].text
    assert answers[0].json() == {"review_id": review["id"], "reported": True}
    assert answers[1].json() == answers[0].json()
    assert review_row(review["id"]).report_count == 2
    ids = {"review_id": review["id"], "product_id": lamp, "vendor_id": verified_vendor.id,
           "author_id": author.id}
    assert review_events(review["id"], "review.reported") == [
        {**ids, "reporter_id": customer.id, "reason": "Fake review"},
        {**ids, "reporter_id": verified_vendor.id, "reason": "Not a buyer"}]
    # And a report hides nothing by itself
    assert review["id"] in listed_ids(api, lamp)


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 501},
                                  {"reason": "spam\x1b"}, {"reason": "ok", "extra": 1}],
                         ids=["missing", "empty", "too-long", "control", "unknown-field"])
def test_a_bad_report_is_422_and_counts_nothing(api, reviewed, customer, body):
    _, _, review = reviewed

    response = api.post(f"/v1/reviews/{review['id']}:report", headers=customer.auth, json=body)

    assert response.status_code == 422, response.text
    assert review_row(review["id"]).report_count == 0


def test_reporting_needs_a_signed_in_caller(api, reviewed):
    _, _, review = reviewed

    response = api.post(f"/v1/reviews/{review['id']}:report", json={"reason": "Spam"})

    assert response.status_code == 401
    assert review_row(review["id"]).report_count == 0


# Hide and restore -----------------------------------------------------------------------

def test_an_admin_hides_and_restores_a_review_list_summary_audit_and_events(
        api, reviewed, admin, customer, verified_vendor):
    # Given a product with a 4-star and a 2-star review
    lamp, author, review = reviewed
    _, other = buyer_review(api, lamp, rating=2)
    both = {"count": 2, "average": 3.0,
            "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}}
    assert rating(api, lamp) == both

    # When an admin hides the 4-star one
    hidden = api.post(f"/v1/admin/reviews/{review['id']}:hide", headers=admin.auth,
                      json={"reason": "Abusive language"})

    # Then it is off the list, out of the summary, and no one can vote on it
    assert hidden.status_code == 200, hidden.text
    assert hidden.json() == {"id": review["id"], "status": "hidden"}
    assert listed_ids(api, lamp) == [other["id"]]
    assert rating(api, lamp) == {"count": 1, "average": 2.0,
                                 "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0}}
    assert helpful(api, customer, review["id"]).status_code == 404

    # When the admin restores it
    restored = api.post(f"/v1/admin/reviews/{review['id']}:restore", headers=admin.auth,
                        json={"reason": "Checked with the author"})

    # Then it is listed and counted again, as before
    assert restored.status_code == 200, restored.text
    assert restored.json() == {"id": review["id"], "status": "visible"}
    assert listed_ids(api, lamp) == [other["id"], review["id"]]
    assert rating(api, lamp) == both
    # And both actions are audited and went through the outbox
    assert audit(review["id"]) == [(admin.id, "review.hide", "Abusive language"),
                                   (admin.id, "review.restore", "Checked with the author")]
    ids = {"review_id": review["id"], "product_id": lamp, "vendor_id": verified_vendor.id,
           "author_id": author.id, "admin_id": admin.id}
    assert review_events(review["id"], "review.hidden") == [
        {**ids, "reason": "Abusive language"}]
    assert review_events(review["id"], "review.restored") == [
        {**ids, "reason": "Checked with the author"}]


def test_hiding_a_hidden_or_restoring_a_visible_review_is_409_and_changes_nothing(
        api, reviewed, admin):
    lamp, _, review = reviewed
    hide = f"/v1/admin/reviews/{review['id']}:hide"
    restore = f"/v1/admin/reviews/{review['id']}:restore"

    visible_restore = api.post(restore, headers=admin.auth, json={"reason": "Why not"})
    assert api.post(hide, headers=admin.auth, json={"reason": "Spam"}).status_code == 200
    hidden_hide = api.post(hide, headers=admin.auth, json={"reason": "Spam again"})

    for response in (visible_restore, hidden_hide):
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "invalid_state"
    assert rating(api, lamp)["count"] == 0
    assert [action for _, action, _ in audit(review["id"])] == ["review.hide"]
    assert len(review_events(review["id"], "review.hidden")) == 1


def test_only_admins_moderate_and_an_unknown_review_is_not_found(api, reviewed, admin,
                                                                 customer, verified_vendor):
    lamp, author, review = reviewed
    hide = f"/v1/admin/reviews/{review['id']}:hide"

    refused = [api.post(hide, headers=user.auth, json={"reason": "Mine"})
               for user in (author, customer, verified_vendor)]
    unknown = api.post(f"/v1/admin/reviews/{uuid.uuid4()}:hide", headers=admin.auth,
                       json={"reason": "Spam"})
    no_reason = api.post(hide, headers=admin.auth, json={})

    assert [r.status_code for r in refused] == [403, 403, 403]
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert no_reason.status_code == 422
    assert review["id"] in listed_ids(api, lamp) and audit(review["id"]) == []


def test_concurrent_hides_and_restores_move_the_summary_exactly_once_each(api, reviewed,
                                                                          admin):
    # Given a product whose one 4-star review is counted
    lamp, _, review = reviewed
    assert rating(api, lamp)["count"] == 1

    # When six admins' requests hide it at the same moment, then six restore it
    hid = _at_once(api, admin, f"/v1/admin/reviews/{review['id']}:hide", 6)
    after_hide = rating(api, lamp)["count"]
    restored = _at_once(api, admin, f"/v1/admin/reviews/{review['id']}:restore", 6)

    # Then one of each won, the others were 409, and the summary moved once each way
    assert sorted(hid) == sorted(restored) == [200] + [409] * 5
    assert after_hide == 0 and rating(api, lamp)["distribution"]["4"] == 1
    assert len(review_events(review["id"], "review.hidden")) == 1
    assert len(review_events(review["id"], "review.restored")) == 1


def test_concurrent_helpful_votes_all_count(api, reviewed):
    # Given eight customers
    _, _, review = reviewed
    voters = [api.register("customer") for _ in range(8)]

    # When they all mark the review helpful at the same moment
    with ThreadPoolExecutor(len(voters)) as pool:
        codes = list(pool.map(lambda voter: requests.post(
            f"{api.base_url}/v1/reviews/{review['id']}:helpful", headers=voter.auth,
            timeout=30).status_code, voters))

    # Then every vote counted, none lost
    assert codes == [200] * 8
    assert review_row(review["id"]).helpful_count == 8


def _at_once(api, admin, path, n):
    """The status codes of `n` simultaneous POSTs of `path` by the admin."""
    barrier = threading.Barrier(n)

    def post(_):
        barrier.wait()
        return requests.post(api.base_url + path, headers=admin.auth,
                             json={"reason": "Concurrent moderation"}, timeout=30).status_code

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(post, range(n)))


def _items(api, product_id):
    return api.get(f"/v1/products/{product_id}/reviews").json()["items"]


def _verified_vendor(api, admin):
    from tests.e2e.client import CHECKLIST

    vendor = api.register("vendor")
    response = api.post(f"/v1/admin/vendors/{vendor.id}:verify", headers=admin.auth,
                        json={"checklist": CHECKLIST})
    assert response.status_code == 200, response.text
    return vendor
