"""A certificate's id names exactly one (CB id, certificate number) pair."""

from __future__ import annotations

from itertools import combinations
from uuid import UUID, uuid5

from hypothesis import given
from hypothesis import strategies as st

from registry.domain.certificate import certificate_id

TRICKY_PAIRS = [
    ("a\nb", "c"),
    ("a", "b\nc"),
    ("ab", "c"),
    ("a", "bc"),
    ("", "abc"),
    ("abc", ""),
    ("1:a", "b"),
    ("1", "a1:b"),
    ("3:abc", ""),
    ("", "3:abc"),
    ("a", "1:b"),
    ("a1:", "b"),
    ("Ü", "x"),
    ("U\u0308", "x"),
    ("\u00dc", "2:x"),
    ("a\x00b", "c"),
    ("a", "b\x00c"),
]


def test_tricky_pairs_have_different_ids():
    for first, second in combinations(TRICKY_PAIRS, 2):
        assert certificate_id(*first) != certificate_id(*second), (first, second)


def test_the_same_pair_has_the_same_id():
    assert certificate_id("cb-1", "Q-1") == certificate_id("cb-1", "Q-1")


def test_ids_of_the_newline_joined_encoding_are_not_reused():
    old_namespace = UUID("6f1d3c1e-8d0b-5c53-9a57-2b1f1f0c1e01")
    assert certificate_id("cb-1", "Q-1") != uuid5(old_namespace, "cb-1\nQ-1")


# A small alphabet of separator-like characters makes colliding concatenations likely.
parts = st.text(alphabet="ab1:\n\x00Ü\u0308", max_size=6)


@given(st.tuples(parts, parts), st.tuples(parts, parts))
def test_certificate_id_is_injective(first, second):
    assert (certificate_id(*first) == certificate_id(*second)) == (first == second)


@given(st.tuples(st.text(), st.text()), st.tuples(st.text(), st.text()))
def test_certificate_id_is_injective_over_any_text(first, second):
    assert (certificate_id(*first) == certificate_id(*second)) == (first == second)
