"""Each conformance workflow (one feature each) gives the result Google's documentation of that
feature gives; the page is cited in the YAML, with its argument and expected result."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from devstack.workflows import interpreter
from tests.integration.workflows.local_runtime import LocalRuntime

CONFORMANCE = Path(__file__).parent / "conformance"
CASES = sorted(CONFORMANCE.glob("*.yaml"))


def header(source: str, key: str) -> object:
    """The JSON value of a `# key: …` comment line, or None when there is none."""
    found = re.search(rf"^# {key}: (.*)$", source, re.MULTILINE)
    return json.loads(found.group(1)) if found else None


@pytest.mark.parametrize("path", CASES, ids=[case.stem for case in CASES])
def test_conformance_workflow_gives_the_documented_result(path: Path):
    # Given a workflow whose expected outcome comes from the cited documentation
    source = path.read_text()
    assert "# doc: https://cloud.google.com/workflows/docs/" in source
    program = interpreter.deploy(source, path.stem)
    argument = header(source, "argument")

    # When it runs
    if "# expect-error:" in source:
        with pytest.raises(interpreter.WorkflowFailed) as failed:
            interpreter.run(program, argument, LocalRuntime())
        # Then it fails with the documented error map
        assert failed.value.error == header(source, "expect-error")
    else:
        result = interpreter.run(program, argument, LocalRuntime())
        # Then the result is the documented one, with its types
        assert json.dumps(result, sort_keys=True) == json.dumps(header(source, "expect"),
                                                                 sort_keys=True)


def test_the_suite_covers_one_workflow_per_feature():
    # Given the conformance folder / Then it holds the features the brief lists
    assert {case.stem for case in CASES} >= {
        "data_types", "operators", "membership", "maps_and_lists", "switch", "for_loops",
        "subworkflows", "errors_caught", "uncaught_error", "parallel_branches",
        "parallel_for", "parallel_unhandled", "retry_predicate", "text_json_base64", "jumps",
        "sleep_and_env"}
