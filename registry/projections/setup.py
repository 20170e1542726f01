"""The index of an application's store: its view, projection and election, per engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from uuid import UUID, uuid4

from eventsourcing.sqlite import SQLiteDatastore

from registry.domain.certificate import Certificate
from registry.projections.index import RECATALOGUE_CHUNK, IndexProjection
from registry.projections.queries import IndexReader
from registry.projections.runner import (
    AdvisoryLock,
    Election,
    FileLock,
    ProjectionRunner,
    Unopposed,
)
from registry.projections.sqlite import SQLiteIndexView
from registry.store.log import created
from registry.store.postgres import PostgresOrderedRecorder
from registry.store.sqlite import SQLiteOrderedRecorder

POSTGRES_TRACKING_TABLE = "registry_index_tracking"


@dataclass
class Index:
    """The index of one store: read it through ``reader``; keep it with ``runner()``."""

    app: Any
    view: Any
    projection: IndexProjection
    election: Election
    _own_datastore: SQLiteDatastore | None = None

    @property
    def reader(self) -> IndexReader:
        return cast(IndexReader, self.view)

    def runner(self) -> ProjectionRunner:
        return ProjectionRunner(self.app, self.projection, self.election)

    def close(self) -> None:
        self.election.release()
        if self._own_datastore is not None:
            self._own_datastore.close()


def open_index(app: Any, *, recatalogue_chunk: int = RECATALOGUE_CHUNK) -> Index:
    """The index beside ``app``'s log: in the same SQLite file or PostgreSQL schema; for an
    in-memory log, in an in-memory SQLite database of this process. ``recatalogue_chunk``:
    see ``IndexProjection``."""
    recorder = app.recorder
    own: SQLiteDatastore | None = None
    election: Election
    if isinstance(recorder, SQLiteOrderedRecorder):
        view: Any = SQLiteIndexView(recorder.datastore)
        path = recorder.datastore.pool.db_name
        in_memory = recorder.datastore.pool.is_sqlite_memory_mode
        election = Unopposed() if in_memory else FileLock(Path(f"{path}.index.lock"))
    elif isinstance(recorder, PostgresOrderedRecorder):
        from registry.projections.postgres import PostgresIndexView

        view = PostgresIndexView(recorder.datastore, tracking_table_name=POSTGRES_TRACKING_TABLE)
        settings = cast(dict[str, Any], recorder.datastore.pool.kwargs)
        kwargs = {k: v for k, v in settings.items() if k != "row_factory"}
        election = AdvisoryLock(kwargs, f"{recorder.datastore.schema}.index")
    else:
        own = SQLiteDatastore(f"file:registry-index-{uuid4().hex}?mode=memory&cache=shared")
        view = SQLiteIndexView(own)
        election = Unopposed()
    created(view.create_table)  # another process may be creating them too

    def load(cert_id: UUID, version: int) -> Certificate:
        certificate = app.repository.get(cert_id, version=version)
        assert isinstance(certificate, Certificate)
        return certificate

    projection = IndexProjection(
        view,
        application_name=app.name,
        decode=app.mapper.to_domain_event,
        load=load,
        version_at=app.store.version_at,
        catalogue_at=app.catalogue.at_position,
        parties=app.parties.of,
        recatalogue_chunk=recatalogue_chunk,
    )
    return Index(app, view, projection, election, own)


@dataclass(frozen=True)
class IndexLag:
    """How far the index is behind the log: positions and seconds of recorded time."""

    position: int
    head: int
    positions: int
    seconds: float | None


def index_lag(index: Index) -> IndexLag:
    position = index.projection.position()
    store = index.app.store
    head = store.last_point()
    if head is None:
        return IndexLag(position, 0, 0, 0.0)
    if position >= head.position:
        return IndexLag(position, head.position, 0, 0.0)
    since = store.point_of(max(position, 1))  # its last event's time (or the log's first)
    assert since is not None
    return IndexLag(
        position,
        head.position,
        head.position - position,
        (head.recorded_at - since.recorded_at).total_seconds(),
    )
