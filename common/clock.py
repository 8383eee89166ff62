"""The time every schedule reads: real UTC time plus an offset only local and test runs set.

BAZAAR_CLOCK_OFFSET_FILE names a file holding the offset in seconds (a float); it is re-read
when its mtime (or inode) changes, so a test moves every function's "now" by rewriting it
(tests/e2e/conftest.py `advance_clock`). Production refuses the setting (common/settings.py),
and this module ignores it there too. SQL compares with this "now" as a parameter, never
with PostgreSQL's now().
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone

OFFSET_FILE_VARIABLE = "BAZAAR_CLOCK_OFFSET_FILE"
_lock = threading.Lock()
_cached: dict[str, tuple[tuple[int, int], float]] = {}  # path -> ((inode, mtime), offset)


def now() -> datetime:
    """The current time, aware UTC, moved by the local offset if one is set."""
    return datetime.now(timezone.utc) + timedelta(seconds=offset_seconds())


def offset_seconds() -> float:
    """The offset in seconds: 0 in production, without the setting, or without the file."""
    path = os.environ.get(OFFSET_FILE_VARIABLE)
    if not path or os.environ.get("BAZAAR_ENV") == "production":
        return 0.0
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return 0.0
    version = (status.st_ino, status.st_mtime_ns)  # a rename makes a new inode
    with _lock:
        cached = _cached.get(path)
        if cached is not None and cached[0] == version:
            return cached[1]
        offset = _read(path)
        _cached[path] = (version, offset)
        return offset


def _read(path: str) -> float:
    """The offset in the file; an empty file (a write under way) counts as 0."""
    with open(path, encoding="utf-8") as file:
        raw = file.read().strip()
    return float(raw) if raw else 0.0


def write_offset(path: str, seconds: float) -> None:
    """Set the offset (tests and the local stack): written whole, then renamed into place."""
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(repr(float(seconds)))
    os.replace(temporary, path)
