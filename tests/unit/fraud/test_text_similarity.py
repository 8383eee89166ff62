"""MinHash signatures over word 3-shingles: estimates close to the exact Jaccard similarity."""

import pytest

from edge_workers.fraud.text_similarity import (
    PERMUTATIONS,
    jaccard,
    shingles,
    signature,
    similarity,
)

ORIGINAL = ("This lamp is absolutely wonderful, bright light and very quiet, "
            "I recommend it to everyone who reads at night")
PAIRS = {
    "one word changed": ORIGINAL.replace("everyone", "everybody"),
    "last word changed": ORIGINAL.replace("night", "bedtime"),
    "punctuation and case": ORIGINAL.upper().replace(",", " ;"),
    "half rewritten": ("This lamp is absolutely wonderful, bright light and very quiet, "
                       "but the cable is short and the switch feels cheap to me"),
    "unrelated": ("Terrible product, broke after two days and the seller never answered "
                  "my messages at all, do not buy"),
}


def test_shingles_are_word_triples_of_the_normalised_text():
    assert shingles("The Lamp, is BRIGHT!") == {"the lamp is", "lamp is bright"}


@pytest.mark.parametrize("name", list(PAIRS))
def test_the_estimate_is_within_a_tenth_of_the_exact_jaccard(name):
    # Given two texts
    other = PAIRS[name]
    # When their signatures are compared
    estimate = similarity(signature(ORIGINAL), signature(other))
    # Then the estimate is close to the exact Jaccard similarity of their shingles
    assert abs(estimate - jaccard(ORIGINAL, other)) <= 0.1


def test_a_copied_text_reaches_the_duplicate_threshold_and_an_unrelated_one_does_not():
    assert similarity(signature(ORIGINAL), signature(PAIRS["last word changed"])) >= 0.8
    assert similarity(signature(ORIGINAL), signature(PAIRS["punctuation and case"])) == 1.0
    assert similarity(signature(ORIGINAL), signature(PAIRS["unrelated"])) < 0.1


def test_signatures_are_seeded_32_bit_and_the_same_in_every_process():
    first = signature(ORIGINAL)
    assert first == signature(ORIGINAL)
    assert len(first) == PERMUTATIONS and all(0 <= value < 2 ** 32 for value in first)


@pytest.mark.parametrize("text", ["Bright and quiet.", "Great product, thanks a lot!", ""])
def test_short_texts_get_no_signature(text):
    assert signature(text) is None


def test_signatures_of_the_wrong_length_compare_as_unrelated():
    assert similarity(signature(ORIGINAL), [1, 2, 3]) == 0.0
