"""Named fault points: a test process dies at one of them as a killed instance would.

`BAZAAR_FAULT=after_commit` ends the process right after a transaction commits and
before anything else runs (the response, the relay). Production refuses the setting.
"""

from __future__ import annotations

import os
import sys

from common.settings import current

EXIT_STATUS = 75  # what a killed test process exits with, so tests can tell it apart


def reached(point: str) -> None:
    """Die here if the settings arm this fault point; otherwise do nothing."""
    if current().fault_point == point:
        sys.stdout.flush()
        os._exit(EXIT_STATUS)
