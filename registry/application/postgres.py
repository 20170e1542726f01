"""The PostgreSQL recorder, failing fast while the database is unreachable.

The library's recorder retries a failed statement ten times, each attempt
waiting up to the pool's connect timeout, so a call made during an outage would
hang for most of a minute and end in the client's deadline. This one gives up
after three quick attempts; the caller then answers UNAVAILABLE, which clients
retry with the same request id. Selected with the library's own
APPLICATION_RECORDER_TOPIC setting (see registry/config.py); the snapshot
store, read before a certificate's events, fails as fast through the factory
named by PERSISTENCE_MODULE.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresFactory,
)
from eventsourcing.utils import retry

ATTEMPTS = 3
WAIT = 0.1


def _fail_fast(method: Any) -> Any:
    undecorated = method.__wrapped__
    return retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)(undecorated)


class FailFastPostgresRecorder(PostgresApplicationRecorder):
    insert_events = _fail_fast(PostgresApplicationRecorder.insert_events)
    select_events = _fail_fast(PostgresApplicationRecorder.select_events)
    select_notifications = _fail_fast(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _fail_fast(PostgresApplicationRecorder.max_notification_id)


class FailFastPostgresSnapshotRecorder(PostgresAggregateRecorder):
    insert_events = _fail_fast(PostgresAggregateRecorder.insert_events)
    select_events = _fail_fast(PostgresAggregateRecorder.select_events)


class FailFastPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory, with a snapshot store that fails fast too."""

    aggregate_recorder_class = FailFastPostgresSnapshotRecorder
