"""The `created` filter of Stripe's list endpoints: created=<unix> or created[gte]=… and so on."""

from __future__ import annotations

from typing import Any

from devstack.stripe.errors import invalid

_BOUNDS = {"gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
           "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}


def created_between(items: list[dict[str, Any]], created: Any) -> list[dict[str, Any]]:
    """Items whose `created` matches `created` (an exact int or {gt, gte, lt, lte})."""
    if created in (None, ""):
        return items
    if not isinstance(created, dict):
        return [o for o in items if o["created"] == _integer(created, "created")]
    unknown = set(created) - set(_BOUNDS)
    if unknown:
        raise invalid(f"Received unknown parameter: created[{sorted(unknown)[0]}]",
                      param="created")
    bounds = {key: _integer(value, f"created[{key}]") for key, value in created.items()}
    return [o for o in items if all(_BOUNDS[k](o["created"], v) for k, v in bounds.items())]


def _integer(value: Any, param: str) -> int:
    if not str(value).lstrip("-").isdigit():
        raise invalid(f"Invalid integer: {value}", param=param,
                      code="parameter_invalid_integer")
    return int(value)
