"""k-anonymous exports: the written generalisation policy, the choice of what may be released,
and the audit every release passes before it is written (docs/decisions/0030).

A row's equivalence class is its tuple of generalised quasi-identifiers. k is counted per
PERSON (distinct pseudonyms, never rows); l is the distinct values of the sensitive attribute
in a class. A class's waiting rows are released together once they come from k persons with l
values, so both the accumulated release (everything released before plus this batch) and the
difference between two releases are k-anonymous and l-diverse; until then its rows wait
(suppressed in this release, offered again in the next). The audit checks both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

ClassKey = tuple[str, ...]

# Order totals in minor units (EUR): upper bounds (exclusive) of each band and its label.
TOTAL_BANDS: tuple[tuple[int | None, str], ...] = (
    (2_000, "<20"), (5_000, "20-50"), (10_000, "50-100"), (25_000, "100-250"), (None, "250+"))
UNKNOWN = "unknown"


class ReleaseBreaksAnonymity(RuntimeError):
    """The audit found a class of the accumulated release below k persons or l values."""

    def __init__(self, found: Audit, k: int, l_min: int) -> None:
        super().__init__(f"the release would have k={found.k} (needs {k}) and "
                         f"l={found.l} (needs {l_min}) over {found.classes} classes")
        self.audit = found


@dataclass(frozen=True)
class Policy:
    """What a dataset's rows hold once generalised: its quasi-identifiers and the one
    sensitive attribute (what l-diversity protects)."""

    dataset: str
    quasi_identifiers: tuple[str, ...]
    sensitive: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.quasi_identifiers, self.sensitive)


# Orders: what an observer may know of a buyer (where they live, roughly when and how much
# they bought) are the quasi-identifiers; what they bought is the sensitive attribute.
ORDERS = Policy("orders", ("country", "month", "total_band"), "category")
# Interactions: where, on what kind of device, which week and what kind of event; the
# category looked at is the sensitive attribute.
INTERACTIONS = Policy("interactions", ("country", "device_class", "week", "type"), "category")
POLICIES: Mapping[str, Policy] = {policy.dataset: policy for policy in (ORDERS, INTERACTIONS)}


@dataclass(frozen=True)
class Candidate:
    """One source row, generalised: `values` holds exactly the policy's columns; `person` is
    the pseudonym it is counted under (never exported)."""

    source_id: str
    person: str
    values: Mapping[str, str]

    def class_key(self, policy: Policy) -> ClassKey:
        return tuple(self.values[name] for name in policy.quasi_identifiers)

    def sensitive(self, policy: Policy) -> str:
        return self.values[policy.sensitive]

    def exported(self, policy: Policy) -> dict[str, str]:
        """The exported record: the generalised values only (no ids, no pseudonym)."""
        return {name: self.values[name] for name in policy.columns}


@dataclass(frozen=True)
class Audit:
    """k and l of a release (0 for an empty one), over how many classes and rows."""

    k: int
    l: int  # noqa: E741  # the l of l-diversity
    classes: int
    rows: int

    def satisfies(self, k: int, l_min: int) -> bool:
        return self.rows == 0 or (self.k >= k and self.l >= l_min)


@dataclass(frozen=True)
class Selection:
    """What this batch releases now and what waits for its class to grow."""

    released: tuple[Candidate, ...]
    waiting: tuple[Candidate, ...]


def total_band(amount: int) -> str:
    """The band of an order total in minor units (EUR)."""
    for upper, label in TOTAL_BANDS:
        if upper is None or amount < upper:
            return label
    raise AssertionError("the last band is open")


def month_of(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def week_of(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year:04d}-W{week:02d}"


def order_candidate(source_id: str, person: str, *, country: str | None, total_amount: int,
                    placed_at: datetime, category: str) -> Candidate:
    """An order's row for one of its categories (the order total's band, its month)."""
    return Candidate(source_id, person, {
        "country": country or UNKNOWN, "month": month_of(placed_at),
        "total_band": total_band(total_amount), "category": category})


def interaction_candidate(source_id: str, person: str, *, country: str | None,
                          device_class: str | None, at: datetime, type_: str,
                          category: str | None) -> Candidate:
    """An anonymized analytics or interaction event's row (its ISO week)."""
    return Candidate(source_id, person, {
        "country": country or UNKNOWN, "device_class": device_class or UNKNOWN,
        "week": week_of(at), "type": type_, "category": category or UNKNOWN})


def _classes(rows: Iterable[Candidate], policy: Policy) -> dict[ClassKey, tuple[set, set]]:
    """Per class: its distinct persons and its distinct sensitive values."""
    classes: dict[ClassKey, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for row in rows:
        persons, values = classes[row.class_key(policy)]
        persons.add(row.person)
        values.add(row.sensitive(policy))
    return classes


def audit(rows: Iterable[Candidate], policy: Policy) -> Audit:
    """k (fewest distinct persons in a class) and l (fewest distinct sensitive values)."""
    listed = list(rows)
    classes = _classes(listed, policy)
    if not classes:
        return Audit(k=0, l=0, classes=0, rows=0)
    return Audit(k=min(len(persons) for persons, _ in classes.values()),
                 l=min(len(values) for _, values in classes.values()),
                 classes=len(classes), rows=len(listed))


def select_releasable(batch: Iterable[Candidate], policy: Policy, k: int,
                      l_min: int) -> Selection:
    """Release the batch rows of every class whose rows in this batch come from at least k
    persons with l sensitive values; the rest waits. Then the accumulated class has k and l
    too, and so does the difference between this release and the last: a person who joins a
    class already released cannot be singled out by comparing the two."""
    rows = list(batch)
    ready = {key for key, (persons, values) in _classes(rows, policy).items()
             if len(persons) >= k and len(values) >= l_min}
    return Selection(released=tuple(r for r in rows if r.class_key(policy) in ready),
                     waiting=tuple(r for r in rows if r.class_key(policy) not in ready))


def check_release(accumulated: Iterable[Candidate], released: Iterable[Candidate],
                  policy: Policy, k: int, l_min: int) -> Audit:
    """The audit of the accumulated release with this one added; raises
    ReleaseBreaksAnonymity when a class of either that or this release alone falls below k
    persons or l values."""
    new = list(released)
    for found in (audit(new, policy), audit([*accumulated, *new], policy)):
        if not found.satisfies(k, l_min):
            raise ReleaseBreaksAnonymity(found, k, l_min)
    return found
