"""Unit tests of the Pub/Sub filter subset (devstack.pubsub.filters)."""

from __future__ import annotations

import pytest

from devstack.pubsub.filters import FilterError, compile_filter

REGISTERED = {"type": "user.registered", "source": "identity"}


@pytest.mark.parametrize(
    ("expression", "attributes", "expected"),
    [
        ('attributes.type = "user.registered"', REGISTERED, True),
        ('attributes.type = "user.registered"', {"type": "user.blocked"}, False),
        ('attributes.type = "user.registered"', {}, False),
        ('attributes.type != "user.registered"', {"type": "x"}, True),
        ('attributes.type != "user.registered"', REGISTERED, False),
        ('attributes.type != "user.registered"', {}, True),
        ("attributes:source", REGISTERED, True),
        ("attributes:source", {"type": "x"}, False),
        ("NOT attributes:source", {"type": "x"}, True),
        ("-attributes:source", REGISTERED, False),
        ('hasPrefix(attributes.type, "user.")', REGISTERED, True),
        ('hasPrefix(attributes.type, "vendor.")', REGISTERED, False),
        ('hasPrefix(attributes.type, "user.")', {}, False),
        ('NOT hasPrefix(attributes.type, "user.")', {}, True),
        ('attributes.type = "a" OR attributes.type = "user.registered"', REGISTERED, True),
        ('attributes.type = "a" OR attributes.type = "b"', REGISTERED, False),
        ('attributes:source AND attributes.type = "user.registered"', REGISTERED, True),
        ('attributes:source AND attributes.type = "a"', REGISTERED, False),
        (
            'attributes:missing OR (attributes:source AND NOT attributes.type = "a")',
            REGISTERED,
            True,
        ),
        (
            '(attributes.type = "a" OR attributes:source) AND attributes.source = "identity"',
            REGISTERED,
            True,
        ),
        ("NOT (attributes:source AND attributes:type)", REGISTERED, False),
        (
            'attributes."ce-type" = "x" AND attributes.ce-source = "y"',
            {"ce-type": "x", "ce-source": "y"},
            True,
        ),
        ('attributes."iana.org/lang" = "en"', {"iana.org/lang": "en"}, True),
        ('attributes.note = "say \\"hi\\""', {"note": 'say "hi"'}, True),
        ("", {}, True),
        ("   ", REGISTERED, True),
    ],
)
def test_filter_matches_like_pubsub(
    expression: str, attributes: dict[str, str], expected: bool
) -> None:
    assert compile_filter(expression)(attributes) is expected


@pytest.mark.parametrize(
    "expression",
    [
        "attributes:a AND attributes:b OR attributes:c",
        'attributes.type == "x"',
        "attributes.type = x",
        'attributes.type = "x',
        "(attributes:a",
        "attributes:a)",
        'hasPrefix(attributes.a "x")',
        "data:foo",
        'attributes.a = "x" and attributes:b',
        "attributes:a AND",
        'attributes:a = "' + "x" * 260 + '"',
    ],
)
def test_filter_rejects_what_pubsub_rejects(expression: str) -> None:
    with pytest.raises(FilterError):
        compile_filter(expression)
