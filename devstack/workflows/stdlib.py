"""The pure standard library: expression helpers, map, list, math, sys, uuid, time, retry.

Reference: cloud.google.com/workflows/docs/reference/stdlib/overview and …/expression-helpers.
"""

from __future__ import annotations

import math as pymath
import re
import time as pytime
import uuid as pyuuid
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import type_error, value_error
from .evaluate import copy_value
from .library import register
from .values import checked_int, is_number, need, type_name


@register("len")
def length(value):
    need(value, ("string", "list", "map", "bytes"), "len")
    return len(value)


@register("keys")
def keys(value):
    need(value, ("map",), "keys")
    return list(value)


@register("int")
def to_int(value):
    need(value, ("integer", "double", "string"), "int")
    if isinstance(value, str):
        if not re.fullmatch(r"\s*[-+]?\d+\s*", value):
            raise value_error(f"int: cannot convert {value!r} to an integer")
        return checked_int(int(value))
    if isinstance(value, float) and not pymath.isfinite(value):
        raise value_error(f"int: cannot convert {value} to an integer")
    return checked_int(int(value))


@register("double")
def to_double(value):
    need(value, ("integer", "double", "string"), "double")
    try:
        result = float(value)
    except ValueError:
        raise value_error(f"double: cannot convert {value!r} to a double") from None
    if not pymath.isfinite(result):
        raise value_error(f"double: cannot convert {value!r} to a double")
    return result


@register("string")
def to_string(value):
    need(value, ("integer", "double", "boolean", "string"), "string")
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(value)


@register("default")
def default(value, default_value):
    return default_value if value is None else value


@register("if")
def if_(condition, if_true, if_false):  # evaluated lazily by the evaluator; kept for arity
    return if_true if condition else if_false


@register("map.get")
def map_get(map, keys):
    if map is None:
        return None
    need(map, ("map",), "map.get")
    path = keys if isinstance(keys, list) else [keys]
    current: Any = map
    for key in path:
        need(key, ("string",), "map.get key")
        if not isinstance(current, dict) or key not in current:
            return None
        current = current[key]
    return current


@register("map.delete")
def map_delete(map, key):
    need(map, ("map",), "map.delete")
    return {k: v for k, v in map.items() if k != key}


@register("map.merge")
def map_merge(first, second):
    need(first, ("map",), "map.merge")
    need(second, ("map",), "map.merge")
    return {**first, **second}


@register("map.merge_nested")
def map_merge_nested(first, second):
    need(first, ("map",), "map.merge_nested")
    need(second, ("map",), "map.merge_nested")
    merged = copy_value(first)
    for key, value in second.items():
        both_maps = isinstance(merged.get(key), dict) and isinstance(value, dict)
        merged[key] = map_merge_nested(merged[key], value) if both_maps else value
    return merged


@register("list.concat")
def list_concat(objs, val):
    need(objs, ("list",), "list.concat")
    return [*objs, val]


@register("list.prepend")
def list_prepend(objs, val):
    need(objs, ("list",), "list.prepend")
    return [val, *objs]


def _number(value: Any, what: str) -> Any:
    if not is_number(value):
        raise type_error(f"{what}: expected a number, got {type_name(value)}")
    return value


@register("math.abs")
def math_abs(x):
    return checked_int(abs(x)) if isinstance(_number(x, "math.abs"), int) else abs(x)


@register("math.floor")
def math_floor(x):
    return checked_int(pymath.floor(_number(x, "math.floor")))


@register("math.max")
def math_max(x, y):
    return max(_number(x, "math.max"), _number(y, "math.max"))


@register("math.min")
def math_min(x, y):
    return min(_number(x, "math.min"), _number(y, "math.min"))


@register("sys.now")
def sys_now():
    return pytime.time()


@register("sys.get_env", needs_runtime=True)
def sys_get_env(runtime, name, default=None):
    need(name, ("string",), "sys.get_env")
    return runtime.env.get(name, default)


@register("uuid.generate")
def uuid_generate():
    return str(pyuuid.uuid4())


@register("time.format")
def time_format(seconds, timezone=None):
    _number(seconds, "time.format")
    try:
        zone = ZoneInfo(timezone) if timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        raise value_error(f"time.format: unknown time zone {timezone!r}") from None
    moment = datetime.fromtimestamp(seconds, tz=zone or _UTC)
    text = moment.isoformat(timespec="microseconds")
    return text.replace("+00:00", "Z") if zone is None else text


@register("time.parse")
def time_parse(value):
    need(value, ("string",), "time.parse")
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise value_error(f"time.parse: not an RFC 3339 time: {value!r}") from None


_UTC = timezone.utc
_IDEMPOTENT_CODES, _NON_IDEMPOTENT_CODES = {429, 502, 503, 504}, {429, 503}


def _tags(exception: Any) -> list[Any]:
    tags = exception.get("tags") if isinstance(exception, dict) else None
    return tags if isinstance(tags, list) else []


@register("http.default_retry_predicate")
def default_retry_predicate(exception):
    if not isinstance(exception, dict):
        return False
    transient = {"ConnectionError", "ConnectionFailedError", "TimeoutError"}
    return exception.get("code") in _IDEMPOTENT_CODES or bool(transient & set(_tags(exception)))


@register("http.default_retry_predicate_non_idempotent")
def default_retry_predicate_non_idempotent(exception):
    if not isinstance(exception, dict):
        return False
    return (exception.get("code") in _NON_IDEMPOTENT_CODES
            or "ConnectionFailedError" in _tags(exception))


@register("retry.always")
def retry_always(exception):
    return True


@register("retry.never")
def retry_never(exception):
    return False
