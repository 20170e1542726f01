"""The ordered log on SQLite: one file, one writer at a time across processes.

An append opens its transaction with ``BEGIN IMMEDIATE``, which takes the
database's write lock before anything is read: the last recorded time is read
under that lock, so no other writer (thread or process) can come between
reading it and committing later times. (A deferred ``BEGIN`` that reads first
and writes later could also fail at once with SQLITE_BUSY in WAL mode, without
waiting, when another process commits in between.)
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, OperationalError, StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteTransaction,
)

from registry.store.follow import PollingSubscription
from registry.store.log import (
    LOG_TIMES,
    META,
    REQUESTS,
    Batch,
    LogPoint,
    RequestRecord,
    Stamp,
    from_micros,
    plain_stamp,
    to_micros,
    utc_now,
)
from registry.store.tokens import (
    BOOTSTRAP_KEY,
    TOKEN_COLUMNS,
    TOKENS,
    TokenRow,
    token_row,
    token_values,
)


class ImmediateTransaction(SQLiteTransaction):
    """The library's transaction, begun with the write lock, and rolled back (never left
    open on a pooled connection) when its commit fails."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            cursor.sqlite_cursor.close()
            raise OperationalError(error) from error
        return cursor

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc_val, exc_tb)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.connection.rollback()
            raise


class SQLiteOrderedRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder, with recorded time assigned in order."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        self._listeners: set[threading.Event] = set()
        self._listeners_lock = threading.Lock()

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> PollingSubscription:
        """Follow the log from after position ``gt`` (see registry/store/follow.py)."""
        return PollingSubscription(recorder=self, gt=gt, topics=topics)

    def listen(self, event: threading.Event) -> None:
        with self._listeners_lock:
            self._listeners.add(event)

    def unlisten(self, event: threading.Event) -> None:
        with self._listeners_lock:
            self._listeners.discard(event)

    def _notify_listeners(self) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener.set()

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {LOG_TIMES} ("
            "position INTEGER PRIMARY KEY, recorded_at INTEGER NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {LOG_TIMES}_recorded_at ON {LOG_TIMES} (recorded_at)",
            f"CREATE TABLE IF NOT EXISTS {REQUESTS} ("
            "principal TEXT NOT NULL, request_id TEXT NOT NULL, fingerprint TEXT NOT NULL, "
            "certificate_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "position INTEGER NOT NULL, recorded_at INTEGER NOT NULL, "
            "PRIMARY KEY (principal, request_id)) WITHOUT ROWID",
            f"CREATE TABLE IF NOT EXISTS {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {TOKENS} ("
            "token_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, principal TEXT NOT NULL, "
            "created_at INTEGER NOT NULL, expires_at INTEGER, revoked_at INTEGER, "
            "note TEXT NOT NULL) WITHOUT ROWID",
        ]

    @contextmanager
    def _writing(self) -> Iterator[SQLiteCursor]:
        with (
            self.datastore.get_connection(commit=True) as connection,
            ImmediateTransaction(connection, commit=True) as cursor,
            cursor,
        ):
            yield cursor

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        return self.append(plain_stamp(stored_events, utc_now))

    def append(self, stamp: Stamp) -> list[int]:
        with self._writing() as cursor:
            cursor.execute(f"SELECT MAX(recorded_at) FROM {LOG_TIMES}")
            batch = stamp(cursor.fetchone()[0])
            positions = self._insert_batch(cursor, batch)
        self._notify_listeners()
        return positions

    def _insert_batch(self, cursor: SQLiteCursor, batch: Batch) -> list[int]:
        positions = list(self._insert_events(cursor, batch.events) or [])
        cursor.executemany(
            f"INSERT INTO {LOG_TIMES} (position, recorded_at) VALUES (?, ?)",
            list(zip(positions, batch.recorded_at, strict=True)),
        )
        cursor.executemany(
            f"INSERT INTO {REQUESTS} VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    row.principal,
                    row.request_id,
                    row.fingerprint,
                    row.certificate_id.hex,
                    row.version,
                    positions[row.event_index],
                    batch.recorded_at[row.event_index],
                )
                for row in batch.requests
            ],
        )
        return positions

    def barrier(self) -> None:
        with self._writing():
            pass

    def last_point(self) -> LogPoint | None:
        return self._point(
            f"SELECT position, recorded_at FROM {LOG_TIMES} ORDER BY position DESC LIMIT 1", ()
        )

    def point_at(self, instant: datetime) -> LogPoint | None:
        return self._point(
            f"SELECT position, recorded_at FROM {LOG_TIMES} WHERE recorded_at <= ? "
            "ORDER BY recorded_at DESC LIMIT 1",
            (to_micros(instant),),
        )

    def point_of(self, position: int) -> LogPoint | None:
        return self._point(
            f"SELECT position, recorded_at FROM {LOG_TIMES} WHERE position <= ? "
            "ORDER BY position DESC LIMIT 1",
            (position,),
        )

    def _point(self, statement: str, params: tuple[Any, ...]) -> LogPoint | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            row = cursor.fetchone()
        return None if row is None else LogPoint(row[0], from_micros(row[1]))

    def version_at(self, originator_id: UUID, position: int) -> int:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                # Newest first along the primary key: the latest cut stops at once.
                f"SELECT originator_version FROM {self.events_table_name} "
                "WHERE originator_id = ? AND rowid <= ? ORDER BY originator_version DESC LIMIT 1",
                (originator_id.hex, position),
            )
            row = cursor.fetchone()
            return int(row[0]) if row else 0

    def select_positioned(
        self, originator_id: UUID, *, gt: int, lte: int | None, limit: int
    ) -> list[Notification]:
        statement = (
            f"SELECT rowid, originator_version, topic, state FROM {self.events_table_name} "
            "WHERE originator_id = ? AND originator_version > ? "
        )
        params: list[Any] = [originator_id.hex, gt]
        if lte is not None:
            statement += "AND originator_version <= ? "
            params.append(lte)
        statement += "ORDER BY originator_version LIMIT ?"
        params.append(limit)
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            return [
                Notification(
                    id=row[0],
                    originator_id=originator_id,
                    originator_version=row[1],
                    topic=row[2],
                    state=row[3],
                )
                for row in cursor.fetchall()
            ]

    def select_at(self, positions: Sequence[int]) -> list[Notification]:
        if not positions:
            return []
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {self.events_table_name} WHERE rowid IN "
                f"({', '.join('?' for _ in positions)}) ORDER BY rowid",
                list(positions),
            )
            return [
                Notification(
                    id=row[0],
                    originator_id=UUID(row[1]),
                    originator_version=row[2],
                    topic=row[3],
                    state=row[4],
                )
                for row in cursor.fetchall()
            ]

    def select_request(self, principal: str, request_id: str) -> RequestRecord | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT fingerprint, certificate_id, version, position, recorded_at "
                f"FROM {REQUESTS} WHERE principal = ? AND request_id = ?",
                (principal, request_id),
            )
            row = cursor.fetchone()
        if row is None:
            return None
        return RequestRecord(
            principal, request_id, row[0], UUID(row[1]), row[2], row[3], from_micros(row[4])
        )

    def get_meta(self, key: str) -> str | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT value FROM {META} WHERE key = ?", (key,))
            row = cursor.fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._writing() as cursor:
            cursor.execute(
                f"INSERT INTO {META} (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (key, value),
            )

    def count_events(self) -> int:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.events_table_name}")
            return int(cursor.fetchone()[0])

    # Bearer tokens (registry/store/tokens.py)

    def insert_token(self, row: TokenRow) -> None:
        with self._writing() as cursor:
            self._insert_token(cursor, row)

    def bootstrap_token(self, row: TokenRow) -> bool:
        with self._writing() as cursor:
            cursor.execute(
                f"INSERT INTO {META} (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (BOOTSTRAP_KEY, row.token_id),
            )
            if cursor.sqlite_cursor.rowcount == 1:
                self._insert_token(cursor, row)
                return True
            cursor.execute(f"SELECT value FROM {META} WHERE key = ?", (BOOTSTRAP_KEY,))
            return bool(cursor.fetchone()[0] == row.token_id)

    def _insert_token(self, cursor: SQLiteCursor, row: TokenRow) -> None:
        cursor.execute(
            f"INSERT INTO {TOKENS} ({TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            token_values(row),
        )

    def select_token(self, token_id: str) -> TokenRow | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT {TOKEN_COLUMNS} FROM {TOKENS} WHERE token_id = ?", (token_id,))
            row = cursor.fetchone()
        return None if row is None else token_row(tuple(row))

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        with self._writing() as cursor:
            cursor.execute(
                f"UPDATE {TOKENS} SET revoked_at = COALESCE(revoked_at, ?) WHERE token_id = ?",
                (to_micros(at), token_id),
            )
            return bool(cursor.sqlite_cursor.rowcount == 1)

    def select_tokens(self) -> list[TokenRow]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT {TOKEN_COLUMNS} FROM {TOKENS} ORDER BY created_at, token_id")
            return [token_row(tuple(row)) for row in cursor.fetchall()]
