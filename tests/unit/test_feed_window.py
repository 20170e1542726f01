"""The feed's window of recent events: complete for (base, head], bounded, never reordered."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from registry.server.feed import Behind, Entry, Window
from registry.store.log import LogPoint
from registry.v1 import reference_events_pb2 as rpb

START = datetime(2025, 1, 1, tzinfo=UTC)


def entry(position: int, size: int = 10) -> Entry:
    return Entry(
        position,
        START + timedelta(seconds=position),
        kind=rpb.EVENT_KIND_CERTIFICATE,
        certification_body_id="cb-1",
        accreditation_body_id="",
        type=1,
        effective_date=date(2025, 1, 1),
        message=b"x" * size,
    )


def window(max_events: int = 100, max_bytes: int = 10_000, base: int = 0) -> Window:
    point = LogPoint(base, START + timedelta(seconds=base)) if base else None
    return Window(point, max_events, max_bytes)


def test_since_a_position_gives_the_events_after_it_and_the_head():
    recent = window()
    recent.append([entry(1), entry(2), entry(4)], head=5)
    events, head = recent.since(1)
    assert [e.position for e in events] == [2, 4]
    assert head == 5


def test_the_oldest_events_are_dropped_beyond_the_event_bound_and_the_base_moves():
    recent = window(max_events=3)
    recent.append([entry(p) for p in range(1, 6)], head=5)
    assert len(recent) == 3
    assert recent.base == 2
    assert [e.position for e in recent.since(2)[0]] == [3, 4, 5]


def test_a_position_before_the_base_is_behind():
    recent = window(max_events=2)
    recent.append([entry(p) for p in range(1, 5)], head=4)
    with pytest.raises(Behind):
        recent.since(1)


def test_the_byte_bound_keeps_at_least_the_newest_event():
    recent = window(max_bytes=15)
    recent.append([entry(1, size=10), entry(2, size=100)], head=2)
    assert [e.position for e in recent.since(recent.base)[0]] == [2]


def test_the_time_at_a_position_is_that_of_the_last_event_at_or_before_it():
    recent = window(base=10)
    recent.append([entry(12)], head=13)
    assert recent.time_at(10) == START + timedelta(seconds=10)
    assert recent.time_at(11) == START + timedelta(seconds=10)
    assert recent.time_at(13) == START + timedelta(seconds=12)


def test_dropping_many_events_keeps_the_order_and_lookups_right():
    recent = window(max_events=10)
    for start in range(1, 5000, 7):
        recent.append([entry(p) for p in range(start, start + 7)], head=start + 6)
    last = recent.head
    events, head = recent.since(last - 5)
    assert head == last
    assert [e.position for e in events] == list(range(last - 4, last + 1))


def test_a_waiter_wakes_when_a_batch_is_appended():
    async def scenario() -> bool:
        recent = window()
        waiting = asyncio.create_task(recent.wait(60))
        await asyncio.sleep(0)
        recent.append([entry(1)], head=1)
        await asyncio.wait_for(waiting, 60)
        return True

    assert asyncio.run(scenario())
