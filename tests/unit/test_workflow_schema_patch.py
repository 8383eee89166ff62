"""The local patch of SchemaStore's Workflows schema: expressions where the service takes
them, and nothing else loosened (tools/iac/workflow_schema.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from tools.iac.workflow_schema import PATCHED, SCHEMA_FILE, load_schema, problems_in

UNPATCHED = json.loads(SCHEMA_FILE.read_text())
PATCHED_SCHEMA, NOTES = load_schema()


def _workflow(text: str) -> object:
    return yaml.safe_load(text)


CALL_WITH_TIMEOUT = """
main:
  params: [args]
  steps:
    - call_stock:
        call: http.post
        args:
          url: https://example.com/reserve
          timeout: {timeout}
        result: reserved
"""
RETRY = """
- reserve:
    try:
      call: http.get
      args:
        url: https://example.com/stock
    retry:
      predicate: ${{http.default_retry_predicate}}
      max_retries: {max_retries}
      backoff:
        initial_delay: {delay}
        max_delay: 60
        multiplier: 2
"""
PARALLEL = """
- fan_out:
    parallel:
      concurrency_limit: {limit}
      for:
        value: item
        in: ${{items}}
        steps:
          - noop:
              assign:
                - x: ${{item}}
"""


def test_the_vendored_schema_is_complete_for_the_patch():
    # Given the vendored schema, when patched, then every listed path exists and every
    # number-typed property was reviewed (patched or kept on purpose)
    assert NOTES == []
    assert len(PATCHED) == 11


@pytest.mark.parametrize("document", [
    CALL_WITH_TIMEOUT.format(timeout="${t}"),
    CALL_WITH_TIMEOUT.format(timeout="${args.timeout_s * 2}"),
    RETRY.format(max_retries="${retries}", delay="${delay_s}"),
    PARALLEL.format(limit="${limit}"),
    '- fail:\n    raise:\n      code: ${e.code}\n      message: ${e.message}\n',
], ids=["timeout-variable", "timeout-arithmetic", "retry-limits", "concurrency-limit",
        "raise-code"])
def test_an_expression_where_the_schema_wants_a_number_passes_only_after_the_patch(document):
    # Given a workflow with an expression in a number-typed field
    workflow = _workflow(document)
    # When checked against the schema as published, then it is refused
    assert problems_in(workflow, UNPATCHED, "wf.yaml") != []
    # And against the patched schema, then it passes
    assert problems_in(workflow, PATCHED_SCHEMA, "wf.yaml") == []


@pytest.mark.parametrize(("document", "where"), [
    (CALL_WITH_TIMEOUT.format(timeout='"ten seconds"'), "/main/steps/0/call_stock/args/timeout"),
    (CALL_WITH_TIMEOUT.format(timeout="true"), "/main/steps/0/call_stock/args/timeout"),
    (CALL_WITH_TIMEOUT.format(timeout='"t"'), "/main/steps/0/call_stock/args/timeout"),
    (RETRY.format(max_retries="1.5", delay="1"), "/0/reserve/retry"),
    (PARALLEL.format(limit='"${limit"'), "/0/fan_out/parallel/concurrency_limit"),
], ids=["words-for-a-number", "boolean", "bare-name", "fraction-of-a-retry", "unclosed-expression"])
def test_a_wrong_type_still_fails_after_the_patch(document, where):
    # Given a number-typed field holding neither a number nor an expression
    workflow = _workflow(document)
    # When checked against the patched schema, then it is refused
    problems = problems_in(workflow, PATCHED_SCHEMA, "wf.yaml")
    assert problems != []
    assert any(line.startswith(f"wf.yaml: {where}") for line in problems)


def test_literal_numbers_still_pass():
    # Given the same workflow with literal numbers, when checked, then nothing is refused
    workflow = _workflow(CALL_WITH_TIMEOUT.format(timeout="30"))
    assert problems_in(workflow, PATCHED_SCHEMA, "wf.yaml") == []
    assert problems_in(_workflow(RETRY.format(max_retries="3", delay="1")), PATCHED_SCHEMA,
                       "wf.yaml") == []
