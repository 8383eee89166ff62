"""Shared by the iac checks: repository paths, step running and step notes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"

Step = Callable[[], list[str]]
NOTES: list[str] = []


def note(text: str) -> None:
    """Information printed under the current step's status line."""
    NOTES.append(text)


def run_steps(steps: list[tuple[str, Step]]) -> int:
    """Run each step, print one status line per step, return the exit code."""
    failed = 0
    started = time.perf_counter()
    for number, (title, step) in enumerate(steps, 1):
        t0 = time.perf_counter()
        problems = step()
        status = "ok" if not problems else f"FAILED ({len(problems)} problem(s))"
        print(
            f"[{number}/{len(steps)}] {title}: {status} ({time.perf_counter() - t0:.1f} s)",
            flush=True,
        )
        for line in [*NOTES, *problems]:
            print("      " + line.replace("\n", "\n      "))
        NOTES.clear()
        failed += bool(problems)
    verdict = "all checks passed" if not failed else f"{failed} step(s) failed"
    print(f"{verdict} in {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0
