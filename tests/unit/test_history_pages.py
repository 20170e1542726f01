"""History pages on the wire: page sizes, page tokens and the byte budget of a page."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest

from registry.application.views import (
    CertificateRef,
    EventView,
    HistoryPage,
    ScopeChangedPayload,
    Site,
)
from registry.errors import InvalidInputError
from registry.server import convert

REF = CertificateRef("cb-1", "Q-1")


def scope_change(version: int, sites: int = 10) -> EventView:
    return EventView(
        version=version,
        type="ScopeChanged",
        effective_date=date(2025, 1, 1),
        recorded_at=datetime(2025, 1, 1, tzinfo=UTC),
        actor="cb-1",
        request_id=f"r-{version}",
        payload=ScopeChangedPayload(
            scope="widgets",
            sites=tuple(Site(f"{n} Hauptstr, Berlin".ljust(100, "x")) for n in range(sites)),
            sector_codes=("17",),
        ),
    )


def test_no_page_size_is_the_default():
    assert convert.page_size(0) == convert.DEFAULT_PAGE_SIZE


def test_a_page_size_up_to_the_maximum_is_kept():
    assert convert.page_size(1) == 1
    assert convert.page_size(1000) == 1000


def test_a_page_size_above_the_maximum_is_coerced_to_the_maximum():
    assert convert.page_size(5000) == 1000
    assert convert.page_size(2**31 - 1) == 1000


def test_a_negative_page_size_is_invalid():
    with pytest.raises(InvalidInputError, match="page_size"):
        convert.page_size(-1)


def test_a_page_token_continues_after_the_version_it_was_given_for():
    token = convert.encode_page_token(REF, 42)
    assert convert.decode_page_token(token, REF) == 42


def test_a_page_token_is_short_and_url_safe():
    token = convert.encode_page_token(REF, 2**40)
    assert len(token) < 40
    assert token.replace("-", "").replace("_", "").isalnum()


def test_a_page_token_for_a_certificate_whose_ids_run_together_differently_is_refused():
    token = convert.encode_page_token(CertificateRef("cb-1", "Q-1"), 3)
    with pytest.raises(InvalidInputError):
        convert.decode_page_token(token, CertificateRef("cb-1Q", "-1"))


def test_a_page_token_that_continues_after_no_version_is_refused():
    body = bytearray(base64.urlsafe_b64decode(convert.encode_page_token(REF, 3) + "=="))
    body[-8:] = (-1).to_bytes(8, "big", signed=True)
    negative = base64.urlsafe_b64encode(body).rstrip(b"=").decode("ascii")
    with pytest.raises(InvalidInputError):
        convert.decode_page_token(negative, REF)


def test_a_page_token_of_another_format_version_is_refused():
    body = bytearray(base64.urlsafe_b64decode(convert.encode_page_token(REF, 3) + "=="))
    body[0] += 1
    other_format = base64.urlsafe_b64encode(body).rstrip(b"=").decode("ascii")
    with pytest.raises(InvalidInputError):
        convert.decode_page_token(other_format, REF)


def test_events_that_fit_the_budget_are_all_in_the_page():
    page = HistoryPage([scope_change(v) for v in (1, 2, 3)], next_version=3)
    response = convert.to_history_response(page, REF)
    assert [e.version for e in response.events] == [1, 2, 3]
    assert convert.decode_page_token(response.next_page_token, REF) == 3


def test_the_last_page_has_no_token():
    page = HistoryPage([scope_change(v) for v in (1, 2)], next_version=None)
    assert convert.to_history_response(page, REF).next_page_token == ""


def test_a_page_stops_before_the_event_that_would_overflow_its_budget():
    events = [scope_change(v) for v in (1, 2, 3, 4)]
    one = convert.to_event(events[0]).ByteSize()
    page = HistoryPage(events, next_version=None)
    response = convert.to_history_response(page, REF, max_event_bytes=2 * one + 10)
    assert [e.version for e in response.events] == [1, 2]
    assert convert.decode_page_token(response.next_page_token, REF) == 2


def test_a_page_holds_at_least_one_event_even_if_it_alone_is_over_the_budget():
    page = HistoryPage([scope_change(1), scope_change(2)], next_version=None)
    response = convert.to_history_response(page, REF, max_event_bytes=10)
    assert [e.version for e in response.events] == [1]
    assert convert.decode_page_token(response.next_page_token, REF) == 1


def test_a_full_budget_page_of_large_events_stays_under_1_mib():
    events = [scope_change(v, sites=2000) for v in range(1, 20)]
    response = convert.to_history_response(HistoryPage(events, next_version=None), REF)
    assert 1 < len(response.events) < len(events)
    assert response.ByteSize() < convert.MAX_RESPONSE_BYTES
