"""Facts about the event store itself, for operators (``registry db check``)."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier


@dataclass(frozen=True)
class StoreSummary:
    """What ``registry db check`` reports."""

    backend: str
    schema_version: int
    supported_schema_version: int
    events: int
    last_position: int


def count_events(recorder: ApplicationRecorder) -> int:
    """The number of stored events (of every aggregate), counted by the database."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {recorder.events_table_name}")
            return int(cursor.fetchone()[0])
    if isinstance(recorder, PostgresApplicationRecorder):
        statement = SQL("SELECT COUNT(*) AS n FROM {}.{}").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement)
            row = cursor.fetchone()
            return int(row["n"]) if row else 0
    # In memory, positions have no gaps.
    return int(recorder.max_notification_id() or 0)
