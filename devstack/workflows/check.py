"""Deploy-time check of workflow files without any service: `python -m devstack.workflows.check
workflows/*.yaml` prints each file's DeployError and exits 1 if any file is refused."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import DeployError
from .program import deploy


def problems(paths: list[Path]) -> list[str]:
    """One line per refused file: its path and the DeployError's message."""
    found = []
    for path in paths:
        try:
            deploy(path.read_text(), path.stem)
        except DeployError as refused:
            found.append(f"{path}: {refused}")
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m devstack.workflows.check WORKFLOW.yaml...", file=sys.stderr)
        return 2
    found = problems([Path(arg) for arg in argv])
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
