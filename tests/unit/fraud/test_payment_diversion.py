"""Payment diversion in chat texts: IBANs by ISO 13616, payment links, off-platform phrases."""

import pytest

from common.domain.iban import checksum_ok, valid_iban
from edge_workers.fraud.payment_diversion import Match, ibans, matches


@pytest.mark.parametrize("iban", [
    "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "FR1420041010050500013M02606",
    "NL91ABNA0417164300", "CH9300762011623852957", "be68 5390 0754 7034"])
def test_registry_examples_are_valid_ibans(iban):
    assert valid_iban(iban)


@pytest.mark.parametrize("iban", [
    "DE89370400440532013001",   # check digits wrong
    "DE8937040044053201300",    # one digit short for DE
    "XX89370400440532013000",   # no such country
    "DE89-3704-0044-0532-0130-00"])
def test_near_misses_are_not_ibans(iban):
    assert not valid_iban(iban)


def test_the_scrubbers_check_takes_a_country_outside_the_table_the_exact_one_refuses():
    kuwait = "KW81CBKU0000000000001234560101"  # the registry's example; KW is not listed

    assert (checksum_ok(kuwait), valid_iban(kuwait)) == (True, False)
    assert not checksum_ok("KW81CBKU0000000000001234560102")
    assert not checksum_ok("1281CBKU0000000000001234560101")


def test_an_iban_written_in_groups_is_found_and_masked():
    # Given a message with a grouped IBAN and words after it
    text = "Überweise bitte auf DE89 3704 0044 0532 0130 00 oder ruf mich an"
    # When it is scanned
    found = matches(text)
    # Then the IBAN is found, and only its country, check digits and last four are kept
    assert ibans(text) == ["DE89370400440532013000"]
    assert found == [Match("iban", "DE89 **** 3000")]


@pytest.mark.parametrize("text,kinds", [
    ("send it to paypal.me/bobshop please", ["payment_link"]),
    ("https://revolut.me/x1 or https://bit.ly/3abc", ["payment_link", "payment_link"]),
    ("Please pay me directly, it is cheaper", ["off_platform_phrase"]),
    ("We can avoid the fees outside the platform", ["off_platform_phrase"]),
    ("pay me directly: GB82WEST12345698765432", ["iban", "off_platform_phrase"]),
], ids=["paypal", "revolut and shortener", "pay directly", "avoid fees", "iban and phrase"])
def test_payment_links_and_phrases_are_found_by_kind(text, kinds):
    assert [match.kind for match in matches(text)] == kinds


def test_a_match_carries_a_host_or_a_kind_never_the_text():
    found = matches("Please pay me directly via https://paypal.me/Secret.Name.42")
    assert found == [Match("payment_link", "paypal.me"),
                     Match("off_platform_phrase", "asks to pay outside the platform")]


@pytest.mark.parametrize("text", [
    "Does it ship to Austria?", "Within 3 days.\nTracked.", "Order DE12 arrives Monday",
    "My tracking number is AB12CD34EF56GH78", "I paid with PayPal on the site, thanks"])
def test_ordinary_messages_match_nothing(text):
    assert matches(text) == []
