"""Release k-anonymous exports of orders and interactions to the analytics bucket
(docs/decisions/0030-k-anonymous-exports.md).

A run, per dataset: first write the objects of releases recorded before but not known to be
written (a crash between recording and writing); then, under the dataset's lock, generalise
the source rows that were never released and are younger than the wait window, choose the
classes whose waiting rows reach k persons and l values, audit this release and the
accumulated release with it added (refusing the whole release if any class of either would
break k or l), and
record the release with its rows in one transaction; then write the object
`exports/<dataset>/<release id>.jsonl` (write-once) and mark it written. A recorded release is
the one truth: its object is always rebuilt from its recorded rows, so a retry writes the
same bytes under the same name.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from common import clock
from common.domain import k_anonymity
from common.domain.k_anonymity import Candidate, Policy
from common.domain.pseudonyms import pseudonym
from common.logs import log
from common.ports.analytics_export import (
    ExportObjects,
    ExportRecords,
    ExportUnitOfWork,
    Release,
)
from common.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportOutcome:
    """What one run did for a dataset: the new release (None if nothing could be released),
    its rows, the rows left waiting, the audit, and earlier releases whose object it wrote."""

    dataset: str
    release_id: str | None
    rows: int
    waiting: int
    k: int
    l: int  # noqa: E741  # the l of l-diversity
    rewritten: int


def release_exports(*, uow: Callable[[], ExportUnitOfWork], objects: ExportObjects,
                    settings: Settings) -> list[ExportOutcome]:
    """One run over every dataset; a dataset whose audit refuses does not stop the others,
    and the run then raises (a 500 and an alert) once the others are done."""
    outcomes, refused = [], []
    for name in k_anonymity.POLICIES:
        try:
            outcomes.append(release_dataset(name, uow=uow, objects=objects, settings=settings))
        except k_anonymity.ReleaseBreaksAnonymity as error:
            log(logger, logging.ERROR, "analytics export refused", dataset=name,
                k=error.audit.k, l=error.audit.l, classes=error.audit.classes)
            refused.append(error)
    if refused:
        raise refused[0]
    return outcomes


def release_dataset(dataset: str, *, uow: Callable[[], ExportUnitOfWork],
                    objects: ExportObjects, settings: Settings) -> ExportOutcome:
    """Finish unwritten releases, then plan, audit, record and write this run's release;
    ReleaseBreaksAnonymity (nothing recorded, nothing written) when the audit refuses."""
    policy = k_anonymity.POLICIES[dataset]
    rewritten = _write_unwritten(dataset, uow=uow, objects=objects)
    now = clock.now()
    with uow() as tx:
        tx.exports.lock(dataset)
        batch = _candidates(tx.exports, policy, now, settings)
        accumulated = tx.exports.accumulated(dataset)
        selection = k_anonymity.select_releasable(
            batch, policy, settings.analytics_export_k, settings.analytics_export_l)
        if not selection.released:
            return _logged(ExportOutcome(dataset, None, 0, len(selection.waiting), 0, 0,
                                         rewritten))
        found = k_anonymity.check_release(accumulated, selection.released, policy,
                                          settings.analytics_export_k,
                                          settings.analytics_export_l)
        release = _new_release(dataset, now, len(selection.released), len(selection.waiting),
                               found)
        tx.exports.record(release, selection.released)
        tx.commit()
    _write(release, [row.exported(policy) for row in selection.released], uow=uow,
           objects=objects)
    return _logged(ExportOutcome(dataset, release.id, release.rows, release.waiting, found.k,
                                 found.l, rewritten))


def object_body(records: Iterable[dict[str, str]]) -> bytes:
    """JSON Lines, keys sorted, records sorted: the same rows always make the same bytes."""
    lines = sorted(json.dumps(record, sort_keys=True, separators=(",", ":"))
                   for record in records)
    return "".join(f"{line}\n" for line in lines).encode()


def _candidates(records: ExportRecords, policy: Policy, now: datetime,
                settings: Settings) -> list[Candidate]:
    """The dataset's unreleased source rows inside the wait window, generalised."""
    since = now - timedelta(days=settings.analytics_export_max_wait_days)
    if policy is k_anonymity.ORDERS:
        key = settings.pseudonym_hmac_key()
        return [k_anonymity.order_candidate(
            f"{fact.order_id}:{fact.category}", pseudonym("account", fact.buyer_id, key),
            country=fact.country, total_amount=fact.total_amount, placed_at=fact.placed_at,
            category=fact.category) for fact in records.order_facts(since, now)]
    return [k_anonymity.interaction_candidate(
        fact.event_id, fact.pseudonym, country=fact.country, device_class=fact.device_class,
        at=fact.at, type_=fact.type, category=fact.category)
        for fact in records.interaction_facts(since, now)]


def _new_release(dataset: str, now: datetime, rows: int, waiting: int,
                 found: k_anonymity.Audit) -> Release:
    release_id = f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    return Release(release_id, dataset, f"exports/{dataset}/{release_id}.jsonl", rows, waiting,
                   found.k, found.l, now)


def _write_unwritten(dataset: str, *, uow: Callable[[], ExportUnitOfWork],
                     objects: ExportObjects) -> int:
    with uow() as tx:
        pending = tx.exports.unwritten(dataset)
    for release, records in pending:
        _write(release, records, uow=uow, objects=objects)
    return len(pending)


def _write(release: Release, records: Sequence[dict[str, str]], *,
           uow: Callable[[], ExportUnitOfWork], objects: ExportObjects) -> None:
    """Write the release's object (once), then mark it written."""
    objects.write(release.object_path, object_body(records))
    with uow() as tx:
        tx.exports.mark_written(release.id, clock.now())
        tx.commit()


def _logged(outcome: ExportOutcome) -> ExportOutcome:
    log(logger, logging.INFO, "analytics export", dataset=outcome.dataset,
        release_id=outcome.release_id, rows=outcome.rows, waiting=outcome.waiting,
        k=outcome.k, l=outcome.l, rewritten=outcome.rewritten)
    return outcome
