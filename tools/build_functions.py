"""`nox -s build`: assemble each function's deployable folder under build/functions/<name>/.

Each folder holds the function's main.py, the `common` package (without migrations),
and a requirements.txt with exactly the dependency groups of its `uses:` list in
functions/manifest.yaml, pinned as in pyproject.toml. Terraform zips these folders.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack import manifest  # noqa: E402

BUILD = ROOT / "build" / "functions"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")


def requirements(uses: tuple[str, ...]) -> list[str]:
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    wanted = ["core", *uses]
    return sorted({line for group in wanted for line in groups.get(group, [])})


def build(name: str, uses: tuple[str, ...], into: Path = BUILD) -> Path:
    target = into / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "functions" / name / "main.py", target / "main.py")
    shutil.copytree(ROOT / "common", target / "common", ignore=IGNORE)
    (target / "requirements.txt").write_text("\n".join(requirements(uses)) + "\n")
    return target


def main() -> None:
    for function in manifest.functions().values():
        folder = build(function.name, function.uses)
        print(f"built {folder.relative_to(ROOT)} ({', '.join(('core',) + function.uses)})")


if __name__ == "__main__":
    main()
