"""Pub/Sub subscription filters: the attribute-filter syntax Google documents, as a small parser.

Supported, as in production:
  attributes.KEY = "v"        key present with exactly that value
  attributes.KEY != "v"       NOT (attributes.KEY = "v"): also true when the key is missing
  attributes:KEY              key present
  hasPrefix(attributes.KEY, "p")
  NOT x (or -x), x AND y AND ..., x OR y OR ..., ( ... )
KEY is a name of letters, digits, `_` and `-`, or a double-quoted string. Operators are upper
case. As in production, AND and OR cannot be mixed without parentheses. Values are
double-quoted strings with backslash escapes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Predicate = Callable[[Mapping[str, str]], bool]

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<name>[A-Za-z0-9_][A-Za-z0-9_-]*)'
    r"|(?P<op>!=|[=:.,()\-]))"
)


class FilterError(ValueError):
    """A subscription filter that production Pub/Sub would reject too."""


@dataclass
class _Token:
    kind: str
    text: str


def _tokenize(text: str) -> list[_Token]:
    """Split a filter into string, name and operator tokens."""
    tokens: list[_Token] = []
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if not match:
            raise FilterError(f"unexpected character at {position} in filter {text!r}")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive-descent parser producing a predicate over message attributes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.position = 0

    def peek(self) -> _Token | None:
        """The next token, or None at the end."""
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, text: str | None = None, kind: str | None = None) -> _Token:
        """Consume the next token, checking its text or kind."""
        token = self.peek()
        if (
            token is None
            or (text is not None and token.text != text)
            or (kind and token.kind != kind)
        ):
            found = token.text if token else "end of filter"
            raise FilterError(f"expected {text or kind}, found {found!r} in filter {self.text!r}")
        self.position += 1
        return token

    def at(self, text: str) -> bool:
        """True when the next token is exactly text (not a quoted string)."""
        token = self.peek()
        return token is not None and token.kind != "string" and token.text == text

    def parse(self) -> Predicate:
        """Parse the whole filter."""
        predicate = self.expression()
        if self.peek() is not None:
            raise FilterError(f"unexpected {self.peek().text!r} in filter {self.text!r}")  # type: ignore[union-attr]
        return predicate

    def expression(self) -> Predicate:
        """term (AND term)* | term (OR term)*, never both without parentheses."""
        terms = [self.term()]
        operator = None
        while self.at("AND") or self.at("OR"):
            token = self.take()
            if operator and token.text != operator:
                raise FilterError(f"AND and OR need parentheses when combined: {self.text!r}")
            operator = token.text
            terms.append(self.term())
        if operator == "AND":
            return lambda attributes: all(term(attributes) for term in terms)
        if operator == "OR":
            return lambda attributes: any(term(attributes) for term in terms)
        return terms[0]

    def term(self) -> Predicate:
        """NOT term | -term | ( expression ) | a comparison."""
        if self.at("NOT") or self.at("-"):
            self.take()
            inner = self.term()
            return lambda attributes: not inner(attributes)
        if self.at("("):
            self.take("(")
            inner = self.expression()
            self.take(")")
            return inner
        if self.at("hasPrefix"):
            return self.has_prefix()
        return self.comparison()

    def key(self) -> str:
        """An attribute key: a name or a string literal."""
        token = self.peek()
        if token is None or token.kind not in ("name", "string"):
            raise FilterError(f"expected an attribute key in filter {self.text!r}")
        self.position += 1
        return _unquote(token.text) if token.kind == "string" else token.text

    def value(self) -> str:
        """A string literal value."""
        return _unquote(self.take(kind="string").text)

    def has_prefix(self) -> Predicate:
        """hasPrefix(attributes.KEY, "prefix")."""
        self.take("hasPrefix")
        self.take("(")
        self.take("attributes")
        self.take(".")
        key = self.key()
        self.take(",")
        prefix = self.value()
        self.take(")")
        return lambda attributes: key in attributes and attributes[key].startswith(prefix)

    def comparison(self) -> Predicate:
        """attributes:KEY | attributes.KEY = "v" | attributes.KEY != "v"."""
        self.take("attributes")
        if self.at(":"):
            self.take(":")
            key = self.key()
            return lambda attributes: key in attributes
        self.take(".")
        key = self.key()
        operator = self.take().text
        if operator not in ("=", "!="):
            raise FilterError(f"expected = or != after attributes.{key} in filter {self.text!r}")
        value = self.value()
        if operator == "=":
            return lambda attributes: attributes.get(key) == value
        return lambda attributes: attributes.get(key) != value


def _unquote(literal: str) -> str:
    """Decode a double-quoted string literal with backslash escapes."""
    return str(ast.literal_eval(literal))


def compile_filter(text: str | None) -> Predicate:
    """Compile a filter into a predicate over attributes; an empty filter matches everything."""
    if text is None or not text.strip():
        return lambda attributes: True
    if len(text.encode()) > 256:
        raise FilterError("a Pub/Sub filter is at most 256 bytes")
    return _Parser(text).parse()
