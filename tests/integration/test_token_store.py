"""The tokens table on each recorder: rows kept as given, revocation once, bootstrap once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from registry.store.memory import MemoryOrderedRecorder
from registry.store.postgres import PostgresOrderedRecorder
from registry.store.sqlite import SQLiteOrderedRecorder
from registry.store.tokens import BOOTSTRAP_KEY, TokenRow, TokenStore

T0 = datetime(2030, 6, 1, 9, 0, 0, 123456, tzinfo=UTC)

Recorders = Callable[[], Any]
"""Another recorder on the same store (a recorder of another process)."""


def row(n: int = 0, **changes: Any) -> TokenRow:
    fields: dict[str, Any] = {
        "token_id": f"{n:016x}",
        "secret_hash": f"{n:064x}",
        "principal": "cb:CB-1",
        "created_at": T0 + timedelta(seconds=n),
        "expires_at": None,
        "revoked_at": None,
        "note": "",
    }
    fields.update(changes)
    return TokenRow(**fields)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def recorders(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Recorders]:
    """Make recorders on one fresh store, each with its own connections (in memory: one)."""
    made: list[Any] = []
    if request.param == "memory":
        shared = MemoryOrderedRecorder()

        def make() -> Any:
            return shared

    elif request.param == "sqlite":

        def make() -> Any:
            recorder = SQLiteOrderedRecorder(
                SQLiteDatastore(str(tmp_path / "tokens.db"), lock_timeout=15)
            )
            recorder.create_table()
            made.append(recorder)
            return recorder

    else:
        dsn = request.getfixturevalue("postgres_dsn")
        url = urlsplit(dsn)
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {schema}")

        def make() -> Any:
            datastore = PostgresDatastore(
                url.path.lstrip("/"),
                url.hostname or "",
                str(url.port or 5432),
                url.username or "",
                url.password or "",
                schema=schema,
                pool_size=2,
            )
            recorder = PostgresOrderedRecorder(datastore)
            recorder.create_table()
            made.append(recorder)
            return recorder

    yield make
    for recorder in made:
        recorder.datastore.close()


@pytest.fixture
def store(recorders: Recorders) -> TokenStore:
    recorder: TokenStore = recorders()
    return recorder


def test_a_token_reads_back_as_it_was_inserted(store: TokenStore) -> None:
    inserted = row(1, expires_at=T0 + timedelta(days=30), note="ops laptop é")
    store.insert_token(inserted)
    assert store.select_token(inserted.token_id) == inserted
    assert store.select_token(row(2).token_id) is None


def test_a_token_id_is_inserted_once(store: TokenStore) -> None:
    store.insert_token(row(1))
    with pytest.raises(IntegrityError):
        store.insert_token(row(1, secret_hash="f" * 64))
    assert store.select_token(row(1).token_id) == row(1)


def test_revoking_sets_the_time_once(store: TokenStore) -> None:
    store.insert_token(row(1))
    store.insert_token(row(2))
    assert store.revoke_token(row(1).token_id, T0 + timedelta(hours=1))
    assert store.revoke_token(row(1).token_id, T0 + timedelta(hours=2))
    assert store.select_token(row(1).token_id) == row(1, revoked_at=T0 + timedelta(hours=1))
    assert store.select_token(row(2).token_id) == row(2)


def test_revoking_an_unknown_token_changes_nothing(store: TokenStore) -> None:
    assert not store.revoke_token(row(9).token_id, T0)
    assert store.select_tokens() == []


def test_tokens_are_selected_in_order_of_creation(store: TokenStore) -> None:
    rows = [row(n, created_at=T0 - timedelta(minutes=n)) for n in range(5)]
    for inserted in rows:
        store.insert_token(inserted)
    assert store.select_tokens() == rows[::-1]


def test_only_the_first_bootstrap_inserts_its_token(store: TokenStore) -> None:
    assert store.bootstrap_token(row(1, principal="admin"))
    assert not store.bootstrap_token(row(2, principal="admin"))
    assert store.select_tokens() == [row(1, principal="admin")]


def test_a_bootstrap_tried_again_finds_its_own_token(store: TokenStore) -> None:
    """What a retry after a commit whose answer was lost sees."""
    assert store.bootstrap_token(row(1, principal="admin"))
    assert store.bootstrap_token(row(1, principal="admin"))
    assert len(store.select_tokens()) == 1


def test_the_bootstrap_is_recorded_beside_the_schema_version(recorders: Recorders) -> None:
    recorder = recorders()
    recorder.bootstrap_token(row(1, principal="admin"))
    assert recorder.get_meta(BOOTSTRAP_KEY) == row(1).token_id


def test_of_recorders_racing_to_bootstrap_one_store_one_inserts(recorders: Recorders) -> None:
    stores: list[TokenStore] = [recorders() for _ in range(8)]
    start = threading.Barrier(len(stores))
    won: list[bool] = [False] * len(stores)
    errors: list[BaseException] = []

    def bootstrap(n: int) -> None:
        try:
            start.wait()
            won[n] = stores[n].bootstrap_token(row(n, principal="admin"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=bootstrap, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert won.count(True) == 1
    assert stores[0].select_tokens() == [row(won.index(True), principal="admin")]
