"""Fraud cases: opened with their finding, acted on, listed for admins, confirmed or cleared.

Every effect of a case goes through the use case an admin would use (the block path, review
moderation, the held order's review), reads the current state, and is idempotent: a
replayed event or a resolution applied twice changes nothing the second time
(docs/decisions/0027-fraud-cases.md).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from common import clock
from common.domain import page_tokens
from common.domain.errors import CaseAlreadyResolved, InvalidState, NotFound
from common.domain.events import Event, FraudCaseOpened, FraudCaseResolved
from common.domain.fraud import CaseDraft
from common.domain.fraud_cases import (
    BLOCK_REASON,
    FRAUD_DETECTOR_ID,
    CaseStatus,
    Effect,
    FraudCase,
    check_draft,
    check_resolvable,
    effects_of_resolution,
    effects_on_open,
)
from common.logs import log
from common.ports.fraud_cases import FraudCases, FraudCasesUnitOfWorkFactory
from common.ports.identity import Identity
from common.ports.review_moderation import ReviewModerationUnitOfWorkFactory

logger = logging.getLogger("bazaar.fraud_cases")
NO_SUCH_CASE = "No fraud case has this id."
RESOLVE_ACTION = "fraud_case.resolve"  # in the audit log (admin_actions)


@dataclass(frozen=True)
class CaseCollaborators:
    """What carrying out a case's effects needs; `orders` builds the order side lazily
    (ordering.Collaborators: only a held order's approval or rejection needs payments)."""

    uow: FraudCasesUnitOfWorkFactory
    identity: Identity
    moderation: ReviewModerationUnitOfWorkFactory
    orders: Callable[[], Any]


def open_case(cases: FraudCases, record: Callable[[Event], None], draft: CaseDraft,
              now: datetime) -> str | None:
    """Open the draft's case and record fraud.case_opened, in the caller's transaction;
    None (and no event) when (kind, subject) has a case already."""
    check_draft(draft)
    case_id = cases.open(draft, now)
    if case_id is not None:
        record(FraudCaseOpened(case_id=case_id, kind=draft.kind, subject_id=draft.subject_id,
                               account_id=draft.account_id, action=draft.action,
                               score=draft.score))
    return case_id


def act_on_case(case_id: str, deps: CaseCollaborators) -> tuple[Effect, ...]:
    """Carry out an open case's action (block, hide); nothing for a resolved one. A
    resolution committed while the action was under way found nothing to undo yet, so it
    is applied again once the action is done: a clearing is never outrun by the block it
    cancels."""
    case = _case(case_id, deps.uow)
    effects = effects_on_open(case)
    for effect in effects:
        _apply(effect, case, FRAUD_DETECTOR_ID, deps)
    if effects and _case(case_id, deps.uow).status is not CaseStatus.OPEN:
        apply_resolution(case_id, deps)
    return effects


def apply_resolution(case_id: str, deps: CaseCollaborators) -> tuple[Effect, ...]:
    """Carry out what a resolved case's resolution changes (again: each effect idempotent)."""
    case = _case(case_id, deps.uow)
    effects = effects_of_resolution(case)
    assert case.resolved_by is not None or not effects  # resolved cases name their admin
    for effect in effects:
        _apply(effect, case, case.resolved_by or FRAUD_DETECTOR_ID, deps)
    return effects


def resolve_case(admin_id: str, case_id: str, resolution: str, note: str | None,
                 deps: CaseCollaborators) -> FraudCase:
    """Open → confirmed|cleared once (audited, fraud.case_resolved), then its effects.
    NotFound, CaseAlreadyResolved (409: another resolution came first)."""
    with deps.uow() as tx:
        case = _get(tx.fraud_cases, case_id)
        status = check_resolvable(case, resolution)
        if not tx.fraud_cases.resolve(case.id, status, admin_id, note, clock.now()):
            raise CaseAlreadyResolved()
        tx.accounts.record_admin_action(admin_id, RESOLVE_ACTION, case.id, resolution)
        tx.record(FraudCaseResolved(case_id=case.id, resolution=status.value,
                                    account_id=case.account_id))
        tx.commit()
    apply_resolution(case.id, deps)
    return _case(case.id, deps.uow)


def list_cases(status: str | None, kind: str | None, page_size: int, page_token: str | None,
               *, uow: FraudCasesUnitOfWorkFactory,
               token_key: bytes) -> tuple[list[FraudCase], str | None]:
    """A page of cases, newest first, and the next page's token (InvalidRequest for a token
    issued for another filter)."""
    query = f"{status or ''}/{kind or ''}"
    after = None
    if page_token is not None:
        fields = page_tokens.read(page_token, token_key, purpose="fraud_cases")
        if fields.get("q") != query:
            raise page_tokens.invalid_token(page_tokens.OTHER_QUERY)
        after = (page_tokens.timestamp_value(fields.get("t")),
                 page_tokens.uuid_value(fields.get("i")))
    with uow() as tx:
        cases = tx.fraud_cases.page(status, kind, after, page_size + 1)
    page = cases[:page_size]
    next_token = None
    if len(cases) > page_size:
        last = page[-1]
        next_token = page_tokens.issue({"t": last.created_at.isoformat(), "i": last.id,
                                        "q": query}, token_key, purpose="fraud_cases")
    return page, next_token


def _apply(effect: Effect, case: FraudCase, admin_id: str, deps: CaseCollaborators) -> None:
    """One effect through the use case an admin would use; 'already so' counts as done."""
    from common.services import account_blocking, review_moderation

    try:
        if effect is Effect.BLOCK_ACCOUNT and case.account_id:
            account_blocking.block_account(case.account_id, BLOCK_REASON, admin_id=admin_id,
                                           uow=deps.uow, identity=deps.identity)
        elif effect is Effect.UNBLOCK_ACCOUNT and case.account_id:
            account_blocking.unblock_account(case.account_id, "fraud case cleared",
                                             admin_id=admin_id, uow=deps.uow,
                                             identity=deps.identity)
        elif effect is Effect.HIDE_REVIEW:
            review_moderation.hide_review(case.subject_id, BLOCK_REASON, admin_id=admin_id,
                                          uow=deps.moderation)
        elif effect is Effect.RESTORE_REVIEW:
            review_moderation.restore_review(case.subject_id, "fraud case cleared",
                                             admin_id=admin_id, uow=deps.moderation)
        elif effect in (Effect.APPROVE_ORDER, Effect.REJECT_ORDER):
            _review_order(effect, case.subject_id, deps)
    except (InvalidState, NotFound) as already:
        log(logger, logging.INFO, "fraud case effect skipped: already so or not applicable",
            case_id=case.id, effect=effect.value, error=type(already).__name__)


def _review_order(effect: Effect, order_id: str, deps: CaseCollaborators) -> None:
    """Approve or reject the held order (common/services/order_review.py)."""
    from common.services import order_review

    if effect is Effect.APPROVE_ORDER:
        order_review.approve_reviewed_order(order_id, deps.orders())
    else:
        order_review.reject_reviewed_order(order_id, "fraud_confirmed", deps.orders())


def _case(case_id: str, uow: FraudCasesUnitOfWorkFactory) -> FraudCase:
    with uow() as tx:
        return _get(tx.fraud_cases, case_id)


def _get(cases: FraudCases, case_id: str) -> FraudCase:
    """The case; NotFound for an unknown id or one that is not a UUID (never reaches SQL)."""
    try:
        uuid.UUID(case_id)
    except ValueError:
        raise NotFound(NO_SUCH_CASE) from None
    case = cases.get(case_id)
    if case is None:
        raise NotFound(NO_SUCH_CASE)
    return case
