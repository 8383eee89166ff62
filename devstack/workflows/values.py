"""Workflow values (JSON values plus bytes) and their operators, typed as the service types them.

Integers are 64-bit signed and never silently become doubles; `/` always gives a double;
booleans are not numbers (Python's `True == 1` must not leak into the language).
"""

from __future__ import annotations

import math
from typing import Any

from .errors import error, type_error

INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def type_name(value: Any) -> str:
    """The language's name for a value's type, as error messages use it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    raise TypeError(f"not a workflow value: {value!r}")


def need(value: Any, kinds: tuple[str, ...], what: str) -> None:
    """A TypeError unless the value's type is one of `kinds` (the language's type names)."""
    if type_name(value) not in kinds:
        raise type_error(f"{what}: expected {' or '.join(kinds)}, got {type_name(value)}")


def as_seconds(value: Any, what: str) -> float:
    """A non-negative number of seconds, or the documented TypeError/ValueError."""
    if not is_number(value):
        raise type_error(f"{what}: expected a number of seconds, got {type_name(value)}")
    if value < 0:
        raise error("ValueError", f"{what}: a negative number of seconds ({value})")
    return float(value)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def checked_int(value: int) -> int:
    """An integer result, or a ValueError when it leaves the 64-bit range."""
    if not INT_MIN <= value <= INT_MAX:
        raise error("ValueError", "integer overflow")
    return value


def equal(left: Any, right: Any) -> bool:
    """`==`: numbers by value (1 == 1.0), lists and maps deeply, no other cross-type equality."""
    if is_number(left) and is_number(right):
        return left == right
    if type_name(left) != type_name(right):
        return False
    if isinstance(left, list):
        return len(left) == len(right) and all(map(equal, left, right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(equal(left[k], right[k]) for k in left)
    return bool(left == right)


def compare(op: str, left: Any, right: Any) -> bool:
    """`< <= > >=` between two numbers or two strings; anything else is a TypeError."""
    comparable = (is_number(left) and is_number(right)) or (
        isinstance(left, str) and isinstance(right, str))
    if not comparable:
        raise type_error(f"cannot compare {type_name(left)} and {type_name(right)} with {op}")
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def contains(item: Any, container: Any) -> bool:
    """`in`: membership in a list, or a key of a map."""
    if isinstance(container, list):
        return any(equal(item, element) for element in container)
    if isinstance(container, dict):
        if not isinstance(item, str):
            raise type_error(f"map keys are strings, not {type_name(item)}")
        return item in container
    raise type_error(f"'in' needs a list or a map, not {type_name(container)}")


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """`+ - * / // %`: numbers (integer stays integer except `/`), and `+` on two strings."""
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        return left + right
    if not (is_number(left) and is_number(right)):
        raise type_error(
            f"unsupported operand types for {op}: {type_name(left)} and {type_name(right)}")
    if op in ("/", "//", "%") and right == 0:
        raise error("ZeroDivisionError", "division by zero")
    both_int = isinstance(left, int) and isinstance(right, int)
    if op == "/":
        return float(left) / float(right)
    result = _apply(op, left, right)
    if both_int:
        return checked_int(result)
    if isinstance(result, float) and math.isinf(result):
        raise error("ValueError", "double overflow")
    return float(result)


def _apply(op: str, left: Any, right: Any) -> Any:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "//":
        return left // right
    return left % right


def negate(value: Any) -> Any:
    if not is_number(value):
        raise type_error(f"unary minus needs a number, not {type_name(value)}")
    return checked_int(-value) if isinstance(value, int) else -value


def truth(value: Any, op: str) -> bool:
    """The operand of `and`, `or`, `not` or a condition: booleans only, as the docs require."""
    if not isinstance(value, bool):
        raise type_error(f"{op} needs a boolean, not {type_name(value)}")
    return value


def to_json_value(value: Any) -> Any:
    """A result leaving the workflow: bytes cannot be JSON-encoded (TypeError, as documented)."""
    if isinstance(value, bytes):
        raise type_error("bytes cannot be returned by a workflow; encode them with base64.encode")
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    return value
