"""The `${…}` expression language: a tokenizer and a Pratt parser into small tuples, never `eval`.

Nodes: ("const", v) ("var", name) ("attr", node, name) ("index", node, node)
("call", name, [nodes]) ("neg", node) ("not", node) ("and"|"or", l, r) ("op", sym, l, r)
("list", [nodes]) ("map", [(key, node)]). A workflow value that holds expressions anywhere
compiles to the same nodes (`compile_value`), so one evaluator serves both.
Precedence follows the docs' table: `. [] ()`, `not`, unary `-`, `* / // %`, `+ -`,
comparisons and `in`, `and`, `or`.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import DeployError
from .values import INT_MAX

Node = tuple[Any, ...]
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>//|==|!=|<=|>=|[-+*/%<>()\[\]{},:.])
""", re.VERBOSE)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/",
            "\\": "\\", '"': '"', "'": "'"}
_KEYWORDS = {"and": "and", "AND": "and", "or": "or", "OR": "or", "not": "not", "NOT": "not",
             "in": "in", "IN": "in"}
_LITERALS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
             "FALSE": False, "null": None}
_BINARY = {"or": 1, "and": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "in": 3,
           "+": 4, "-": 4, "*": 5, "/": 5, "//": 5, "%": 5}
_NEG_BP, _NOT_BP, _POSTFIX_BP = 6, 7, 8


def tokenize(text: str) -> list[tuple[str, Any]]:
    """Tokens as (kind, value); kinds: num, str, name, kw, op, end."""
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise DeployError(f"invalid expression ${{{text}}}: unexpected character {text[pos]!r}")
        kind, raw = match.lastgroup, match.group()
        pos = match.end()
        if kind == "num":
            tokens.append(("num", _number(raw, text)))
        elif kind == "str":
            tokens.append(("str", _unescape(raw[1:-1], text)))
        elif kind == "name":
            tokens.append(("kw", _KEYWORDS[raw]) if raw in _KEYWORDS else ("name", raw))
        elif kind == "op":
            tokens.append(("op", raw))
    tokens.append(("end", None))
    return tokens


def _number(raw: str, text: str) -> int | float:
    if re.fullmatch(r"\d+", raw):
        if int(raw) > INT_MAX:
            raise DeployError(f"integer literal {raw} is out of the 64-bit range in ${{{text}}}")
        return int(raw)
    return float(raw)


def _unescape(body: str, text: str) -> str:
    out, i = [], 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1]
        if code == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        else:
            raise DeployError(f"unknown escape \\{code} in ${{{text}}}")
    return "".join(out)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self, ahead: int = 0) -> tuple[str, Any]:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> tuple[str, Any]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            self.fail(f"expected '{op}'")

    def fail(self, why: str) -> None:
        raise DeployError(f"invalid expression ${{{self.text}}}: {why}")

    def expression(self, bp: int = 0) -> Node:
        left = self.prefix()
        while True:
            kind, value = self.peek()
            if kind == "op" and value in (".", "[", "("):
                left = self.postfix(left)
                continue
            power = _BINARY.get(value) if kind in ("op", "kw") else None
            if power is None or power <= bp:
                return left
            self.take()
            right = self.expression(power)
            left = (value, left, right) if value in ("and", "or") else ("op", value, left, right)

    def prefix(self) -> Node:
        kind, value = self.take()
        if kind in ("num", "str"):
            return ("const", value)
        if kind == "kw" and value == "not":
            return ("not", self.expression(_NOT_BP - 1))
        if kind == "name":
            return self.name(value)
        if (kind, value) == ("op", "-"):
            return ("neg", self.expression(_NEG_BP - 1))
        if (kind, value) == ("op", "("):
            inner = self.expression()
            self.expect(")")
            return inner
        if (kind, value) == ("op", "["):
            return ("list", self.items("]"))
        if (kind, value) == ("op", "{"):
            return self.map_literal()
        self.fail("unexpected end" if kind == "end" else f"unexpected {value!r}")
        raise AssertionError

    def name(self, first: str) -> Node:
        if first in _LITERALS:
            return ("const", _LITERALS[first])
        parts = [first]
        while self.peek() == ("op", ".") and self.peek(1)[0] == "name":
            self.take()
            parts.append(self.take()[1])
        if self.peek() == ("op", "("):
            self.take()
            return ("call", ".".join(parts), self.items(")"))
        node: Node = ("var", parts[0])
        for part in parts[1:]:
            node = ("attr", node, part)
        return node

    def postfix(self, left: Node) -> Node:
        _, op = self.take()
        if op == ".":
            kind, field = self.take()
            if kind not in ("name", "kw"):
                self.fail("a field name must follow '.'")
            return ("attr", left, field)
        if op == "[":
            index = self.expression()
            self.expect("]")
            return ("index", left, index)
        self.fail("only functions can be called")
        raise AssertionError

    def items(self, closer: str) -> list[Node]:
        found: list[Node] = []
        while self.peek() != ("op", closer):
            found.append(self.expression())
            if self.peek() != ("op", closer):
                self.expect(",")
        self.take()
        return found

    def map_literal(self) -> Node:
        entries: list[tuple[str, Node]] = []
        while self.peek() != ("op", "}"):
            kind, key = self.take()
            if kind != "str":
                self.fail("map keys must be string literals")
            self.expect(":")
            entries.append((key, self.expression()))
            if self.peek() != ("op", "}"):
                self.expect(",")
        self.take()
        return ("map", entries)


def parse(text: str) -> Node:
    """Parse the inside of `${…}`; DeployError on any syntax error."""
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek()[0] != "end":
        parser.fail(f"unexpected {parser.peek()[1]!r}")
    return node


def expression_text(value: Any) -> str | None:
    """The inside of a string that is one whole `${…}` expression, else None (a literal)."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("${") and stripped.endswith("}"):
            return stripped[2:-1]
    return None


def compile_value(raw: Any) -> Node:
    """A YAML value, with expressions anywhere inside it, as one node to evaluate."""
    text = expression_text(raw)
    if text is not None:
        return parse(text)
    if isinstance(raw, list):
        items = [compile_value(item) for item in raw]
        if all(item[0] == "const" for item in items):
            return ("const", raw)
        return ("list", items)
    if isinstance(raw, dict):
        entries = [(str(key), compile_value(value)) for key, value in raw.items()]
        if all(node[0] == "const" for _, node in entries):
            return ("const", raw)
        return ("map", entries)
    return ("const", raw)


def calls(node: Node) -> list[tuple[str, int]]:
    """Every function a node calls, with its number of arguments, for deploy-time checks."""
    kind = node[0]
    found: list[tuple[str, int]] = []
    if kind in ("const", "var"):
        return found
    if kind == "call":
        found.append((node[1], len(node[2])))
        children = node[2]
    elif kind == "list":
        children = node[1]
    elif kind == "map":
        children = [value for _, value in node[1]]
    elif kind == "op":
        children = [node[2], node[3]]
    else:
        children = [part for part in node[1:] if isinstance(part, tuple)]
    for child in children:
        found.extend(calls(child))
    return found
