"""firestore.rules hold for every actor and operation: the node:test suite of tests/rules
(@firebase/rules-unit-testing, pinned by its package-lock.json) against the session stack's
Firestore emulator, in a project of its own so it never clears the stack's documents."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from tests.conftest import ROOT

RULES_TESTS = ROOT / "tests" / "rules"
RULES_PROJECT_ID = "demo-bazaar-rules"
NODE_MAJOR_MIN = 20
SUITE_TIMEOUT_S = 300


def _node() -> str:
    """The node executable, 20 or newer (rules-unit-testing 5 and firebase 12 need it)."""
    node = shutil.which("node")
    assert node, "Node.js 20+ is needed for the rules tests (see README, Prerequisites)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    major = int(version.stdout.strip().lstrip("v").split(".")[0])
    assert major >= NODE_MAJOR_MIN, f"Node.js {version.stdout.strip()} is older than 20"
    return node


def _tap_summary(output: str) -> dict[str, int]:
    """The `# tests N`, `# pass N`, ... lines that end node's TAP report."""
    return {key: int(value) for key, value in re.findall(r"^# (\w+) (\d+)$", output, re.M)}


def test_firestore_rules_allow_and_deny_exactly_as_the_table_says(stack):
    # Given the session's Firestore emulator and the suite's packages (nox runs npm ci)
    emulator = stack.services["firestore"]
    assert (RULES_TESTS / "node_modules" / "@firebase" / "rules-unit-testing").is_dir(), (
        "run `npm ci --prefix tests/rules` (nox -s tests does it)")
    env = {**os.environ, **emulator.env(), "BAZAAR_RULES_PROJECT_ID": RULES_PROJECT_ID}

    # When the table-driven suite runs against it
    done = subprocess.run([_node(), "--test", "--test-reporter=tap"], cwd=RULES_TESTS, env=env,
                          capture_output=True, text=True, timeout=SUITE_TIMEOUT_S)

    # Then every case ran and passed
    report = done.stdout + done.stderr
    summary = _tap_summary(done.stdout)
    assert done.returncode == 0, report
    assert summary["tests"] > 0, report
    assert summary == {**summary, "pass": summary["tests"], "fail": 0, "cancelled": 0,
                       "skipped": 0, "todo": 0}, report
