"""Unsupported features are refused loudly at deploy time, and the check CLI reports them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devstack.workflows import interpreter

ROOT = Path(__file__).resolve().parents[3]


def steps(*lines: str) -> str:
    return "main:\n  steps:\n" + "".join(f"    {line}\n" for line in lines)


REFUSED = {
    "unknown-call": (steps("- a:", "    call: hash.compute_checksum", "    args: {data: x}"),
                     "main.a: unsupported function hash.compute_checksum"),
    "unknown-expression-function": (steps("- a:", "    return: ${get_type(1)}"),
                                    "main.a: unsupported function get_type"),
    "blocking-in-expression": (steps("- a:", "    return: ${http.get(\"http://x\")}"),
                               "http.get is a blocking call and cannot be used in an expression"),
    "unknown-argument": (steps("- a:", "    call: sys.sleep", "    args: {secs: 1}"),
                         "main.a: sys.sleep has no argument secs"),
    "missing-argument": (steps("- a:", "    call: text.split", "    args: {source: x}"),
                         "main.a: text.split needs argument separator"),
    "unknown-field": (steps("- a:", "    assign:", "      - x: 1", "    retry: 3"),
                      "main.a: unsupported field(s) retry in a assign step"),
    "unknown-kind": (steps("- a:", "    wait: 3"), "main.a: unsupported step kind (wait)"),
    "jump-nowhere": (steps("- a:", "    next: b"), "main.a: next: b names no reachable step"),
    "break-outside-for": (steps("- a:", "    next: break"), "next: break outside a for loop"),
    "bad-expression": (steps("- a:", "    return: ${1 +}"), "invalid expression ${1 +}"),
    "two-expressions-in-one-string": (steps("- a:", "    return: ${x}${y}"),
                                      "invalid expression"),
    "duplicate-step": (steps("- a:", "    assign: [x: 1]", "- a:", "    return: 1"),
                       "main.a: duplicate step name"),
    "exception-policy": (steps("- p:", "    parallel:", "      exception_policy: failFast",
                               "      branches:", "        - b1: {steps: [s1: {return: 1}]}",
                               "        - b2: {steps: [s2: {return: 1}]}"),
                         "exception_policy 'failFast' is not supported"),
    "retry-policy": (steps("- t:", "    try: {call: sys.now}", "    retry: ${http.my_retry}"),
                     "main.t: unsupported retry policy http.my_retry"),
    "subworkflow-args": ("main:\n  steps:\n    - a:\n        call: sub\n        args: {y: 1}\n"
                         "sub:\n  params: [x]\n  steps:\n    - r:\n        return: ${x}\n",
                         "main.a: sub takes ['x'], given ['y']"),
    "no-main": ("other:\n  steps:\n    - a:\n        return: 1\n", "a map with a `main`"),
    "yaml-syntax": ("main:\n  steps:\n    - a: [\n", "invalid YAML"),
}


@pytest.mark.parametrize("source,message", REFUSED.values(), ids=REFUSED.keys())
def test_an_unsupported_feature_is_refused_at_deploy_time(source: str, message: str):
    # Given a source using something the stand-in does not support / When it is deployed
    with pytest.raises(interpreter.DeployError) as refused:
        interpreter.deploy(source)
    # Then the message says what and where
    assert message in str(refused.value)


def test_return_inside_a_parallel_branch_is_refused():
    # Given a branch that returns (it cannot leave the parallel step)
    source = steps("- p:", "    parallel:", "      branches:",
                   "        - b1: {steps: [s1: {return: 1}]}",
                   "        - b2: {steps: [s2: {assign: [x: 1]}]}")
    # When deployed / Then refused
    with pytest.raises(interpreter.DeployError, match="return cannot leave a parallel branch"):
        interpreter.deploy(source)


def check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devstack.workflows.check", *map(str, paths)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_the_check_cli_exits_1_with_each_refused_file(tmp_path: Path):
    # Given one valid and one refused workflow file
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(steps("- a:", "    return: ${1 + 1}"))
    bad.write_text(steps("- a:", "    call: hash.compute_checksum"))
    # When both are checked
    checked = check(good, bad)
    # Then it exits 1 naming only the refused file and why
    assert checked.returncode == 1
    assert checked.stderr.strip() == f"{bad}: main.a: unsupported function hash.compute_checksum"


def test_the_check_cli_exits_0_for_valid_files(tmp_path: Path):
    # Given a valid file / When checked / Then it exits 0 silently
    good = tmp_path / "good.yaml"
    good.write_text(steps("- a:", "    return: ${1 + 1}"))
    assert (check(good).returncode, check(good).stderr) == (0, "")


def test_the_interpreter_imports_nothing_beyond_the_standard_library_and_yaml():
    # Given a fresh interpreter process / When the interpreter is imported
    probe = ("import sys; before = set(sys.modules); "
             "import devstack.workflows.interpreter, devstack.workflows.check; "
             "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} & "
             "{'grpc', 'google', 'requests', 'urllib3', 'werkzeug', 'flask', 'stripe'}))")
    imported = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
    # Then no third-party package but yaml came in
    assert imported.stdout.strip() == "[]"
