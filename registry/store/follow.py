"""Following the global log: the library's subscriptions, taken a batch at a time.

Every engine follows the log with the library's ``ListenNotifySubscription``: a
thread pulls new notifications (``select_notifications`` after the last one
seen, 500 at a time) whenever it is told the log has grown. What tells it
differs:

- PostgreSQL: the library's LISTEN/NOTIFY (each append notifies its channel);
- memory: the library's in-process listeners;
- SQLite, which has no notifications: ``PollingSubscription`` watches
  ``PRAGMA data_version`` on a connection of its own every millisecond (a
  counter SQLite bumps when another connection commits; reading it takes no
  lock and reads no table), and is also woken at once by appends made through
  the same recorder.

A consumer that applies many events per transaction (a projection catching up,
the feed's tail) takes what was pulled as one batch with ``next_batch``; the
notifications come in log order, none twice, none skipped.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Sequence
from queue import Empty
from typing import Any, Protocol

from eventsourcing.persistence import ListenNotifySubscription, Notification, ShutDown
from eventsourcing.popo import POPOSubscription
from eventsourcing.postgres import PostgresSubscription
from psycopg.sql import SQL, Identifier

POLL_INTERVAL = 0.001


class BatchSubscription(Protocol):
    """A subscription to the log whose notifications can be taken a batch at a time."""

    def next_batch(self, timeout: float) -> Sequence[Notification]:
        """The next notifications pulled (log order), or none after ``timeout`` seconds;
        raises the pulling thread's error once it has stopped on one."""
        ...

    def stop(self) -> None: ...

    def __enter__(self) -> Any: ...

    def __exit__(self, *args: object) -> None: ...


class _Batches:
    """``next_batch`` over the library's pull queue (one list per ``select_notifications``)."""

    _notifications: Sequence[Notification]
    _notifications_index: int
    _notifications_queue: Any
    _has_been_stopped: bool
    _thread_error: BaseException | None

    def next_batch(self, timeout: float) -> Sequence[Notification]:
        if self._notifications_index < len(self._notifications):
            # What ``__next__`` left of the list it was taking from.
            rest = self._notifications[self._notifications_index :]
            self._notifications_index = len(self._notifications)
            return rest
        batch: Sequence[Notification] = ()
        if not self._has_been_stopped:
            try:
                batch = self._notifications_queue.get(timeout=timeout)
            except (Empty, ShutDown):
                batch = ()
            else:
                self._notifications_queue.task_done()
        if self._has_been_stopped and self._thread_error is not None:
            raise self._thread_error
        return batch


class PostgresBatchSubscription(_Batches, PostgresSubscription):
    """The library's LISTEN/NOTIFY subscription; it stops (with the error) when its
    listening connection drops: the consumer restarts it from its own position.

    The library starts pulling and listening at once, in two threads: an append
    committed after the first pull but before LISTEN took effect would wait for the
    next one. So it pulls once more when LISTEN is in place, and once a second in
    case a notification is lost.
    """

    def _listen(self) -> None:
        try:
            with self._recorder.datastore.get_connection() as connection:
                channel = Identifier(self._recorder.channel_name)
                connection.execute(SQL("LISTEN {0}").format(channel))
                self._has_been_notified.set()
                quiet = 0
                while not self._has_been_stopped and not self._thread_error:
                    notified = False
                    for _ in connection.notifies(timeout=0.1, stop_after=1):
                        notified = True
                    quiet = 0 if notified else quiet + 1
                    if notified or quiet >= 10:
                        quiet = 0
                        self._has_been_notified.set()
        except BaseException as error:
            if self._thread_error is None:
                self._thread_error = error
            self.stop()


class MemoryBatchSubscription(_Batches, POPOSubscription):
    """The library's in-process subscription. The library starts pulling before it
    listens: an append in between would wait for the next one, so it pulls once more
    when it listens."""

    def __init__(self, recorder: Any, gt: int | None = None, topics: Sequence[str] = ()) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._has_been_notified.set()


class PollingSubscription(_Batches, ListenNotifySubscription[Any]):
    """A subscription to an SQLite log: woken by local appends and by a poll of the
    file's ``data_version`` every ``POLL_INTERVAL`` seconds."""

    def __init__(self, recorder: Any, gt: int | None = None, topics: Sequence[str] = ()) -> None:
        self._local = threading.Event()
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        recorder.listen(self._has_been_notified)
        self._poll_thread = threading.Thread(target=self._poll, name="sqlite-log-poll", daemon=True)
        self._poll_thread.start()

    def stop(self) -> None:
        super().stop()
        self._recorder.unlisten(self._has_been_notified)

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._poll_thread.join()

    def _poll(self) -> None:
        try:
            connection = sqlite3.connect(
                self._recorder.datastore.pool.db_name,
                uri=self._recorder.datastore.pool.db_name.startswith("file:"),
                check_same_thread=False,
            )
        except sqlite3.Error as error:
            self._fail(error)
            return
        with contextlib.closing(connection):
            seen = None
            stopped = threading.Event()
            while not self._has_been_stopped:
                try:
                    version = connection.execute("PRAGMA data_version").fetchone()[0]
                except sqlite3.Error as error:
                    self._fail(error)
                    return
                if version != seen:
                    seen = version
                    self._has_been_notified.set()
                stopped.wait(POLL_INTERVAL)

    def _fail(self, error: BaseException) -> None:
        if self._thread_error is None:
            self._thread_error = error
        self.stop()
