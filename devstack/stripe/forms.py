"""Stripe's form encoding: bracket keys (`metadata[k]=v`, `expand[0]=x`) to nested values."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from devstack.stripe.errors import invalid, missing_param

_PART = re.compile(r"\[([^\]]*)\]")


def parse_form(body: str) -> dict[str, Any]:
    """Decode an application/x-www-form-urlencoded body into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True):
        head = key.split("[", 1)[0]
        parts = [head, *_PART.findall(key[len(head):])]
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "":
                part = str(len(node))
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node: Any) -> Any:
    """Turn dicts whose keys are all 0..n-1 into lists, recursively."""
    if not isinstance(node, dict):
        return node
    values = {key: _listify(value) for key, value in node.items()}
    if values and all(key.isdigit() for key in values):
        return [values[key] for key in sorted(values, key=int)]
    return values


def parse_amount(value: Any, param: str) -> int:
    """A positive integer amount in minor units; 400 otherwise."""
    if value is None:
        raise missing_param(param)
    if not str(value).isdigit():
        raise invalid(f"Invalid integer: {value}", param=param, code="parameter_invalid_integer")
    if int(value) < 1:
        raise invalid("This value must be greater than or equal to 1.", param=param)
    return int(value)


def parse_bool(value: Any) -> bool:
    """Stripe's form booleans: the string "true"."""
    return str(value).lower() == "true"
