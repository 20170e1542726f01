"""The ordered log: what every recorder of the registry adds to the library's.

The library's application recorder gives each stored event a position in the
global log (its notification id). The registry's recorders also give each event
its *recorded time*, and they assign it where the order is decided: inside the
committing transaction, under the lock that orders positions, as
``max(now, previous + 1 µs)``. So recorded time strictly increases with
position over the whole store, whichever process, thread or batch wrote an
event, and "recorded at or before T" is always a prefix of the log.

Beside the log, in the same transaction, each recorder keeps:
- ``log_times``: one row per position with its recorded time, to map an
  instant to the prefix of the log it names;
- ``requests``: what each write request was answered, so a retry gets the
  first answer (idempotency) without putting bookkeeping into the log itself;
- ``meta``: the schema version of the store.

(And, not in the log's transactions, bearer tokens: registry/store/tokens.py.)

A caller appends through :meth:`OrderedLog.append` with a :data:`Stamp`: a
function that, given the last recorded time, returns the batch to insert with
its recorded times. The library's own ``insert_events`` (events whose state the
recorder cannot read) appends through the same path: their times are assigned
and kept in ``log_times``, though not inside the opaque state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError, InternalError, Notification, StoredEvent

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SCHEMA_KEY = "schema_version"
LOG_TIMES = "registry_log_times"
REQUESTS = "registry_requests"
META = "registry_meta"


T = TypeVar("T")


def to_micros(instant: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


@dataclass(frozen=True)
class LogPoint:
    """A position in the global log and the recorded time of the event there."""

    position: int
    recorded_at: datetime


@dataclass(frozen=True)
class RequestRow:
    """The answer to one write request, saved with the events it produced.

    ``event_index`` names the event (in the batch) whose position and recorded
    time answer the request.
    """

    principal: str
    request_id: str
    fingerprint: str
    certificate_id: UUID
    version: int
    event_index: int


@dataclass(frozen=True)
class RequestRecord:
    """A saved answer to a write request, read back to answer a retry."""

    principal: str
    request_id: str
    fingerprint: str
    certificate_id: UUID
    version: int
    position: int
    recorded_at: datetime


@dataclass(frozen=True)
class Batch:
    """What one transaction appends: events with their recorded times (µs, increasing)."""

    events: Sequence[StoredEvent]
    recorded_at: Sequence[int]
    requests: Sequence[RequestRow] = ()


Stamp = Callable[[int | None], Batch]
"""Given the last recorded time in µs (None for an empty log), the batch to append."""


def plain_stamp(stored_events: Sequence[StoredEvent], now: Callable[[], datetime]) -> Stamp:
    """Recorded times for events whose state is opaque (the library's ``insert_events``)."""

    def stamp(floor: int | None) -> Batch:
        start = next_time(floor, now())
        return Batch(stored_events, [start + i for i in range(len(stored_events))])

    return stamp


def next_time(floor: int | None, now: datetime) -> int:
    """The first recorded time after ``floor``: now, unless the log is already later."""
    micros = to_micros(now)
    return micros if floor is None or micros > floor else floor + 1


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


class OrderedLog(Protocol):
    """What the registry needs of a recorder beyond the library's ApplicationRecorder."""

    def append(self, stamp: Stamp) -> list[int]:
        """Insert the batch ``stamp`` returns in one transaction; its positions."""

    def last_point(self) -> LogPoint | None:
        """The latest position and its recorded time; None while the log is empty."""

    def barrier(self) -> None:
        """Wait until every append that holds the log's lock has committed."""

    def point_at(self, instant: datetime) -> LogPoint | None:
        """The latest position recorded at or before ``instant``."""

    def point_of(self, position: int) -> LogPoint | None:
        """The last position at or before ``position``, with its recorded time."""
        ...

    def version_at(self, originator_id: UUID, position: int) -> int:
        """The aggregate's last version at or before ``position`` (0 if none)."""

    def select_positioned(
        self, originator_id: UUID, *, gt: int, lte: int | None, limit: int
    ) -> list[Notification]:
        """The aggregate's events after version ``gt`` (up to ``lte``), with their positions."""

    def select_at(self, positions: Sequence[int]) -> list[Notification]:
        """The notifications at ``positions`` (those that exist), in log order."""
        ...

    def select_request(self, principal: str, request_id: str) -> RequestRecord | None:
        """The saved answer to a request, if it was made."""

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None:
        """Set ``key`` if it is not set yet (another process may have set it first)."""

    def count_events(self) -> int:
        """The number of events in the log."""


def created(make: Callable[[], T]) -> T:
    """``make()``, which creates tables if need be, tried again when another process was
    creating the same tables at the same moment: the library's table creation is not safe
    against that, and the loser gets an integrity error (or PostgreSQL's "tuple
    concurrently updated"), then finds the tables there on its next try."""
    for _ in range(4):
        try:
            return make()
        except (IntegrityError, InternalError):
            time.sleep(0.5)
    return make()
