"""Our audit against pycanon 1.3.6 (an independent implementation): the same k and l on a
seeded population, and the row-level count pycanon gives by default is the pitfall we avoid."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pandas as pd
import pytest
from pycanon import anonymity

from common.domain import k_anonymity
from common.domain.k_anonymity import ORDERS, Candidate, audit, select_releasable

COUNTRIES = ("DE", "FR", "NL", "AT", "PL")
CATEGORIES = ("home", "books", "toys", "garden", "fashion", "sports")


def population(seed: int, people: int = 400, orders: int = 1_500) -> list[Candidate]:
    """Orders of `people` buyers, each in one home country, in 2026, skewed to small totals."""
    rng = random.Random(seed)
    home = {f"{i:032x}": rng.choice(COUNTRIES) for i in range(people)}
    buyers = list(home)
    rows = []
    for index in range(orders):
        buyer = rng.choice(buyers)
        rows.append(k_anonymity.order_candidate(
            f"o{index}:c", buyer, country=home[buyer],
            total_amount=int(rng.lognormvariate(8.3, 1.0)) + 1,
            placed_at=datetime(2026, rng.randint(1, 12), 1, tzinfo=timezone.utc),
            category=rng.choice(CATEGORIES)))
    return rows


def frame(rows: list[Candidate], *, per_person: bool) -> pd.DataFrame:
    """The rows as pycanon reads them; per_person: one row per (person, class) (dedup)."""
    records = [{"person": row.person, **row.exported(ORDERS)} for row in rows]
    table = pd.DataFrame(records)
    if per_person:
        table = table.drop_duplicates(subset=["person", *ORDERS.quasi_identifiers])
    return table


@pytest.mark.parametrize(("k", "l_min", "expected"), [
    (1, 1, (1, 1)), (5, 2, (5, 3)), (8, 3, (8, 3)),
], ids=["everything", "released-at-k5-l2", "released-at-k8-l3"])
def test_our_k_and_l_equal_pycanon_on_a_generated_population(k, l_min, expected):
    # Given a seeded population of orders, and the part of it released at (k, l)
    rows = list(select_releasable(population(seed=7), ORDERS, k=k, l_min=l_min).released)

    # When both audit it (pycanon's k on one row per person and class)
    ours = audit(rows, ORDERS)
    qi = list(ORDERS.quasi_identifiers)
    theirs_k = anonymity.k_anonymity(frame(rows, per_person=True), qi)
    theirs_l = anonymity.l_diversity(frame(rows, per_person=False), qi, [ORDERS.sensitive])

    # Then they agree, on the values this seed gives
    assert (ours.k, ours.l) == (theirs_k, theirs_l) == expected


def test_what_we_release_is_five_anonymous_per_person_by_pycanon():
    # Given a seeded population, and the classes we would release with k = 5, l = 2
    rows = population(seed=11)
    released = list(select_releasable(rows, ORDERS, k=5, l_min=2).released)
    qi = list(ORDERS.quasi_identifiers)

    # When pycanon audits the release
    k = anonymity.k_anonymity(frame(released, per_person=True), qi)
    l_div = anonymity.l_diversity(frame(released, per_person=False), qi, [ORDERS.sensitive])

    # Then it is at least 5-anonymous per person and 2-diverse, and something was released
    assert len(released) > len(rows) // 2
    assert k >= 5
    assert l_div >= 2


def test_row_level_k_five_is_person_level_k_one():
    # Given five orders of one buyer alone in their class (the local-stack.md pitfall)
    rows = [k_anonymity.order_candidate(f"o{i}:c", "a" * 32, country="DE", total_amount=3_000,
                                        placed_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
                                        category=CATEGORIES[i]) for i in range(5)]
    qi = list(ORDERS.quasi_identifiers)

    # When pycanon counts rows and when persons are counted
    row_level = anonymity.k_anonymity(frame(rows, per_person=False), qi)
    person_level = anonymity.k_anonymity(frame(rows, per_person=True), qi)

    # Then rows say 5, persons say 1, and our audit says 1 too
    assert (row_level, person_level) == (5, 1)
    assert audit(rows, ORDERS).k == 1
