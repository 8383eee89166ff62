"""Fakes of the export ports: the sources and the accumulated release in memory, with
transactions (nothing is kept unless committed), and a write-once bucket that can fail."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from common.domain.errors import ServiceUnavailable
from common.domain.k_anonymity import POLICIES, Candidate
from common.ports.analytics_export import InteractionFact, OrderFact, Release


@dataclass
class ExportState:
    orders: list[OrderFact] = field(default_factory=list)
    interactions: list[InteractionFact] = field(default_factory=list)
    releases: dict[str, Release] = field(default_factory=dict)
    written: dict[str, datetime] = field(default_factory=dict)
    rows: dict[tuple[str, str], tuple[str, Candidate]] = field(default_factory=dict)


class FakeExportRecords:
    def __init__(self, state: ExportState) -> None:
        self.state = state

    def lock(self, dataset: str) -> None:
        pass

    def order_facts(self, since: datetime, until: datetime) -> list[OrderFact]:
        return [f for f in self.state.orders if since <= f.placed_at < until
                and ("orders", f"{f.order_id}:{f.category}") not in self.state.rows]

    def interaction_facts(self, since: datetime, until: datetime) -> list[InteractionFact]:
        return [f for f in self.state.interactions if since <= f.at < until
                and ("interactions", f.event_id) not in self.state.rows]

    def accumulated(self, dataset: str) -> list[Candidate]:
        return [row for (name, _), (_, row) in self.state.rows.items() if name == dataset]

    def record(self, release: Release, rows: Sequence[Candidate]) -> None:
        self.state.releases[release.id] = release
        for row in rows:
            assert (release.dataset, row.source_id) not in self.state.rows
            self.state.rows[(release.dataset, row.source_id)] = (release.id, row)

    def unwritten(self, dataset: str) -> list[tuple[Release, list[dict[str, str]]]]:
        policy = POLICIES[dataset]
        return [(release, [row.exported(policy) for rid, row in self.state.rows.values()
                           if rid == release.id])
                for release in self.state.releases.values()
                if release.dataset == dataset and release.id not in self.state.written]

    def mark_written(self, release_id: str, at: datetime) -> None:
        self.state.written.setdefault(release_id, at)


class FakeExportUnitOfWork:
    """A transaction over a copy of the state; commit makes the copy the state."""

    def __init__(self, store: FakeExportStore) -> None:
        self._store = store

    def __enter__(self) -> FakeExportUnitOfWork:
        self.exports = FakeExportRecords(copy.deepcopy(self._store.state))
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def commit(self) -> None:
        self._store.state = self.exports.state


class FakeExportStore:
    def __init__(self) -> None:
        self.state = ExportState()

    def __call__(self) -> FakeExportUnitOfWork:
        return FakeExportUnitOfWork(self)


class FakeExportObjects:
    """A write-once bucket; `failures` writes fail with ServiceUnavailable first."""

    def __init__(self, failures: int = 0) -> None:
        self.objects: dict[str, bytes] = {}
        self.failures = failures

    def write(self, path: str, data: bytes) -> None:
        if self.failures:
            self.failures -= 1
            raise ServiceUnavailable("storage")
        self.objects.setdefault(path, data)
