"""Expressions are parsed and typed as the docs describe; text around `${}` stays literal."""

from __future__ import annotations

import pytest

from devstack.workflows import interpreter
from tests.integration.workflows.local_runtime import LocalRuntime


def evaluate(expression: str, argument=None):
    source = f"main:\n  params: [x]\n  steps:\n    - r:\n        return: '{expression}'\n"
    return interpreter.run(interpreter.deploy(source), argument, LocalRuntime())


@pytest.mark.parametrize("expression,expected", [
    ("${1 + 1}", 2),
    ("${7 / 7}", 1.0),
    ("${-7 // 2}", -4),
    ("${\"a\\tb\\u00e9\"}", "a\tbé"),
    ("${\"it\" + \"s\"}", "its"),
    ("${[1, {\"k\": null}]}", [1, {"k": None}]),
    ("${x.items[1]}", "b"),
    ("${x[\"items\"][0]}", "a"),
    ("${if(x.n > 1, \"big\", x.missing)}", "big"),
    ("${1 == 1 and not false or false}", True),
    ("Hello ${x.n}", "Hello ${x.n}"),
    ("${9223372036854775807}", 9223372036854775807),
], ids=["typed-int", "slash-double", "floor-negative", "escapes", "concat", "literals",
        "field-index", "string-keys", "lazy-if", "logic", "text-around-is-literal", "int64-max"])
def test_an_expression_gives_its_typed_value(expression: str, expected):
    # Given an expression / When evaluated with x = {n: 2, items: [a, b]} / Then its value
    assert evaluate(expression, {"n": 2, "items": ["a", "b"]}) == expected


@pytest.mark.parametrize("expression,tag", [
    ("${9223372036854775807 + 1}", "ValueError"),
    ("${[1] + [2]}", "TypeError"),
    ("${1 and true}", "TypeError"),
    ("${undefined_variable}", "KeyError"),
    ("${x.n.deeper}", "TypeError"),
    ("${x.items[-1]}", "IndexError"),
    ("${5 % 0}", "ZeroDivisionError"),
    ("${int(\"12a\")}", "ValueError"),
    ("${len(3)}", "TypeError"),
], ids=["int-overflow", "list-plus-list", "and-on-int", "undefined-variable",
        "field-of-int", "negative-index", "modulo-zero", "int-of-text", "len-of-int"])
def test_a_bad_operation_raises_the_documented_error_tag(expression: str, tag: str):
    # Given an expression that cannot be evaluated / When run / Then the error carries the tag
    with pytest.raises(interpreter.WorkflowFailed) as failed:
        evaluate(expression, {"n": 2, "items": ["a", "b"]})
    assert failed.value.error["tags"] == [tag]


def test_values_are_copied_on_assignment_never_shared():
    # Given b assigned from a, then a changed in place
    source = """
main:
  steps:
    - s:
        assign:
          - a: {"k": 1}
          - b: ${a}
          - a.k: 2
    - r:
        return: ['${a.k}', '${b.k}']
"""
    # When it runs / Then b kept its own copy
    assert interpreter.run(interpreter.deploy(source), None, LocalRuntime()) == [2, 1]


def test_a_deep_recursion_raises_recursion_error():
    # Given a subworkflow calling itself forever
    source = """
main:
  steps:
    - start:
        call: again
again:
  steps:
    - recurse:
        call: again
"""
    # When it runs / Then the call stack limit gives RecursionError
    with pytest.raises(interpreter.WorkflowFailed) as failed:
        interpreter.run(interpreter.deploy(source), None, LocalRuntime())
    assert failed.value.error["tags"] == ["RecursionError"]
    assert len(failed.value.stack) == 20
