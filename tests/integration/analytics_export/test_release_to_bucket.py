"""The export over the stack's PostgreSQL (as role bazaar_analytics_export) and
fake-gcs-server: a class of five buyers released as generalised JSON Lines, a smaller one
waiting until it grows, events released by their pseudonyms, a release that would break k
refused before anything is written, and what the role may not read."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy.exc
from google.cloud import storage  # type: ignore[attr-defined]
from sqlalchemy import text

from common import bootstrap, clock
from common.adapters.gcs_analytics_exports import GcsExportObjects
from common.domain.k_anonymity import ReleaseBreaksAnonymity
from common.domain.pseudonyms import pseudonym
from common.services import analytics_export
from tests.integration.analytics_export import sources
from tests.integration.reviews.purchases import new_account


@pytest.fixture
def month(stack, monkeypatch):
    """This test's own month; "now" is 20 days after its orders (inside the wait window)."""
    placed = sources.far_month()
    monkeypatch.setattr(clock, "now", lambda: placed + timedelta(days=20))
    return placed


def bucket() -> storage.Bucket:
    current = bootstrap.settings()
    return storage.Client(project=current.project_id).bucket(current.analytics_bucket)


def release(dataset: str) -> analytics_export.ExportOutcome:
    """One run of the dataset, as the function runs it."""
    with bootstrap.database_role(sources.ROLE):
        return analytics_export.release_dataset(
            dataset, uow=bootstrap.analytics_export_unit_of_work,
            objects=GcsExportObjects(bootstrap.settings()), settings=bootstrap.settings())


def records(outcome: analytics_export.ExportOutcome) -> tuple[str, list[dict]]:
    data = bucket().blob(f"exports/{outcome.dataset}/{outcome.release_id}.jsonl")
    raw = data.download_as_bytes().decode()
    return raw, [json.loads(line) for line in raw.splitlines()]


def test_five_buyers_are_released_as_generalised_rows_and_two_wait(month):
    # Given five buyers of one class over two categories and two buyers shipping to FR
    products = sources.products_of_two_categories()
    first, second = [c for c in products if c != "vendor"]
    buyers = [new_account("customer") for _ in range(7)]
    orders = [sources.paid_order(b, products["vendor"], products[(first, second)[i % 2]],
                                 at=month) for i, b in enumerate(buyers[:5])]
    for b in buyers[5:]:
        sources.paid_order(b, products["vendor"], products[first], at=month, country="FR")

    # When the export runs
    outcome = release("orders")

    # Then the five are one object of generalised values, no id, pseudonym or address in it
    assert (outcome.rows, outcome.waiting, outcome.k, outcome.l) == (5, 2, 5, 2)
    raw, rows = records(outcome)
    assert sorted(r["category"] for r in rows) == sorted([first, second, first, second, first])
    assert {(r["country"], r["month"], r["total_band"]) for r in rows} == {
        ("DE", f"{month:%Y-%m}", "20-50")}
    key = bootstrap.settings().pseudonym_hmac_key()
    for secret in [*buyers, *orders, *(pseudonym("account", b, key) for b in buyers),
                   "Mustermann", "Hauptstr"]:
        assert secret not in raw
    with bootstrap.engine().connect() as db:
        written = db.execute(text("SELECT row_count, written_at FROM analytics_releases "
                                  "WHERE id = :id"), {"id": outcome.release_id}).one()
    assert written.row_count == 5 and written.written_at is not None


def test_a_waiting_class_is_released_once_it_has_five_buyers(month):
    # Given two FR buyers that waited in a first run
    products = sources.products_of_two_categories()
    first, second = [c for c in products if c != "vendor"]
    for category in (first, second):
        sources.paid_order(new_account("customer"), products["vendor"], products[category],
                           at=month, country="FR")
    assert release("orders").release_id is None

    # When three more FR buyers arrive and it runs again
    for _ in range(3):
        sources.paid_order(new_account("customer"), products["vendor"], products[first],
                           at=month, country="FR")
    outcome = release("orders")

    # Then all five go out together, and nothing is left for a third run
    assert (outcome.rows, outcome.waiting) == (5, 0)
    assert {r["country"] for r in records(outcome)[1]} == {"FR"}
    assert release("orders").release_id is None


def test_events_of_five_pseudonyms_are_released_by_iso_week(month):
    # Given view events of five pseudonyms over two categories in this month
    people = [uuid.uuid4().hex for _ in range(5)]
    for i, person in enumerate(people):
        sources.event(person, at=month, category=("home", "books")[i % 2], device="tablet")

    # When the interactions export runs
    outcome = release("interactions")

    # Then five rows of that week go out, without the pseudonyms
    raw, rows = records(outcome)
    year, week, _ = month.isocalendar()
    assert (outcome.rows, outcome.waiting) == (5, 0)
    assert {(r["week"], r["device_class"], r["type"]) for r in rows} == {
        (f"{year}-W{week:02d}", "tablet", "view")}
    assert not any(person in raw for person in people)


def test_interactions_take_the_category_of_their_product_and_are_released(month):
    # Given clicks of five pseudonyms as the anonymizer stores interactions: a product, no
    # category, country or device class
    products = sources.products_of_two_categories()
    categories = sorted(c for c in products if c != "vendor")
    people = [uuid.uuid4().hex for _ in range(5)]
    for i, person in enumerate(people):
        sources.event(person, at=month, category=None, country=None, device=None,
                      type_="click", product=products[categories[i % 2]])

    # When the interactions export runs
    outcome = release("interactions")

    # Then they go out with their products' categories (l = 2), not all as "unknown"
    _, rows = records(outcome)
    assert (outcome.rows, outcome.waiting) == (5, 0)
    assert sorted({r["category"] for r in rows}) == categories


@pytest.fixture
def broken_accumulated_release():
    """A class of ONE person with five rows in the accumulated release (as a bug would leave
    it), removed afterwards so later tests can release again."""
    release_id = f"20000101T000000Z-{uuid.uuid4().hex[:8]}"
    person = uuid.uuid4().hex
    with bootstrap.engine().begin() as db:
        db.execute(text(
            "INSERT INTO analytics_releases (id, dataset, object_path, row_count, waiting, k, "
            "l, created_at, written_at) VALUES (:id, 'orders', :path, 5, 0, 5, 2, now(), "
            "now())"), {"id": release_id, "path": f"exports/orders/{release_id}.jsonl"})
        for i in range(5):
            db.execute(text(
                "INSERT INTO analytics_release_rows (dataset, source_id, release_id, person, "
                "record) VALUES ('orders', :source, :id, :person, CAST(:record AS jsonb))"),
                {"source": f"broken-{uuid.uuid4()}", "id": release_id, "person": person,
                 "record": json.dumps({"country": "ZZ", "month": "2000-01",
                                       "total_band": "<20", "category": ("a", "b")[i % 2]})})
    yield
    with bootstrap.engine().begin() as db:
        db.execute(text("DELETE FROM analytics_release_rows WHERE release_id = :id"),
                   {"id": release_id})
        db.execute(text("DELETE FROM analytics_releases WHERE id = :id"), {"id": release_id})


def test_a_release_that_would_break_person_level_k_is_refused_before_writing(
        month, broken_accumulated_release):
    # Given five good buyers waiting, and an accumulated release with row-level k = 5 but
    # person-level k = 1
    products = sources.products_of_two_categories()
    first, second = [c for c in products if c != "vendor"]
    for i in range(5):
        sources.paid_order(new_account("customer"), products["vendor"],
                           products[(first, second)[i % 2]], at=month, country="AT")
    before = {blob.name for blob in bucket().list_blobs(prefix="exports/orders/")}

    # When the export runs, Then the audit refuses with k = 1
    with pytest.raises(ReleaseBreaksAnonymity) as refused:
        release("orders")
    assert refused.value.audit.k == 1

    # And nothing was recorded or written
    with bootstrap.engine().connect() as db:
        recorded = db.execute(text(
            "SELECT count(*) FROM analytics_release_rows r JOIN analytics_order_facts f "
            "ON r.source_id = f.order_id::text || ':' || f.category_id "
            "WHERE f.created_at = :at AND f.country = 'AT'"), {"at": month}).scalar_one()
    assert recorded == 0
    assert {blob.name for blob in bucket().list_blobs(prefix="exports/orders/")} == before


def test_an_object_is_written_once_and_a_retry_keeps_it(stack):
    # Given a release object in the analytics bucket
    objects = GcsExportObjects(bootstrap.settings())
    path = f"exports/orders/test-{uuid.uuid4().hex}.jsonl"
    objects.write(path, b'{"a":"1"}\n')

    # When the same path is written again (a retry), Then the first bytes stay
    objects.write(path, b'{"a":"2"}\n')
    assert bucket().blob(path).download_as_bytes() == b'{"a":"1"}\n'


@pytest.mark.parametrize("query", [
    "SELECT shipping_address FROM orders LIMIT 1",
    "SELECT email FROM accounts LIMIT 1",
    "SELECT properties FROM analytics_events LIMIT 1",
    "UPDATE analytics_release_rows SET person = person",
], ids=["addresses", "emails", "event-properties", "rewrite-the-release"])
def test_the_export_role_reads_no_personal_data_and_cannot_rewrite_a_release(stack, query):
    with bootstrap.database_role(sources.ROLE), pytest.raises(
            sqlalchemy.exc.ProgrammingError, match="permission denied"):
        with bootstrap.engine().connect() as db:
            db.execute(text(query))


def test_the_scheduled_function_runs_as_its_role_and_succeeds(stack):
    # When Cloud Scheduler's local stand-in runs the function (at the real "now")
    status = stack.services["scheduler"].trigger("release_analytics_export")

    # Then it answered 2xx: every dataset ran with the role's grants and the bucket
    assert (status.last_status, status.last_error) == (200, None)
