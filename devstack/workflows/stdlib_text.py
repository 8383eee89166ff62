"""The pure standard library for text, JSON and base64, as Google documents it.

Reference: cloud.google.com/workflows/docs/reference/stdlib/text, …/json, …/base64.
"""

from __future__ import annotations

import base64
import binascii
import json as jsonlib
import re
from typing import Any

from .errors import type_error, value_error
from .library import register
from .values import need, type_name


@register("text.split")
def text_split(source, separator):
    need(source, ("string",), "text.split")
    need(separator, ("string",), "text.split separator")
    if separator == "":
        raise value_error("text.split: the separator is empty")
    return source.split(separator)


@register("text.replace_all")
def text_replace_all(source, substr, value):
    for arg in (source, substr, value):
        need(arg, ("string",), "text.replace_all")
    if substr == "":
        raise value_error("text.replace_all: the substring is empty")
    return source.replace(substr, value)


@register("text.find_all")
def text_find_all(source, substr):
    need(source, ("string",), "text.find_all")
    need(substr, ("string",), "text.find_all")
    if substr == "":
        raise value_error("text.find_all: the substring is empty")
    return [{"index": m.start(), "match": substr} for m in re.finditer(re.escape(substr), source)]


@register("text.substring")
def text_substring(source, start, end):
    need(source, ("string",), "text.substring")
    need(start, ("integer",), "text.substring start")
    need(end, ("integer",), "text.substring end")
    if start < 0 or end < start:
        raise value_error(f"text.substring: invalid range {start}..{end}")
    return source[start:end]


@register("text.to_upper")
def text_to_upper(source):
    need(source, ("string",), "text.to_upper")
    return source.upper()


@register("text.to_lower")
def text_to_lower(source):
    need(source, ("string",), "text.to_lower")
    return source.lower()


@register("text.encode")
def text_encode(text, charset="UTF-8"):
    need(text, ("string",), "text.encode")
    try:
        return text.encode(charset)
    except (LookupError, UnicodeEncodeError) as problem:
        raise value_error(f"text.encode: {problem}") from None


@register("text.decode")
def text_decode(data, charset="UTF-8"):
    need(data, ("bytes",), "text.decode")
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError) as problem:
        raise value_error(f"text.decode: {problem}") from None


def _dump(data: Any, indent: Any) -> str:
    def refuse(value):
        raise type_error(f"json.encode: cannot encode {type_name(value)}")
    if indent is not None and not (isinstance(indent, int) and not isinstance(indent, bool)):
        raise type_error("json.encode: indent must be an integer")
    separators = (",", ":") if indent is None else (",", ": ")
    return jsonlib.dumps(data, indent=indent, separators=separators, ensure_ascii=False,
                         default=refuse)


@register("json.encode")
def json_encode(data, indent=None):
    return _dump(data, indent).encode()


@register("json.encode_to_string")
def json_encode_to_string(data, indent=None):
    return _dump(data, indent)


@register("json.decode")
def json_decode(data):
    need(data, ("bytes", "string"), "json.decode")
    try:
        return jsonlib.loads(data)
    except ValueError as problem:
        raise value_error(f"json.decode: {problem}") from None


@register("base64.encode")
def base64_encode(data, padding=True):
    need(data, ("bytes",), "base64.encode")
    encoded = base64.b64encode(data).decode()
    return encoded if padding else encoded.rstrip("=")


@register("base64.decode")
def base64_decode(data, padding=True):
    need(data, ("string",), "base64.decode")
    text = data if padding else data + "=" * (-len(data) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as problem:
        raise value_error(f"base64.decode: {problem}") from None
