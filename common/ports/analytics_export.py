"""Ports of the k-anonymous exports: the source facts, the accumulated release, the bucket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from common.domain.k_anonymity import Candidate


@dataclass(frozen=True)
class OrderFact:
    """A paid order's facts for one of its categories (analytics_order_facts)."""

    order_id: str
    buyer_id: str
    country: str | None
    total_amount: int
    placed_at: datetime
    category: str


@dataclass(frozen=True)
class InteractionFact:
    """An anonymized analytics or interaction event (analytics_events): already pseudonymous."""

    event_id: str
    pseudonym: str
    country: str | None
    device_class: str | None
    at: datetime
    type: str
    category: str | None


@dataclass(frozen=True)
class Release:
    """One release: its object, how many rows it holds and how many waited, its audit."""

    id: str
    dataset: str
    object_path: str
    rows: int
    waiting: int
    k: int
    l: int  # noqa: E741  # the l of l-diversity
    created_at: datetime


class ExportRecords(Protocol):
    def lock(self, dataset: str) -> None:
        """Hold the dataset for this transaction: one release is planned at a time."""

    def order_facts(self, since: datetime, until: datetime) -> list[OrderFact]:
        """Paid orders placed in [since, until) whose rows were never released."""

    def interaction_facts(self, since: datetime, until: datetime) -> list[InteractionFact]:
        """Events of [since, until) never released."""

    def accumulated(self, dataset: str) -> list[Candidate]:
        """Every row released so far (with its person)."""

    def record(self, release: Release, rows: Sequence[Candidate]) -> None:
        """Add the release and its rows to the accumulated release."""

    def unwritten(self, dataset: str) -> list[tuple[Release, list[dict[str, str]]]]:
        """Releases recorded whose object is not known to exist, with their records."""

    def mark_written(self, release_id: str, at: datetime) -> None: ...


class ExportUnitOfWork(Protocol):
    exports: ExportRecords

    def __enter__(self) -> ExportUnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...


class ExportObjects(Protocol):
    def write(self, path: str, data: bytes) -> None:
        """Store `data` at `path` once; the same path again keeps the first (a retry)."""
