"""The compound steps: `for`, `parallel` (threads, shared variables) and try/retry/except.

References: cloud.google.com/workflows/docs/reference/syntax/iteration, …/parallel-steps,
…/catching-errors, …/retrying. Backoff as documented: the first retry waits initial_delay,
each later wait is multiplied by multiplier and capped at max_delay (retries go on at
max_delay), and nothing waits after the last attempt.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .errors import LoopBreak, LoopContinue, WorkflowError, error, type_error, value_error
from .evaluate import copy_value, evaluate
from .library import FUNCTIONS
from .program import Step
from .program_steps import ForSpec, ParallelSpec, RetrySpec
from .scope import Scope
from .steps import RUNNERS, Frame, call_routine, run_block
from .values import is_number, type_name

MAX_PARALLEL_DEPTH = 2  # nested parallel steps, per the Workflows quotas
DEFAULT_CONCURRENCY = 20  # concurrent branches or iterations of one parallel step


def _items(spec: ForSpec, frame: Frame) -> list[Any]:
    if spec.items is not None:
        items = evaluate(spec.items, frame)
        if not isinstance(items, list):
            raise type_error(f"for: 'in' needs a list, got {type_name(items)}")
        return items
    start, end = (evaluate(bound, frame) for bound in spec.bounds or ())
    if not (is_number(start) and is_number(end)):
        raise type_error("for: range bounds must be numbers")
    return list(_range(start, end))


def _range(start: Any, end: Any) -> Iterator[Any]:
    current = start
    while current <= end:  # both ends inclusive, step 1, as documented
        yield current
        current = current + 1


def _iteration(spec: ForSpec, scope: Scope, index: int, value: Any) -> None:
    scope.vars[spec.value] = copy_value(value)
    if spec.index:
        scope.vars[spec.index] = index


def _for(step: Step, frame: Frame) -> None:
    spec: ForSpec = step.spec
    loop = frame.inner(Scope(frame.scope))
    for index, value in enumerate(_items(spec, frame)):
        _iteration(spec, loop.scope, index, value)
        try:
            run_block(spec.block, loop)
        except LoopContinue:
            continue
        except LoopBreak:
            break


def _parallel(step: Step, frame: Frame) -> None:
    spec: ParallelSpec = step.spec
    if frame.parallel_depth >= MAX_PARALLEL_DEPTH:
        raise error("ParallelNestingError",
                    f"parallel steps nested deeper than {MAX_PARALLEL_DEPTH}")
    limit = _concurrency(spec, frame)
    lock = threading.RLock()
    jobs = _jobs(spec, frame, lock)
    with ThreadPoolExecutor(max_workers=max(1, min(limit, len(jobs))),
                            thread_name_prefix=f"parallel-{step.name}") as pool:
        futures = [(branch_id, pool.submit(job)) for branch_id, job in jobs]
    failures = []
    for branch_id, future in futures:
        problem = future.exception()
        if isinstance(problem, WorkflowError):
            failures.append({"id": branch_id, "error": problem.value})
        elif problem is not None:
            raise problem  # Cancelled, or a bug: never hidden behind a branch error
    if failures:
        raise error("UnhandledBranchError",
                    "UnhandledBranchError: one or more branches or iterations encountered an "
                    "unhandled runtime error", branches=failures)


def _concurrency(spec: ParallelSpec, frame: Frame) -> int:
    if spec.concurrency_limit is None:
        return DEFAULT_CONCURRENCY
    limit = evaluate(spec.concurrency_limit, frame)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise value_error(f"concurrency_limit must be a positive integer, got {limit!r}")
    return limit


def _jobs(spec: ParallelSpec, frame: Frame, lock: threading.RLock) -> list[tuple[Any, Any]]:
    def branch_frame() -> Frame:
        return frame.inner(Scope(frame.scope, shared=spec.shared, lock=lock), parallel=True)
    if spec.branches is not None:
        return [(name, _job(block, branch_frame())) for name, block in spec.branches]
    loop = spec.loop
    assert loop is not None
    jobs = []
    for index, value in enumerate(_items(loop, frame)):
        branch = branch_frame()
        _iteration(loop, branch.scope, index, value)
        jobs.append((index, _job(loop.block, branch)))
    return jobs


def _job(block: Any, frame: Frame) -> Any:
    def run() -> None:
        try:
            run_block(block, frame)
        except LoopContinue:
            pass
    return run


def _try(step: Step, frame: Frame) -> None:
    spec = step.spec
    policy = _policy(spec.retry, frame) if spec.retry else None
    retries = 0
    while True:
        try:
            run_block(spec.body, frame)
            return
        except WorkflowError as failed:
            if policy and retries < policy["max_retries"] and _retryable(spec.retry, failed,
                                                                          frame):
                frame.execution.runtime.sleep(policy["delay"])
                policy["delay"] = min(policy["delay"] * policy["multiplier"],
                                      policy["max_delay"])
                retries += 1
                continue
            if spec.handler is None:
                raise
            if spec.error_as:
                frame.scope.assign(spec.error_as, failed.value)
            run_block(spec.handler, frame)
            return


def _policy(retry: RetrySpec, frame: Frame) -> dict[str, Any]:
    """The retry numbers, evaluated once when the try step starts."""
    max_retries = evaluate(retry.max_retries, frame)
    if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
        raise value_error(f"max_retries must be a non-negative integer, got {max_retries!r}")
    numbers = {key: evaluate(node, frame) for key, node in retry.backoff.items()}
    for key, number in numbers.items():
        if not is_number(number) or number <= 0:
            raise value_error(f"backoff {key} must be a positive number, got {number!r}")
    return {"max_retries": max_retries, "multiplier": numbers["multiplier"],
            "max_delay": numbers["max_delay"],
            "delay": min(numbers["initial_delay"], numbers["max_delay"])}


def _retryable(retry: RetrySpec, failed: WorkflowError, frame: Frame) -> bool:
    if retry.predicate_is_subworkflow:
        routine = frame.execution.program.routines[retry.predicate]
        first = routine.params[0][0]
        verdict = call_routine(frame, routine, {first: failed.value})
    else:
        verdict = FUNCTIONS[retry.predicate].impl(failed.value)
    if not isinstance(verdict, bool):
        raise type_error(f"retry predicate {retry.predicate} returned {type_name(verdict)}, "
                         "not a boolean")
    return verdict


RUNNERS.update({"for": _for, "parallel": _parallel, "try": _try})
