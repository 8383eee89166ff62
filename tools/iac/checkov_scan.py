"""Session `checkov`: checkov over terraform/ with the waivers of
terraform/checkov-waivers.yaml, and a self-test of our custom policies."""

from __future__ import annotations

import concurrent.futures
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from runner import ROOT, TERRAFORM, note, run_steps

POLICIES = ROOT / "tools" / "iac" / "checkov_policies"
FIXTURES = ROOT / "tools" / "iac" / "fixtures" / "public_invokers"
WAIVERS = TERRAFORM / "checkov-waivers.yaml"

SKIP_COMMENT = re.compile(r"^\s*(?:#|//)\s*checkov:skip=([A-Za-z0-9_]+)(?::(.*))?$")
BLOCK = re.compile(r'^(resource|data|module)\s+"([^"]+)"(?:\s+"([^"]+)")?')
CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_[0-9]+$")


def load_waivers() -> tuple[list[dict], list[str]]:
    waivers = (yaml.safe_load(WAIVERS.read_text()) or {}).get("waivers") or []
    problems = []
    for index, waiver in enumerate(waivers):
        label = f"{WAIVERS.name} entry {index + 1} ({waiver.get('id', 'no id')})"
        if not CHECK_ID.match(str(waiver.get("id", ""))):
            problems.append(f"{label}: id must be a checkov check id")
        if len(str(waiver.get("reason") or "").strip()) < 20:
            problems.append(f"{label}: a reason is mandatory (at least a sentence)")
        if not isinstance(waiver.get("resources", []), list):
            problems.append(f"{label}: resources must be a list")
    return waivers, problems


def inline_skips() -> tuple[set[tuple[str, str]], list[str]]:
    """(check id, <folder>/<type>.<name>) for every `#checkov:skip=` in terraform/."""
    found, problems = set(), []
    for path in sorted(TERRAFORM.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        folder = path.parent.relative_to(TERRAFORM).as_posix()
        block = None
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if match := BLOCK.match(line):
                block = (match[1], match[2], match[3])
            if not (skip := SKIP_COMMENT.match(line)):
                continue
            where = f"{path.relative_to(ROOT)}:{number}"
            if not block or block[0] != "resource":
                problems.append(f"{where}: checkov:skip outside a resource block")
                continue
            if not (skip[2] or "").strip():
                problems.append(f"{where}: checkov:skip={skip[1]} has no reason")
            prefix = "" if folder == "." else folder + "/"
            found.add((skip[1], f"{prefix}{block[1]}.{block[2]}"))
    return found, problems


def checkov_executable() -> str | None:
    beside = Path(sys.executable).with_name("checkov")
    return str(beside) if beside.exists() else shutil.which("checkov")


def run_checkov(target: Path, extra: list[str]) -> dict:
    """Run checkov on `target`; return the parsed JSON report."""
    with tempfile.TemporaryDirectory(prefix="bazaar-checkov-") as out:
        command = [
            checkov_executable(),
            "-d",
            str(target),
            "--framework",
            "terraform",
            "--skip-download",
            "--compact",
            "--external-checks-dir",
            str(POLICIES),
            *extra,
            "-o",
            "json",
            "--output-file-path",
            out,
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        report = Path(out) / "results_json.json"
        if not report.exists():
            raise RuntimeError(
                f"checkov exited {done.returncode} without a report:\n{done.stdout}{done.stderr}"
            )
        data = json.loads(report.read_text())
    reports = data if isinstance(data, list) else [data]
    results: dict[str, list] = {
        "passed_checks": [],
        "failed_checks": [],
        "skipped_checks": [],
        "parsing_errors": [],
    }
    for item in reports:
        for key in results:
            results[key] += item.get("results", {}).get(key, [])
    return results


def resource_key(check: dict) -> str:
    folder = Path(check["file_path"].lstrip("/")).parent.as_posix()
    address = re.sub(r"\[[^\]]*\]", "", check["resource"]).split(".")
    prefix = "" if folder == "." else folder + "/"
    return f"{prefix}{address[-2]}.{address[-1]}"


def checkov_scan() -> list[str]:
    if not checkov_executable():
        return ["checkov is not installed in this environment"]
    waivers, problems = load_waivers()
    scoped = {(w["id"], r) for w in waivers for r in w.get("resources") or []}
    global_ids = sorted({w["id"] for w in waivers if not w.get("resources")})
    inline, inline_problems = inline_skips()
    problems += inline_problems
    problems += [
        f"inline skip {i} on {r} has no entry in {WAIVERS.name}" for i, r in sorted(inline - scoped)
    ]
    problems += [
        f"waiver {i} for {r} has no `#checkov:skip={i}:<reason>` in that resource"
        for i, r in sorted(scoped - inline)
    ]
    extra = ["--skip-check", ",".join(global_ids)] if global_ids else []
    results = run_checkov(TERRAFORM, extra)
    for error in results["parsing_errors"]:
        problems.append(f"checkov could not parse {error}")
    for check in results["failed_checks"]:
        lines = "-".join(map(str, check.get("file_line_range") or []))
        problems.append(
            f"{check['check_id']} {check['check_name']}\n  {check['resource']} "
            f"(terraform{check['file_path']}:{lines})"
        )
    skipped = {(c["check_id"], resource_key(c)) for c in results["skipped_checks"]}
    problems += [
        f"waiver {i} for {r} was not applied by checkov (renamed resource?)"
        for i, r in sorted(scoped - skipped)
    ]
    note(
        f"passed {len(results['passed_checks'])}, failed {len(results['failed_checks'])}, "
        f"skipped {len(results['skipped_checks'])} inline + {len(global_ids)} check(s) everywhere "
        f"({', '.join(global_ids) or 'none'})"
    )
    for check in results["skipped_checks"]:
        note(f"waived {check['check_id']} on {check['resource']}")
    return problems


def custom_policy_ids() -> list[str]:
    return sorted(yaml.safe_load(p.read_text())["metadata"]["id"] for p in POLICIES.glob("*.yaml"))


# The fixture scan is independent of the main one; starting it first halves the wait.
FIXTURE_SCAN: concurrent.futures.Future | None = None


def custom_policy_selftest() -> list[str]:
    """The custom policies must fail every bad_* fixture and pass every good_* one."""
    if not checkov_executable():
        return ["checkov is not installed in this environment"]
    ids = custom_policy_ids()
    results = (
        FIXTURE_SCAN.result() if FIXTURE_SCAN else run_checkov(FIXTURES, ["--check", ",".join(ids)])
    )
    failed = {c["resource"].split(".")[-1] for c in results["failed_checks"]}
    passed = {c["resource"].split(".")[-1] for c in results["passed_checks"]}
    text = (FIXTURES / "main.tf").read_text()
    bad = set(re.findall(r'resource "[^"]+" "(bad_[a-z0-9_]+)"', text))
    good = set(re.findall(r'resource "[^"]+" "(good_[a-z0-9_]+)"', text))
    problems = [f"{ids}: fixture {name} should fail but did not" for name in sorted(bad - failed)]
    problems += [f"{ids}: fixture {name} should pass but did not" for name in sorted(good - passed)]
    rejected, accepted = len(bad & failed), len(good & passed)
    note(f"{', '.join(ids)}: {rejected} bad fixtures rejected, {accepted} good accepted")
    return problems


def main() -> int:
    global FIXTURE_SCAN
    if checkov_executable():
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        FIXTURE_SCAN = pool.submit(
            run_checkov, FIXTURES, ["--check", ",".join(custom_policy_ids())]
        )
    return run_steps(
        [
            ("checkov -d terraform (waivers: terraform/checkov-waivers.yaml)", checkov_scan),
            ("custom policies reject public invokers (tools/iac/fixtures)", custom_policy_selftest),
        ]
    )
