"""The k-anonymity rules: generalisation by the written policy, the choice of releasable
classes counted per person (each release and the accumulated one), and the audit that refuses."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from common.domain import k_anonymity
from common.domain.k_anonymity import (
    INTERACTIONS,
    ORDERS,
    Candidate,
    ReleaseBreaksAnonymity,
    audit,
    check_release,
    select_releasable,
)

AT = datetime(2026, 11, 30, 21, 15, tzinfo=timezone.utc)


def order_row(source: str, person: str, *, country: str = "DE", amount: int = 3_000,
              category: str = "home") -> Candidate:
    return k_anonymity.order_candidate(source, person, country=country, total_amount=amount,
                                       placed_at=AT, category=category)


def persons(count: int, prefix: str = "p") -> list[str]:
    return [f"{prefix}{index:031d}" for index in range(count)]


@pytest.mark.parametrize(("amount", "band"), [
    (1, "<20"), (1_999, "<20"), (2_000, "20-50"), (4_999, "20-50"), (5_000, "50-100"),
    (10_000, "100-250"), (24_999, "100-250"), (25_000, "250+"), (10_000_000, "250+"),
], ids=lambda value: str(value))
def test_an_order_total_falls_in_its_band(amount, band):
    assert k_anonymity.total_band(amount) == band


def test_an_order_row_holds_only_generalised_values():
    # When an order of €37.50 to DE placed on 30 November is generalised
    row = order_row("o1:home", "a" * 32, amount=3_750)

    # Then its exported record is the country, month, band and category, nothing else
    assert row.exported(ORDERS) == {"country": "DE", "month": "2026-11", "total_band": "20-50",
                                    "category": "home"}
    assert row.class_key(ORDERS) == ("DE", "2026-11", "20-50")


def test_an_interaction_row_holds_its_iso_week_and_unknown_for_missing_values():
    # When an event without device class or category is generalised
    row = k_anonymity.interaction_candidate("e1", "b" * 32, country=None, device_class=None,
                                            at=AT, type_="view", category=None)

    # Then the week is ISO (30 Nov 2026 is in week 49) and the gaps say unknown
    assert row.exported(INTERACTIONS) == {"country": "unknown", "device_class": "unknown",
                                          "week": "2026-W49", "type": "view",
                                          "category": "unknown"}


def test_a_class_of_five_persons_and_two_categories_is_released():
    # Given five buyers in one class, buying two categories
    batch = [order_row(f"o{i}:c", person, category="home" if i % 2 else "books")
             for i, person in enumerate(persons(5))]

    # When the releasable rows are chosen with k = 5, l = 2
    selection = select_releasable(batch, ORDERS, k=5, l_min=2)

    # Then all five are released and none waits
    assert selection.released == tuple(batch)
    assert selection.waiting == ()


def test_five_rows_of_one_person_wait():
    # Given five orders of ONE buyer in one class (row-level k = 5, person-level k = 1)
    batch = [order_row(f"o{i}:home", "a" * 32, category=("home", "books")[i % 2])
             for i in range(5)]

    # When the releasable rows are chosen, Then every row waits
    selection = select_releasable(batch, ORDERS, k=5, l_min=1)
    assert selection.released == ()
    assert len(selection.waiting) == 5


def test_a_class_of_one_category_waits_for_l():
    # Given five buyers in one class who all bought the same category (l = 1)
    batch = [order_row(f"o{i}:home", person) for i, person in enumerate(persons(5))]

    # When chosen with l = 2, Then they wait (the class would reveal what each bought)
    assert select_releasable(batch, ORDERS, k=5, l_min=2).released == ()


def test_a_class_goes_out_once_its_waiting_rows_come_from_five_persons():
    # Given one order of a class already released, and five buyers' orders of another class
    joining = order_row("o9:home", "z" * 32)
    fresh = [order_row(f"f{i}:c", p, country="FR", category=("home", "books")[i % 2])
             for i, p in enumerate(persons(5))]

    # When the releasable rows are chosen
    selection = select_releasable([joining, *fresh], ORDERS, k=5, l_min=2)

    # Then the five go out; the lone one waits even though its class went out before (the
    # difference between two releases would single it out)
    assert selection.released == tuple(fresh)
    assert selection.waiting == (joining,)


def test_a_persons_many_rows_in_a_batch_count_once():
    # Given four buyers with three orders each in one class, two categories
    batch = [order_row(f"o{i}-{n}:c", p, category=("home", "books")[n % 2])
             for i, p in enumerate(persons(4)) for n in range(3)]

    # When the releasable rows are chosen, Then twelve rows of four persons wait
    selection = select_releasable(batch, ORDERS, k=5, l_min=2)
    assert (len(selection.released), len(selection.waiting)) == (0, 12)


def test_the_audit_counts_distinct_persons_and_categories_per_class():
    # Given one class of six buyers over three categories, one of five buyers (one category)
    rows = [order_row(f"a{i}", p, category=("home", "books", "toys")[i % 3])
            for i, p in enumerate(persons(6))]
    rows += [order_row(f"b{i}", p, country="FR") for i, p in enumerate(persons(5, "q"))]

    # When audited, Then k is the smaller class's persons and l its categories
    assert audit(rows, ORDERS) == k_anonymity.Audit(k=5, l=1, classes=2, rows=11)


def test_the_audit_refuses_row_level_k_five_when_person_level_k_is_one():
    # Given a release whose class has five rows but all of one buyer, beside a good class
    good = [order_row(f"g{i}", p, category=("home", "books")[i % 2])
            for i, p in enumerate(persons(5))]
    one_person = [order_row(f"x{i}", "a" * 32, country="FR", category=("home", "books")[i % 2])
                  for i in range(5)]

    # When it is checked, Then it is refused with person-level k = 1 (on its five rows)
    with pytest.raises(ReleaseBreaksAnonymity) as refused:
        check_release(good, one_person, ORDERS, k=5, l_min=2)
    assert (refused.value.audit.k, refused.value.audit.rows) == (1, 5)


def test_the_audit_passes_a_release_that_keeps_k_and_l():
    # Given an accumulated class of five buyers and a release of five more in it
    before = [order_row(f"g{i}", p, category=("home", "books")[i % 2])
              for i, p in enumerate(persons(5))]
    release = [order_row(f"n{i}", p, category=("home", "books")[i % 2])
               for i, p in enumerate(persons(5, "q"))]

    # When checked, Then the accumulated audit is returned
    assert check_release(before, release, ORDERS, k=5, l_min=2) == k_anonymity.Audit(
        k=10, l=2, classes=1, rows=10)


def test_the_audit_refuses_a_release_that_alone_has_fewer_than_five_persons_in_a_class():
    # Given an accumulated class of five buyers and a release of two more in it
    before = [order_row(f"g{i}", p, category=("home", "books")[i % 2])
              for i, p in enumerate(persons(5))]
    release = [order_row(f"n{i}", p, category=("home", "books")[i % 2])
               for i, p in enumerate(persons(2, "q"))]

    # When checked, Then it is refused: the two could be singled out by the difference
    with pytest.raises(ReleaseBreaksAnonymity) as refused:
        check_release(before, release, ORDERS, k=5, l_min=2)
    assert refused.value.audit.k == 2


def test_an_empty_release_audits_as_nothing():
    assert audit([], ORDERS) == k_anonymity.Audit(k=0, l=0, classes=0, rows=0)
    assert check_release([], [], ORDERS, k=5, l_min=2).rows == 0
