"""What the server tells a client, and its log, about a refused request stays short."""

from __future__ import annotations

from registry.server.errors import CUT_MARK, MAX_MESSAGE_BYTES, bounded, one_line


def test_a_short_message_is_sent_as_it_is():
    assert bounded("rule 'x' violated: ü") == "rule 'x' violated: ü"


def test_a_long_message_is_cut_on_a_character_boundary_and_marked():
    message = bounded("€" * 10_000)
    assert len(message.encode("utf-8")) <= MAX_MESSAGE_BYTES
    assert message.endswith(CUT_MARK)
    assert set(message.removesuffix(CUT_MARK)) == {"€"}


def test_a_message_of_exactly_the_limit_is_not_cut():
    assert bounded("x" * MAX_MESSAGE_BYTES) == "x" * MAX_MESSAGE_BYTES


def test_a_lone_surrogate_is_escaped_rather_than_breaking_the_answer():
    assert bounded("bad \ud800") == "bad \\ud800"


def test_a_logged_message_is_one_line():
    assert one_line("a\nb\r\u2028c\x00 Ü") == "a\\nb\\r\\u2028c\\x00 Ü"
