"""The index on PostgreSQL: tables beside the log in its schema, and the certificates'
searchable words as a ``tsvector`` (the ``simple`` configuration: the words are
folded already) under a GIN index, queried by prefix (``word:*``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Composed, Identifier

from registry.projections.index import IndexUpdate, PeriodRow
from registry.projections.queries import AuditQuery, IndexedPeriod, PeriodQuery, ReportRow
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

# A name search first tests this many names in key order; when they hold at least
# DENSE_HITS matches, those are the candidates (see ``name_candidates``).
DENSE_WINDOW = 2048
DENSE_HITS = 32


class PostgresIndexView(PostgresTrackingRecorder):
    """The index's tables and a tracking table of the library's, in the log's schema."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        t = {name: self._table(name) for name in TABLES}
        self.t = t
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (cert_key bigserial PRIMARY KEY, "
                "cert_id uuid NOT NULL UNIQUE, cb text NOT NULL, number text NOT NULL, "
                "standard text NOT NULL)"
            ).format(t[CERTS]),
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (cert_key bigint NOT NULL, "
                "start_day integer NOT NULL, end_day integer NOT NULL, status text NOT NULL, "
                "cb text NOT NULL, number text NOT NULL, name text NOT NULL, "
                "country text NOT NULL, address text NOT NULL, standard text NOT NULL, "
                "family text NOT NULL, scope text NOT NULL, sectors text NOT NULL, "
                "expiry integer NOT NULL, known_from bigint NOT NULL, known_until bigint)"
            ).format(t[PERIODS]),
            SQL(
                "CREATE INDEX IF NOT EXISTS {} ON {} (cert_key, start_day) "
                "WHERE known_until IS NULL"
            ).format(Identifier(f"{PERIODS}_current"), t[PERIODS]),
            SQL(
                "CREATE INDEX IF NOT EXISTS {} ON {} (cb, cert_key) WHERE known_until IS NULL"
            ).format(Identifier(f"{PERIODS}_cb"), t[PERIODS]),
            SQL("CREATE INDEX IF NOT EXISTS {} ON {} (number) WHERE known_until IS NULL").format(
                Identifier(f"{PERIODS}_number"), t[PERIODS]
            ),
            SQL("CREATE INDEX IF NOT EXISTS {} ON {} (cb, known_from)").format(
                Identifier(f"{PERIODS}_known"), t[PERIODS]
            ),
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (cert_key bigint PRIMARY KEY, words text NOT NULL, "
                "tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED)"
            ).format(t[NAMES]),
            SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING gin (tsv)").format(
                Identifier(f"{NAMES}_tsv"), t[NAMES]
            ),
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (position bigint PRIMARY KEY, "
                "recorded_at bigint NOT NULL, cert_id uuid NOT NULL, cb text NOT NULL, "
                "type text NOT NULL, standard text NOT NULL, family text NOT NULL)"
            ).format(t[EVENTS]),
            SQL("CREATE INDEX IF NOT EXISTS {} ON {} (cb, position)").format(
                Identifier(f"{EVENTS}_cb"), t[EVENTS]
            ),
        ]

    def _table(self, name: str) -> Composed:
        return SQL("{}.{}").format(Identifier(self.datastore.schema), Identifier(name))

    def apply(self, update: IndexUpdate, tracking: Tracking | None) -> None:
        t = self.t
        with self.datastore.transaction(commit=True) as cursor:
            if update.certificates:
                cursor.executemany(
                    SQL(
                        "INSERT INTO {} (cert_id, cb, number, standard) VALUES (%s, %s, %s, %s)"
                    ).format(t[CERTS]),
                    update.certificates,
                )
            cert_ids = list(
                {o.row.cert_id for o in update.opened} | {c for c, _, _ in update.closed}
            )
            keys: dict[UUID, int] = {}
            if cert_ids:
                cursor.execute(
                    SQL("SELECT cert_id, cert_key FROM {} WHERE cert_id = ANY(%s)").format(
                        t[CERTS]
                    ),
                    (cert_ids,),
                )
                keys = {row["cert_id"]: row["cert_key"] for row in cursor.fetchall()}
            if update.closed:
                cursor.executemany(
                    SQL(
                        "UPDATE {} SET known_until = %s WHERE cert_key = %s AND start_day = %s "
                        "AND known_until IS NULL"
                    ).format(t[PERIODS]),
                    [(position, keys[c], start) for c, start, position in update.closed],
                )
            if update.opened:
                cursor.executemany(
                    SQL(
                        "INSERT INTO {} (cert_key, " + PERIOD_COLUMNS + ", known_from, "
                        "known_until) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                        "%s, %s, %s, %s)"
                    ).format(t[PERIODS]),
                    [
                        (keys[o.row.cert_id], *period_values(o.row), o.known_from, o.known_until)
                        for o in update.opened
                    ],
                )
            if update.names:
                cursor.executemany(
                    SQL(
                        "INSERT INTO {} (cert_key, words) VALUES (%s, %s) "
                        "ON CONFLICT (cert_key) DO UPDATE SET words = excluded.words"
                    ).format(t[NAMES]),
                    [(keys[cert_id], words) for cert_id, words in update.names.items()],
                )
            if update.events:
                cursor.executemany(
                    SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s, %s)").format(t[EVENTS]),
                    [audit_values(row, row.cert_id) for row in update.events],
                )
            if tracking is not None:
                self._insert_tracking(cursor, tracking)

    def current_periods(self, cert_id: UUID) -> list[PeriodRow]:
        rows = self._select(
            SQL(
                "SELECT " + PERIOD_COLUMNS + " FROM {} WHERE cert_key = "
                "(SELECT cert_key FROM {} WHERE cert_id = %s) AND known_until IS NULL "
                "ORDER BY start_day"
            ).format(self.t[PERIODS], self.t[CERTS]),
            (cert_id,),
        )
        return [period(cert_id, row) for row in rows]

    def certificate_of(self, cert_id: UUID) -> tuple[str, str] | None:
        rows = self._select(
            SQL("SELECT cb, standard FROM {} WHERE cert_id = %s").format(self.t[CERTS]),
            (cert_id,),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def certificates_to(self, standard: str) -> list[UUID]:
        # A scan of the certificates, once per change of a deadline: no index to keep.
        rows = self._select(
            SQL("SELECT cert_id FROM {} WHERE standard = %s").format(self.t[CERTS]), (standard,)
        )
        return [row[0] for row in rows]

    def clear(self) -> None:
        """Empty the index and its tracking row: the next run rebuilds it from the log."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL("TRUNCATE {}").format(SQL(", ").join(self.t[name] for name in TABLES))
            )
            cursor.execute(
                SQL("DELETE FROM {}.{} WHERE application_name != '__migration__'").format(
                    Identifier(self.datastore.schema), Identifier(self.tracking_table_name)
                )
            )

    # Queries

    def periods(self, query: PeriodQuery) -> list[IndexedPeriod]:
        where, params = _period_filters(query)
        if query.keys is not None:
            where.append(SQL("cert_key = ANY(%s)"))
            params.append(list(query.keys))
        statement = SQL(
            "SELECT " + INDEXED_COLUMNS + " FROM {} WHERE {} ORDER BY cert_key LIMIT %s"
        ).format(self.t[PERIODS], SQL(" AND ").join(where))
        return [indexed(row) for row in self._select(statement, (*params, query.limit))]

    def name_candidates(
        self, words: Sequence[str], after_key: int, scan: int
    ) -> tuple[list[int], int | None]:
        """A GIN index finds every match of a prefix before any can be returned in key
        order: fast when the matches are few, slow when a short prefix matches a large
        share of the names. So the next ``DENSE_WINDOW`` names in key order are tested
        first (a primary-key range scan); only when they hold few matches is the GIN
        index asked for the next ``scan`` (then there are few to sort)."""
        query = _ts_query(words)
        window = self._select(
            SQL(
                "SELECT cert_key, tsv @@ to_tsquery('simple', %s) FROM {} WHERE cert_key > %s "
                "ORDER BY cert_key LIMIT %s"
            ).format(self.t[NAMES]),
            (query, after_key, DENSE_WINDOW),
        )
        hits = [int(key) for key, hit in window if hit]
        if len(window) < DENSE_WINDOW:
            return hits, None  # the window reached the last name
        if len(hits) >= DENSE_HITS:
            return hits, int(window[-1][0])
        rows = self._select(
            SQL(
                "SELECT cert_key FROM {} WHERE tsv @@ to_tsquery('simple', %s) AND cert_key > %s "
                "ORDER BY cert_key LIMIT %s"
            ).format(self.t[NAMES]),
            (query, after_key, scan),
        )
        keys = [int(row[0]) for row in rows]
        return keys, keys[-1] if len(keys) == scan else None

    def events(self, query: AuditQuery) -> list[int]:
        where = [SQL("cb = %s"), SQL("position > %s"), SQL("position <= %s")]
        params: list[Any] = [query.certification_body_id, query.after, query.until]
        if query.types:
            where.append(SQL("type = ANY(%s)"))
            params.append(list(query.types))
        if query.standard:
            where.append(SQL("(standard = %s OR family = %s)"))
            params += [query.standard, query.standard]
        rows = self._select(
            SQL("SELECT position FROM {} WHERE {} ORDER BY position LIMIT %s").format(
                self.t[EVENTS], SQL(" AND ").join(where)
            ),
            (*params, query.limit),
        )
        return [int(row[0]) for row in rows]

    def report(self, certification_body_id: str, day: int, position: int) -> list[ReportRow]:
        rows = self._select(
            SQL(
                "SELECT status, standard, count(*) FROM {} WHERE cb = %s AND known_from <= %s "
                "AND (known_until IS NULL OR known_until > %s) AND start_day <= %s "
                "AND %s < end_day GROUP BY status, standard ORDER BY standard, status"
            ).format(self.t[PERIODS]),
            (certification_body_id, position, position, day, day),
        )
        return [ReportRow(row[0], row[1], int(row[2])) for row in rows]

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        t = self.t
        return {
            PERIODS: self._select(
                SQL(
                    "SELECT replace(c.cert_id::text, '-', ''), " + prefixed("p") + ", "
                    "known_from, known_until FROM {} p JOIN {} c USING (cert_key) "
                    "ORDER BY 1, known_from, start_day"
                ).format(t[PERIODS], t[CERTS]),
                (),
            ),
            NAMES: self._select(
                SQL(
                    "SELECT replace(c.cert_id::text, '-', ''), n.words FROM {} n JOIN {} c "
                    "USING (cert_key) ORDER BY 1"
                ).format(t[NAMES], t[CERTS]),
                (),
            ),
            EVENTS: self._select(
                SQL(
                    "SELECT position, recorded_at, replace(cert_id::text, '-', ''), cb, type, "
                    "standard, family FROM {} ORDER BY position"
                ).format(t[EVENTS]),
                (),
            ),
            CERTS: self._select(
                SQL(
                    "SELECT replace(cert_id::text, '-', ''), cb, number, standard FROM {} "
                    "ORDER BY 1"
                ).format(t[CERTS]),
                (),
            ),
        }

    def _select(self, statement: Composed, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(statement, params)
            return [tuple(row.values()) for row in cursor.fetchall()]


def _period_filters(query: PeriodQuery) -> tuple[list[Composed | SQL], list[Any]]:
    where: list[Composed | SQL] = [
        SQL("known_until IS NULL"),
        SQL("start_day <= %s"),
        SQL("%s < end_day"),
        SQL("cert_key > %s"),
    ]
    params: list[Any] = [query.day, query.day, query.after_key]
    for column, value in (
        ("number", query.certificate_number),
        ("cb", query.certification_body_id),
        ("country", query.country),
        ("status", query.status),
    ):
        if value:
            where.append(SQL("{} = %s").format(Identifier(column)))
            params.append(value)
    if query.standard:
        where.append(SQL("(standard = %s OR family = %s)"))
        params += [query.standard, query.standard]
    if query.sector_code:
        where.append(SQL("strpos(sectors, %s) > 0"))
        params.append(sector_code(query.sector_code))
    return where, params


def _ts_query(words: Sequence[str]) -> str:
    """Each word as a quoted prefix term (the words are letters and digits only)."""
    return " & ".join("'" + word.replace("'", "''") + "':*" for word in words)
