"""Stripe's list object over any sequence of objects: newest first, limit and cursors."""

from __future__ import annotations

from typing import Any

from devstack.stripe.errors import invalid, no_such


def list_object(items: list[dict[str, Any]], params: dict[str, Any], url: str,
                kind: str) -> dict[str, Any]:
    """A list object of `items` (oldest first) with limit/starting_after/ending_before."""
    items = list(reversed(items))
    limit = int(params.get("limit") or 10)
    if not 1 <= limit <= 100:
        raise invalid("This value must be between 1 and 100.", param="limit")
    ids = [o["id"] for o in items]
    for cursor, after in (("starting_after", True), ("ending_before", False)):
        if params.get(cursor):
            if params[cursor] not in ids:
                raise no_such(kind, params[cursor], param=cursor)
            index = ids.index(params[cursor])
            items = items[index + 1:] if after else items[max(0, index - limit):index]
    return {"object": "list", "data": items[:limit], "has_more": len(items) > limit, "url": url}
