"""Parallel steps run as threads: concurrency_limit bounds them, nesting is limited."""

from __future__ import annotations

import time

import pytest

from devstack.workflows import interpreter
from tests.integration.workflows.local_runtime import LocalRuntime

NAPS = """
main:
  steps:
    - naps:
        parallel:
          LIMIT
          for:
            value: n
            range: [1, 6]
            steps:
              - nap:
                  call: sys.sleep
                  args: {seconds: 100}
"""


def elapsed(source: str) -> float:
    started = time.monotonic()
    interpreter.run(interpreter.deploy(source), None, LocalRuntime(scale=0.001))
    return time.monotonic() - started


def test_iterations_run_concurrently_and_concurrency_limit_queues_the_rest():
    # Given six iterations of 0.1 s each (100 workflow seconds at scale 0.001)
    # When they run without a limit, then with concurrency_limit 2
    unlimited = elapsed(NAPS.replace("LIMIT", ""))
    limited = elapsed(NAPS.replace("LIMIT", "concurrency_limit: 2"))
    # Then all six overlapped, and the limited run took three rounds
    assert unlimited < 0.25
    assert limited >= 0.29


def test_parallel_steps_nested_deeper_than_two_raise_parallel_nesting_error():
    # Given three nested parallel steps
    source = """
main:
  steps:
    - outer:
        parallel:
          for:
            value: a
            in: [1]
            steps:
              - middle:
                  parallel:
                    for:
                      value: b
                      in: [1]
                      steps:
                        - inner:
                            parallel:
                              for:
                                value: c
                                in: [1]
                                steps:
                                  - leaf:
                                      assign:
                                        - x: 1
"""
    # When it runs / Then the innermost one fails; each level wraps it as a branch error
    with pytest.raises(interpreter.WorkflowFailed) as failed:
        interpreter.run(interpreter.deploy(source), None, LocalRuntime())
    middle = failed.value.error["branches"][0]["error"]
    inner = middle["branches"][0]["error"]
    assert failed.value.error["tags"] == ["UnhandledBranchError"]
    assert inner["tags"] == ["ParallelNestingError"]
