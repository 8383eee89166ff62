r"""Field rules of the request models: each enforces a rule and says it in the OpenAPI
document exactly, so that what the document calls valid the server accepts and what it
calls invalid the server refuses (tests/contract fuzzes the two against each other).

Strings of request models are stripped (schemas.Strict) by pydantic, which removes
Unicode White_Space; the patterns below spell that set out, since JSON Schema's `\s`
(ECMA-262) is another one. Use them as `Annotated[str, Text(1, 100)]`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler, StringConstraints
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

# PostgreSQL text cannot hold U+0000: a string with one is refused, and the document says so.
NO_NUL = {"not": {"pattern": r"\x00"}}
# What stripping removes (Unicode White_Space): JSON Schema's `\s` differs in U+0085, U+FEFF.
SPACE = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_SPACE = rf"[^{SPACE}]"


class Documented:
    """Keywords added to a field's JSON Schema only: what a rule enforced elsewhere (the
    domain, a validator) means for the value as sent."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return {**handler(schema), **self.keywords}


class Text(Documented):
    """A string stripped of surrounding whitespace, then min_chars..max_chars long, with
    no NUL; the limit holds for the string as sent too.

    Said exactly in the document: maxLength, and a pattern asking for min_chars from the
    first to the last character that is not White_Space."""

    def __init__(self, min_chars: int, max_chars: int) -> None:
        keywords: dict[str, Any] = dict(NO_NUL)
        if min_chars == 1:
            keywords["pattern"] = NOT_SPACE
        elif min_chars == 2:
            keywords["pattern"] = rf"{NOT_SPACE}[\s\S]*{NOT_SPACE}"
        elif min_chars > 2:
            keywords["pattern"] = rf"{NOT_SPACE}[\s\S]{{{min_chars - 2},}}{NOT_SPACE}"
        super().__init__(**keywords)
        self.min_chars, self.max_chars = min_chars, max_chars

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        stripped = handler(Annotated[source, StringConstraints(
            min_length=self.min_chars, max_length=self.max_chars)])
        return core_schema.no_info_before_validator_function(self._as_sent, stripped)

    def _as_sent(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if len(value) > self.max_chars:
            raise PydanticCustomError("string_too_long",
                                      "String should have at most {max_length} characters",
                                      {"max_length": self.max_chars})
        if "\x00" in value:
            raise PydanticCustomError("string_nul", "String should not contain U+0000")
        return value


# Control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F); multi-line text
# keeps tab and line feed.
CONTROL = r"[\x00-\x1f\x7f-\x9f]"
CONTROL_IN_LINES = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"


class PlainText(Text):
    """Text (see above) that people write for others to read (a review, a chat message):
    control characters are refused too, except tab and line feed when `multiline`.

    Said exactly in the document: the `not` pattern names every refused character."""

    def __init__(self, min_chars: int, max_chars: int, multiline: bool = False) -> None:
        super().__init__(min_chars, max_chars)
        self.refused = re.compile(CONTROL_IN_LINES if multiline else CONTROL)
        self.keywords["not"] = {"pattern": self.refused.pattern}

    def _as_sent(self, value: Any) -> Any:
        value = super()._as_sent(value)
        if isinstance(value, str) and self.refused.search(value):
            raise PydanticCustomError("string_control_character",
                                      "String should not contain control characters")
        return value


def exact(pattern: str, max_chars: int | None = None) -> StringConstraints:
    """A string matched as sent, never stripped (an id, a code, a URL, a token):
    `Annotated[str, exact(...)]`."""
    return StringConstraints(strip_whitespace=False, pattern=pattern, max_length=max_chars)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent() -> Any:
    """The default of a field that may be left out but never sent as null."""
    return Field(None, json_schema_extra=_no_default)


def _any_case(word: str) -> str:
    return "".join(f"[{ch}{ch.upper()}]" for ch in word)


# email-validator refuses special-use domains (.test, .local, …), which format: email allows.
SPECIAL_USE_DOMAIN = (r"[@.](?:" + "|".join(_any_case(name) for name in sorted(
    SPECIAL_USE_DOMAIN_NAMES)) + r")\.?$")
