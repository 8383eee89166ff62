"""`nox -s build`: assemble each function's deployable folder under build/functions/<name>/.

Each folder holds the function's main.py, the `common` package (without migrations),
and a requirements.txt with exactly the dependency groups of its `uses:` list in
functions/manifest.yaml, pinned as in pyproject.toml. Terraform zips these folders.
Needs PyYAML only: nothing here imports `devstack`, which is never deployed.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "functions" / "manifest.yaml"
BUILD = ROOT / "build" / "functions"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
# A group may name other groups of the project instead of repeating their pins.
SELF_REFERENCE = re.compile(r"^bazaar\[([a-z0-9_,\s-]+)\]$")


def groups() -> dict[str, list[str]]:
    """pyproject.toml's optional dependency groups."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]


def requirements(uses: tuple[str, ...]) -> list[str]:
    """The pinned requirements of `core` and `uses`; raises KeyError for an unknown group."""
    declared, lines, pending, seen = groups(), set(), ["core", *uses], set()
    while pending:
        group = pending.pop()
        if group in seen:
            continue
        seen.add(group)
        for line in declared[group]:
            named = SELF_REFERENCE.match(line)
            if named:
                pending.extend(name.strip() for name in named.group(1).split(","))
            else:
                lines.add(line)
    return sorted(lines)


def functions() -> dict[str, tuple[str, ...]]:
    """Each function of the manifest and its `uses:` groups."""
    manifest = yaml.safe_load(MANIFEST.read_text())
    return {name: tuple(spec.get("uses", [])) for name, spec in manifest.items()}


def build(name: str, uses: tuple[str, ...], into: Path = BUILD) -> Path:
    target = into / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "functions" / name / "main.py", target / "main.py")
    shutil.copytree(ROOT / "common", target / "common", ignore=IGNORE)
    (target / "requirements.txt").write_text("\n".join(requirements(uses)) + "\n")
    return target


def main() -> None:
    for name, uses in functions().items():
        folder = build(name, uses)
        print(f"built {folder.relative_to(ROOT)} ({', '.join(('core',) + uses)})")


if __name__ == "__main__":
    main()
