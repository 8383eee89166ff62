"""Route templates ("/v1/admin/vendors/{vendor_id}:verify") as regexes: one rule for the
functions, the local router and the load balancer's regex (terraform/modules/manifest)."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=None)
def route_pattern(path: str) -> re.Pattern[str]:
    """A regex matching `path` whole, with one named group per {parameter} (no / or :)."""
    parts = re.split(r"(\{[a-z_]+\})", path)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/:]+)" if part.startswith("{") else re.escape(part)
        for part in parts
    )
    return re.compile(f"^{regex}$")
