"""The ordered log on PostgreSQL, failing fast while the database is unreachable.

Appends take the library's ``LOCK TABLE … IN EXCLUSIVE MODE`` first (which
already makes commit order the order of positions), then read the last
recorded time and assign the batch's times under that lock: so recorded time
follows position across every process sharing the database.

The library's recorder retries a failed statement ten times, each attempt
waiting up to the pool's connect timeout, so a call made during an outage would
hang for most of a minute and end in the client's deadline. This one gives up
after three quick attempts; the caller then answers UNAVAILABLE, which clients
retry with the same request id. Selected with the library's own
APPLICATION_RECORDER_TOPIC setting (see registry/config.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from registry.store.follow import PostgresBatchSubscription
from registry.store.log import (
    LOG_TIMES,
    META,
    REQUESTS,
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
    """The snapshot store, read before a certificate's events, fails as fast."""

    insert_events = _fail_fast(PostgresAggregateRecorder.insert_events)
    select_events = _fail_fast(PostgresAggregateRecorder.select_events)


class FailFastPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory, with a snapshot store that fails fast too."""

    aggregate_recorder_class = FailFastPostgresSnapshotRecorder


def _table(recorder: PostgresApplicationRecorder, name: str) -> Composed:
    return SQL("{}.{}").format(Identifier(recorder.datastore.schema), Identifier(name))


class PostgresOrderedRecorder(FailFastPostgresRecorder):
    """The fail-fast recorder, with recorded time assigned under the table lock."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.log_times = _table(self, LOG_TIMES)
        self.requests = _table(self, REQUESTS)
        self.meta = _table(self, META)
        self.tokens = _table(self, TOKENS)
        self.events = _table(self, self.events_table_name)
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                "position bigint PRIMARY KEY, recorded_at bigint NOT NULL)"
            ).format(self.log_times),
            SQL("CREATE INDEX IF NOT EXISTS {} ON {} (recorded_at)").format(
                Identifier(f"{LOG_TIMES}_recorded_at"), self.log_times
            ),
            SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                "principal text NOT NULL, request_id text NOT NULL, fingerprint text NOT NULL, "
                "certificate_id uuid NOT NULL, version bigint NOT NULL, "
                "position bigint NOT NULL, recorded_at bigint NOT NULL, "
                "PRIMARY KEY (principal, request_id))"
            ).format(self.requests),
            SQL("CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text NOT NULL)").format(
                self.meta
            ),
            SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                "token_id text PRIMARY KEY, secret_hash text NOT NULL, principal text NOT NULL, "
                "created_at bigint NOT NULL, expires_at bigint, revoked_at bigint, "
                "note text NOT NULL)"
            ).format(self.tokens),
        ]

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> PostgresBatchSubscription:
        return PostgresBatchSubscription(recorder=self, gt=gt, topics=topics)

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        return self._append(plain_stamp(stored_events, utc_now))

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def append(self, stamp: Stamp) -> list[int]:
        return self._append(stamp)

    def _append(self, stamp: Stamp) -> list[int]:
        with self.datastore.transaction(commit=True) as cursor:
            self._lock_table(cursor)
            cursor.execute(
                SQL("SELECT recorded_at FROM {} ORDER BY position DESC LIMIT 1").format(
                    self.log_times
                )
            )
            row = cursor.fetchone()
            batch = stamp(None if row is None else int(row["recorded_at"]))
            if not batch.events:
                return []
            self._insert_stored_events(cursor, batch.events)
            positions = [int(r["notification_id"]) for r in cursor.fetchall()]
            cursor.executemany(
                SQL("INSERT INTO {} (position, recorded_at) VALUES (%s, %s)").format(
                    self.log_times
                ),
                list(zip(positions, batch.recorded_at, strict=True)),
            )
            if batch.requests:
                cursor.executemany(
                    SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s, %s)").format(self.requests),
                    [
                        (
                            r.principal,
                            r.request_id,
                            r.fingerprint,
                            r.certificate_id,
                            r.version,
                            positions[r.event_index],
                            batch.recorded_at[r.event_index],
                        )
                        for r in batch.requests
                    ],
                )
        return positions

    def _select(self, statement: Composed, params: Sequence[Any]) -> list[Any]:
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(statement, params, prepare=True)
            return cursor.fetchall()

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def barrier(self) -> None:
        with self.datastore.transaction(commit=False) as cursor:
            self._lock_table(cursor)

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def last_point(self) -> LogPoint | None:
        rows = self._select(
            SQL("SELECT position, recorded_at FROM {} ORDER BY position DESC LIMIT 1").format(
                self.log_times
            ),
            (),
        )
        return _point(rows)

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def point_at(self, instant: datetime) -> LogPoint | None:
        rows = self._select(
            SQL(
                "SELECT position, recorded_at FROM {} WHERE recorded_at <= %s "
                "ORDER BY recorded_at DESC LIMIT 1"
            ).format(self.log_times),
            (to_micros(instant),),
        )
        return _point(rows)

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def point_of(self, position: int) -> LogPoint | None:
        rows = self._select(
            SQL(
                "SELECT position, recorded_at FROM {} WHERE position <= %s "
                "ORDER BY position DESC LIMIT 1"
            ).format(self.log_times),
            (position,),
        )
        return _point(rows)

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def version_at(self, originator_id: UUID, position: int) -> int:
        rows = self._select(
            SQL(
                "SELECT originator_version AS v FROM {} "
                "WHERE originator_id = %s AND notification_id <= %s "
                "ORDER BY originator_version DESC LIMIT 1"
            ).format(self.events),
            (originator_id, position),
        )
        return int(rows[0]["v"]) if rows else 0

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def select_positioned(
        self, originator_id: UUID, *, gt: int, lte: int | None, limit: int
    ) -> list[Notification]:
        statement = SQL(
            "SELECT notification_id, originator_version, topic, state FROM {} "
            "WHERE originator_id = %s AND originator_version > %s"
        ).format(self.events)
        params: list[Any] = [originator_id, gt]
        if lte is not None:
            statement += SQL(" AND originator_version <= %s")
            params.append(lte)
        statement += SQL(" ORDER BY originator_version LIMIT %s")
        params.append(limit)
        return [
            Notification(
                id=row["notification_id"],
                originator_id=originator_id,
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in self._select(statement, params)
        ]

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def select_at(self, positions: Sequence[int]) -> list[Notification]:
        if not positions:
            return []
        statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
            "WHERE notification_id = ANY(%s) ORDER BY notification_id"
        ).format(self.events)
        return [
            Notification(
                id=row["notification_id"],
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in self._select(statement, (list(positions),))
        ]

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def select_request(self, principal: str, request_id: str) -> RequestRecord | None:
        rows = self._select(
            SQL(
                "SELECT fingerprint, certificate_id, version, position, recorded_at FROM {} "
                "WHERE principal = %s AND request_id = %s"
            ).format(self.requests),
            (principal, request_id),
        )
        if not rows:
            return None
        row = rows[0]
        return RequestRecord(
            principal,
            request_id,
            row["fingerprint"],
            row["certificate_id"],
            int(row["version"]),
            int(row["position"]),
            from_micros(int(row["recorded_at"])),
        )

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def get_meta(self, key: str) -> str | None:
        rows = self._select(SQL("SELECT value FROM {} WHERE key = %s").format(self.meta), (key,))
        return str(rows[0]["value"]) if rows else None

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def set_meta(self, key: str, value: str) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL("INSERT INTO {} (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING").format(
                    self.meta
                ),
                (key, value),
            )

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def count_events(self) -> int:
        rows = self._select(SQL("SELECT COUNT(*) AS n FROM {}").format(self.events), ())
        return int(rows[0]["n"])

    # Bearer tokens (registry/store/tokens.py)

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def insert_token(self, row: TokenRow) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            self._insert_token(cursor, row)

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def bootstrap_token(self, row: TokenRow) -> bool:
        """Of transactions racing to insert the key, one inserts it; the others wait on its
        unique index for that one to end, then insert nothing (or, had it rolled back, one
        of them inserts it). A retry after a commit whose answer was lost finds its own
        token bootstrapped: True again."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL("INSERT INTO {} (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING").format(
                    self.meta
                ),
                (BOOTSTRAP_KEY, row.token_id),
            )
            if cursor.rowcount == 1:
                self._insert_token(cursor, row)
                return True
            cursor.execute(
                SQL("SELECT value FROM {} WHERE key = %s").format(self.meta), (BOOTSTRAP_KEY,)
            )
            found = cursor.fetchone()
            return found is not None and found["value"] == row.token_id

    def _insert_token(self, cursor: Cursor[DictRow], row: TokenRow) -> None:
        cursor.execute(
            SQL("INSERT INTO {} ({}) VALUES (%s, %s, %s, %s, %s, %s, %s)").format(
                self.tokens, SQL(TOKEN_COLUMNS)
            ),
            token_values(row),
        )

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def select_token(self, token_id: str) -> TokenRow | None:
        rows = self._select(
            SQL("SELECT {} FROM {} WHERE token_id = %s").format(SQL(TOKEN_COLUMNS), self.tokens),
            (token_id,),
        )
        return token_row(tuple(rows[0].values())) if rows else None

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def revoke_token(self, token_id: str, at: datetime) -> bool:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL(
                    "UPDATE {} SET revoked_at = COALESCE(revoked_at, %s) WHERE token_id = %s"
                ).format(self.tokens),
                (to_micros(at), token_id),
            )
            return cursor.rowcount == 1

    @retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT)
    def select_tokens(self) -> list[TokenRow]:
        rows = self._select(
            SQL("SELECT {} FROM {} ORDER BY created_at, token_id").format(
                SQL(TOKEN_COLUMNS), self.tokens
            ),
            (),
        )
        return [token_row(tuple(row.values())) for row in rows]


def _point(rows: list[Any]) -> LogPoint | None:
    if not rows:
        return None
    return LogPoint(int(rows[0]["position"]), from_micros(int(rows[0]["recorded_at"])))
