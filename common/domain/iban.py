"""IBANs (ISO 13616): the mod-97 check, and the registry's lengths of the countries most
seen here. One checker for the fraud worker (an IBAN in a chat message: exact, the
country's length) and the anonymizer (any checksum-valid IBAN-shaped run is scrubbed,
whether or not its country is in the table: a scrubber errs toward removing)."""

from __future__ import annotations

MIN_CHARS, MAX_CHARS = 15, 34  # Norway's 15 to the standard's maximum

# The SWIFT IBAN registry's lengths.
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "TR": 26, "UA": 29, "AE": 23, "SA": 24, "IL": 23, "BR": 29,
}


def compact(candidate: str) -> str:
    """The IBAN without its grouping spaces, upper case."""
    return candidate.replace(" ", "").upper()


def checksum_ok(candidate: str) -> bool:
    """Two letters, two check digits, then letters and digits, 15-34 in all, whose
    rearranged digits leave 1 modulo 97."""
    iban = compact(candidate)
    if not (MIN_CHARS <= len(iban) <= MAX_CHARS and iban.isascii() and iban.isalnum()
            and iban[:2].isalpha() and iban[2:4].isdigit()):
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def valid_iban(candidate: str) -> bool:
    """An IBAN of a country in the table, of that country's length, with a valid checksum."""
    iban = compact(candidate)
    return IBAN_LENGTHS.get(iban[:2]) == len(iban) and checksum_ok(iban)
