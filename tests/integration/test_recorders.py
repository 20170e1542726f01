"""The registry's recorders keep the library's contract: the library's own test cases.

Each recorder the registry defines (the ordered log on SQLite, PostgreSQL and in
memory; the PostgreSQL one is also the fail-fast one) runs the eventsourcing
package's recorder test cases unchanged, plus a check that the times it assigns
follow positions.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import (
    AggregateRecorderTestCase,
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
    TrackingRecorderTestCase,
)

from registry.projections.postgres import PostgresIndexView
from registry.projections.setup import POSTGRES_TRACKING_TABLE
from registry.projections.sqlite import SQLiteIndexView
from registry.store.memory import MemoryOrderedRecorder
from registry.store.postgres import FailFastPostgresSnapshotRecorder, PostgresOrderedRecorder
from registry.store.sqlite import SQLiteOrderedRecorder


def join_threads_started_since(before: set[threading.Thread]) -> None:
    """The library's concurrency cases leave reader threads finishing their last query after
    the test returns: let them finish before their connections are closed under them."""
    for thread in set(threading.enumerate()) - before:
        if not thread.daemon:
            thread.join(30)


class SQLiteRecorders:
    @pytest.fixture(autouse=True)
    def _database(self, tmp_path: Path) -> Iterator[None]:
        self.path = tmp_path / "recorder.db"
        self.datastores: list[SQLiteDatastore] = []
        before = set(threading.enumerate())
        yield
        join_threads_started_since(before)
        for datastore in self.datastores:
            datastore.close()

    def create_recorder(self) -> SQLiteOrderedRecorder:
        datastore = SQLiteDatastore(str(self.path), lock_timeout=15)
        self.datastores.append(datastore)
        recorder = SQLiteOrderedRecorder(datastore)
        recorder.create_table()
        return recorder


class PostgresRecorders:
    @pytest.fixture(autouse=True)
    def _database(self, postgres_dsn: str) -> Iterator[None]:
        url = urlsplit(postgres_dsn)
        self.schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {self.schema}")
        self.settings: dict[str, Any] = {
            "dbname": url.path.lstrip("/"),
            "host": url.hostname,
            "port": url.port or 5432,
            "user": url.username,
            "password": url.password or "",
        }
        self.datastores: list[PostgresDatastore] = []
        before = set(threading.enumerate())
        yield
        join_threads_started_since(before)
        for datastore in self.datastores:
            datastore.close()

    def create_recorder(self) -> PostgresOrderedRecorder:
        datastore = PostgresDatastore(**self.settings, schema=self.schema, pool_size=10)
        self.datastores.append(datastore)
        recorder = PostgresOrderedRecorder(datastore, events_table_name="registry_events")
        recorder.create_table()
        return recorder


class PostgresSnapshotRecorders(PostgresRecorders):
    def create_recorder(self) -> FailFastPostgresSnapshotRecorder:  # type: ignore[override]
        datastore = PostgresDatastore(**self.settings, schema=self.schema)
        self.datastores.append(datastore)
        recorder = FailFastPostgresSnapshotRecorder(datastore, events_table_name="snapshots")
        recorder.create_table()
        return recorder


class MemoryRecorders:
    def create_recorder(self) -> MemoryOrderedRecorder:
        return MemoryOrderedRecorder()


class TestSQLiteApplicationContract(SQLiteRecorders, ApplicationRecorderTestCase[Any]):
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestSQLiteNonInterleaving(SQLiteRecorders, NonInterleavingNotificationIDsBaseCase):
    pass


class TestPostgresApplicationContract(PostgresRecorders, ApplicationRecorderTestCase[Any]):
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestPostgresNonInterleaving(PostgresRecorders, NonInterleavingNotificationIDsBaseCase):
    pass


class TestPostgresSnapshotStoreContract(PostgresSnapshotRecorders, AggregateRecorderTestCase):
    """The fail-fast snapshot store keeps the library's aggregate-recorder contract."""


class TestSQLiteIndexTrackingContract(SQLiteRecorders, TrackingRecorderTestCase):
    """The index's tables, with the library's tracking table, in the log's SQLite file."""

    def create_recorder(self) -> SQLiteIndexView:  # type: ignore[override]
        datastore = SQLiteDatastore(str(self.path), lock_timeout=15)
        self.datastores.append(datastore)
        view = SQLiteIndexView(datastore)
        view.create_table()
        return view


class TestPostgresIndexTrackingContract(PostgresRecorders, TrackingRecorderTestCase):
    def create_recorder(self) -> PostgresIndexView:  # type: ignore[override]
        datastore = PostgresDatastore(**self.settings, schema=self.schema, pool_size=4)
        self.datastores.append(datastore)
        view = PostgresIndexView(datastore, tracking_table_name=POSTGRES_TRACKING_TABLE)
        view.create_table()
        return view


class TestMemoryApplicationContract(MemoryRecorders, ApplicationRecorderTestCase[Any]):
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestMemoryNonInterleaving(MemoryRecorders, NonInterleavingNotificationIDsBaseCase):
    pass


def postgres_recorder(dsn: str, schema: str | None = None) -> PostgresOrderedRecorder:
    if schema is None:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {schema}")
    url = urlsplit(dsn)
    datastore = PostgresDatastore(
        url.path.lstrip("/"),
        url.hostname or "",
        str(url.port or 5432),
        url.username or "",
        url.password or "",
        schema=schema,
        pool_size=4,  # a subscription holds one for LISTEN
    )
    recorder = PostgresOrderedRecorder(datastore, events_table_name="registry_events")
    recorder.create_table()
    return recorder


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_recorder(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryOrderedRecorder()
    elif request.param == "sqlite":
        recorder = SQLiteOrderedRecorder(SQLiteDatastore(str(tmp_path / "r.db")))
        recorder.create_table()
        yield recorder
        recorder.datastore.close()
    else:
        pg = postgres_recorder(request.getfixturevalue("postgres_dsn"))
        yield pg
        pg.datastore.close()


def test_plain_inserts_get_increasing_times_in_position_order(any_recorder: Any) -> None:
    positions: list[int] = []
    for _ in range(5):
        positions += any_recorder.insert_events(
            [StoredEvent(uuid.uuid4(), 1, "topic", b"{}") for _ in range(3)]
        )
    last = any_recorder.last_point()
    assert last.position == positions[-1]
    # Walking back one microsecond before each point's time finds the position before
    # it: times strictly increase with positions, and each names a prefix of the log.
    seen = []
    instant = last.recorded_at
    for _ in positions:
        point = any_recorder.point_at(instant)
        seen.append(point.position)
        instant = point.recorded_at - timedelta(microseconds=1)
    assert seen == sorted(positions, reverse=True)
    assert any_recorder.point_at(instant) is None


def test_a_subscription_follows_appends_made_through_another_connection(
    any_recorder: Any, request: pytest.FixtureRequest
) -> None:
    """What another process appends reaches a subscriber (SQLite: through the file, not the
    recorder's own wake-up), in log order, each notification once, a batch at a time."""
    if isinstance(any_recorder, SQLiteOrderedRecorder):
        other = SQLiteOrderedRecorder(SQLiteDatastore(any_recorder.datastore.pool.db_name))
    elif isinstance(any_recorder, PostgresOrderedRecorder):
        other = postgres_recorder(
            request.getfixturevalue("postgres_dsn"), schema=any_recorder.datastore.schema
        )
    else:
        other = any_recorder
    first = any_recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "t", b"{}")])
    received: list[int] = []
    with any_recorder.subscribe(gt=first[-1]) as subscription:
        written: list[int] = []
        for _ in range(4):
            written += other.insert_events(
                [StoredEvent(uuid.uuid4(), 1, "t", b"{}") for _ in range(3)]
            )
        while len(received) < len(written):
            batch = subscription.next_batch(timeout=5)
            assert batch, "nothing arrived within 5 s"
            received += [n.id for n in batch]
    assert received == written
    if other is not any_recorder:
        other.datastore.close()
