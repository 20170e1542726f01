"""The index on SQLite: tables beside the log in the same file (or in memory), and an
FTS5 table of the certificates' searchable words (rowid = the certificate's key).

The projection's transactions begin with ``BEGIN IMMEDIATE``, like the log's
appends, so one never fails at once on a lock taken between its reads and its
writes by another process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder

from registry.projections.index import IndexUpdate, PeriodRow
from registry.projections.queries import (
    AuditQuery,
    IndexedPeriod,
    PeriodQuery,
    ReportRow,
)
from registry.projections.rows import (
    CERTS,
    EVENTS,
    INDEXED_COLUMNS,
    NAMES,
    PERIOD_COLUMNS,
    PERIODS,
    TABLES,
    audit_values,
    indexed,
    period,
    period_values,
    prefixed,
    sector_code,
)
from registry.store.sqlite import ImmediateTransaction


class SQLiteIndexView(SQLiteTrackingRecorder):
    """The index's tables and the library's tracking table, in one SQLite database."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CERTS} (cert_key INTEGER PRIMARY KEY, "
            "cert_id TEXT NOT NULL UNIQUE, cb TEXT NOT NULL, number TEXT NOT NULL, "
            "standard TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {PERIODS} (cert_key INTEGER NOT NULL, "
            "start_day INTEGER NOT NULL, end_day INTEGER NOT NULL, status TEXT NOT NULL, "
            "cb TEXT NOT NULL, number TEXT NOT NULL, name TEXT NOT NULL, country TEXT NOT NULL, "
            "address TEXT NOT NULL, standard TEXT NOT NULL, family TEXT NOT NULL, "
            "scope TEXT NOT NULL, sectors TEXT NOT NULL, expiry INTEGER NOT NULL, "
            "known_from INTEGER NOT NULL, known_until INTEGER)",
            f"CREATE INDEX IF NOT EXISTS {PERIODS}_current ON {PERIODS} "
            "(cert_key, start_day) WHERE known_until IS NULL",
            f"CREATE INDEX IF NOT EXISTS {PERIODS}_cb ON {PERIODS} "
            "(cb, cert_key) WHERE known_until IS NULL",
            f"CREATE INDEX IF NOT EXISTS {PERIODS}_number ON {PERIODS} "
            "(number) WHERE known_until IS NULL",
            f"CREATE INDEX IF NOT EXISTS {PERIODS}_known ON {PERIODS} (cb, known_from)",
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {NAMES} USING fts5("
            "words, tokenize = 'unicode61 remove_diacritics 0')",
            f"CREATE TABLE IF NOT EXISTS {EVENTS} (position INTEGER PRIMARY KEY, "
            "recorded_at INTEGER NOT NULL, cert_id TEXT NOT NULL, cb TEXT NOT NULL, "
            "type TEXT NOT NULL, standard TEXT NOT NULL, family TEXT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {EVENTS}_cb ON {EVENTS} (cb, position)",
        ]

    @contextmanager
    def _writing(self) -> Iterator[SQLiteCursor]:
        with (
            self.datastore.get_connection(commit=True) as connection,
            ImmediateTransaction(connection, commit=True) as cursor,
            cursor,
        ):
            yield cursor

    def apply(self, update: IndexUpdate, tracking: Tracking | None) -> None:
        with self._writing() as cursor:
            cursor.executemany(
                f"INSERT INTO {CERTS} (cert_id, cb, number, standard) VALUES (?, ?, ?, ?)",
                [(c.hex, cb, number, standard) for c, cb, number, standard in update.certificates],
            )
            keys = self._keys(cursor, update)
            cursor.executemany(
                f"UPDATE {PERIODS} SET known_until = ? "
                "WHERE cert_key = ? AND start_day = ? AND known_until IS NULL",
                [(position, keys[c], start) for c, start, position in update.closed],
            )
            cursor.executemany(
                f"INSERT INTO {PERIODS} (cert_key, {PERIOD_COLUMNS}, known_from, known_until) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (keys[o.row.cert_id], *period_values(o.row), o.known_from, o.known_until)
                    for o in update.opened
                ],
            )
            for cert_id, words in update.names.items():
                cursor.execute(f"DELETE FROM {NAMES} WHERE rowid = ?", (keys[cert_id],))
                cursor.execute(
                    f"INSERT INTO {NAMES} (rowid, words) VALUES (?, ?)", (keys[cert_id], words)
                )
            cursor.executemany(
                f"INSERT INTO {EVENTS} VALUES (?, ?, ?, ?, ?, ?, ?)",
                [audit_values(row, row.cert_id.hex) for row in update.events],
            )
            if tracking is not None:
                self._insert_tracking(cursor, tracking)

    def _keys(self, cursor: SQLiteCursor, update: IndexUpdate) -> dict[UUID, int]:
        cert_ids = {o.row.cert_id for o in update.opened} | {c for c, _, _ in update.closed}
        keys: dict[UUID, int] = {}
        for cert_id in cert_ids:
            cursor.execute(f"SELECT cert_key FROM {CERTS} WHERE cert_id = ?", (cert_id.hex,))
            keys[cert_id] = cursor.fetchone()[0]
        return keys

    def current_periods(self, cert_id: UUID) -> list[PeriodRow]:
        rows = self._select(
            f"SELECT {PERIOD_COLUMNS} FROM {PERIODS} WHERE cert_key = "
            f"(SELECT cert_key FROM {CERTS} WHERE cert_id = ?) AND known_until IS NULL "
            "ORDER BY start_day",
            (cert_id.hex,),
        )
        return [period(cert_id, row) for row in rows]

    def certificate_of(self, cert_id: UUID) -> tuple[str, str] | None:
        rows = self._select(f"SELECT cb, standard FROM {CERTS} WHERE cert_id = ?", (cert_id.hex,))
        return (rows[0][0], rows[0][1]) if rows else None

    def certificates_to(self, standard: str) -> list[UUID]:
        # A scan of the certificates, once per change of a deadline: no index to keep.
        rows = self._select(f"SELECT cert_id FROM {CERTS} WHERE standard = ?", (standard,))
        return [UUID(row[0]) for row in rows]

    def clear(self) -> None:
        """Empty the index and its tracking row: the next run rebuilds it from the log."""
        with self._writing() as cursor:
            for table in TABLES:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("DELETE FROM tracking WHERE application_name != '__migration__'")

    # Queries

    def periods(self, query: PeriodQuery) -> list[IndexedPeriod]:
        where, params = _period_filters(query)
        if query.keys is not None:
            where.append(f"cert_key IN ({', '.join('?' for _ in query.keys)})")
            params += list(query.keys)
        statement = (
            f"SELECT {INDEXED_COLUMNS} FROM {PERIODS} WHERE {' AND '.join(where)} "
            "ORDER BY cert_key LIMIT ?"
        )
        rows = self._select(statement, (*params, query.limit))
        return [indexed(row) for row in rows]

    def name_candidates(
        self, words: Sequence[str], after_key: int, scan: int
    ) -> tuple[list[int], int | None]:
        # FTS5 yields matches in rowid order: the first ``scan`` are found without the rest.
        rows = self._select(
            f"SELECT rowid FROM {NAMES} WHERE {NAMES} MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?",
            (_fts_query(words), after_key, scan),
        )
        keys = [row[0] for row in rows]
        return keys, keys[-1] if len(keys) == scan else None

    def events(self, query: AuditQuery) -> list[int]:
        where = ["cb = ?", "position > ?", "position <= ?"]
        params: list[Any] = [query.certification_body_id, query.after, query.until]
        if query.types:
            where.append(f"type IN ({', '.join('?' for _ in query.types)})")
            params += query.types
        if query.standard:
            where.append("(standard = ? OR family = ?)")
            params += [query.standard, query.standard]
        rows = self._select(
            f"SELECT position FROM {EVENTS} WHERE {' AND '.join(where)} ORDER BY position LIMIT ?",
            (*params, query.limit),
        )
        return [row[0] for row in rows]

    def report(self, certification_body_id: str, day: int, position: int) -> list[ReportRow]:
        rows = self._select(
            f"SELECT status, standard, count(*) FROM {PERIODS} WHERE cb = ? AND known_from <= ? "
            "AND (known_until IS NULL OR known_until > ?) AND start_day <= ? AND ? < end_day "
            "GROUP BY status, standard ORDER BY standard, status",
            (certification_body_id, position, position, day, day),
        )
        return [ReportRow(row[0], row[1], row[2]) for row in rows]

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the index, in a stable order (to compare two indexes)."""
        return {
            PERIODS: self._select(
                f"SELECT c.cert_id, {prefixed('p')}, known_from, known_until FROM {PERIODS} p "
                f"JOIN {CERTS} c USING (cert_key) ORDER BY c.cert_id, known_from, start_day",
                (),
            ),
            NAMES: self._select(
                f"SELECT c.cert_id, n.words FROM {NAMES} n JOIN {CERTS} c "
                "ON c.cert_key = n.rowid ORDER BY c.cert_id",
                (),
            ),
            EVENTS: self._select(f"SELECT * FROM {EVENTS} ORDER BY position", ()),
            CERTS: self._select(
                f"SELECT cert_id, cb, number, standard FROM {CERTS} ORDER BY cert_id", ()
            ),
        }

    def _select(self, statement: str, params: Sequence[Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            return [tuple(row) for row in cursor.fetchall()]


def _period_filters(query: PeriodQuery) -> tuple[list[str], list[Any]]:
    where = ["known_until IS NULL", "start_day <= ?", "? < end_day", "cert_key > ?"]
    params: list[Any] = [query.day, query.day, query.after_key]
    for column, value in (
        ("number", query.certificate_number),
        ("cb", query.certification_body_id),
        ("country", query.country),
        ("status", query.status),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if query.standard:
        where.append("(standard = ? OR family = ?)")
        params += [query.standard, query.standard]
    if query.sector_code:
        where.append("instr(sectors, ?) > 0")
        params.append(sector_code(query.sector_code))
    return where, params


def _fts_query(words: Sequence[str]) -> str:
    return " AND ".join(f'"{word}"*' for word in words)
