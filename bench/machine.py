"""The machine a benchmark ran on, in one line."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from pathlib import Path


def _cpu_model() -> str:
    """The CPU model from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> str:
    """Total memory from /proc/meminfo."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown memory"


def describe() -> str:
    """nproc, memory, CPU model, Python version and the date (UTC)."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{now} on {len(os.sched_getaffinity(0))} CPUs (nproc), {_memory_gib()}, "
            f"{_cpu_model()}, Python {platform.python_version()} "
            f"({platform.system()} {platform.release()})")


def load() -> str:
    """The 1-minute load average, to tell a quiet machine from a busy one."""
    return f"{os.getloadavg()[0]:.2f}"
