"""Running a projection inside ``registry serve``: one runner per projection per database.

A runner is a thread that follows the global log with the engine's subscription
(registry/store/follow.py) from the projection's tracked position and applies
each batch in one transaction with its tracking row. Before it starts it must
win an election, so several server processes sharing a database never run a
projection twice: on PostgreSQL a session advisory lock held on a connection of
its own (released by the server when that process or connection dies); on
SQLite an exclusive ``flock`` on a file beside the database (released by the
kernel when the process dies). The others keep trying, and one takes over.

When the subscription or a batch fails (the database unreachable, the
listening connection dropped) the runner logs it once, waits, and starts again
from the tracked position; it logs once more when it is back.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import zlib
from pathlib import Path
from typing import Any, Protocol

import psycopg

from registry.projections.index import IndexProjection

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
BATCH_WAIT_SECONDS = 0.5


class Election(Protocol):
    def acquire(self) -> bool:
        """Try once to become the runner; True when this process is (or stays) it."""
        ...

    def held(self) -> bool:
        """Still the runner (checked between batches)."""
        ...

    def release(self) -> None: ...


class Unopposed:
    """No other process can share the database (memory)."""

    def acquire(self) -> bool:
        return True

    def held(self) -> bool:
        return True

    def release(self) -> None:
        pass


class FileLock:
    """An exclusive ``flock`` on ``path``: held while the file is open in this process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases the lock
            self._fd = None


class AdvisoryLock:
    """A PostgreSQL session advisory lock, on a connection kept for it."""

    def __init__(self, connect: dict[str, Any], name: str) -> None:
        self.connect = connect
        self.key = zlib.crc32(f"registry projection {name}".encode())
        self._connection: psycopg.Connection[Any] | None = None

    def acquire(self) -> bool:
        if self._connection is not None:
            return self.held()
        try:
            connection = psycopg.connect(**self.connect, autocommit=True, connect_timeout=5)
        except psycopg.Error:
            return False
        row = connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        if not row or not row[0]:
            connection.close()
            return False
        self._connection = connection
        return True

    def held(self) -> bool:
        if self._connection is None:
            return False
        try:
            self._connection.execute("SELECT 1")
        except psycopg.Error:
            self.release()
            return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()
            self._connection = None


def renew_if_older(app: Any, projection: IndexProjection) -> bool:
    """Empty the index if an earlier version of the projection built it (its rows are not
    this version's), to be built again from the log; True if it held anything. Only the
    holder of the projection's election may call it."""
    key = f"{projection.name}.version.{projection.version}"
    if app.store.get_meta(key) is not None:
        return False
    held = projection.position() > 0
    if held:
        log.warning(
            "projection %s: built by an earlier version; building it again from the log",
            projection.name,
        )
    projection.view.clear()
    projection.reset()
    app.store.set_meta(key, "current")
    return held


class ProjectionRunner:
    """Keeps one projection up to date in a thread, while it holds the election."""

    def __init__(self, app: Any, projection: IndexProjection, election: Election) -> None:
        self.app = app
        self.projection = projection
        self.election = election
        self._stopping = threading.Event()
        self._subscription: Any = None
        self._leading = False
        self._failing: str | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"projection-{projection.name}", daemon=True
        )

    def start(self) -> ProjectionRunner:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stopping.set()
        subscription = self._subscription
        if subscription is not None:
            subscription.stop()  # a batch being waited for is given up at once
        self._thread.join(timeout)
        self.election.release()

    def _run(self) -> None:
        while not self._stopping.is_set():
            if not self.election.acquire():
                self._leading = False
                self._stopping.wait(RETRY_SECONDS)
                continue
            if not self._leading:
                log.info("projection %s: running in this process", self.projection.name)
            self._leading = True
            try:
                self._follow()
            except Exception as error:
                self.projection.reset()
                if self._failing is None:
                    log.warning(
                        "projection %s stopped: %s; retrying from its position",
                        self.projection.name,
                        error,
                    )
                self._failing = str(error) or type(error).__name__
                self._stopping.wait(RETRY_SECONDS)

    def _follow(self) -> None:
        renew_if_older(self.app, self.projection)
        subscription = self.app.recorder.subscribe(gt=self.projection.position())
        self._subscription = subscription
        if self._stopping.is_set():
            subscription.stop()
        with subscription:
            while not self._stopping.is_set():
                batch = subscription.next_batch(BATCH_WAIT_SECONDS)
                if not self.election.held():
                    log.warning("projection %s: lost its election", self.projection.name)
                    self._leading = False
                    return
                if batch:
                    self.projection.process(batch)
                if self._failing is not None:
                    log.info("projection %s: running again", self.projection.name)
                    self._failing = None
