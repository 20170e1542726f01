"""The live feed of the global log: one tail per server process, shared by every stream.

A *tail* thread follows the log with one subscription (registry/store/follow.py)
from the head at the time the first subscriber came. It decodes each batch once
(its events as views, then as serialized ``StreamEventsResponse`` messages, with
their CB and type for filtering) and hands it to the event loop, which appends
it to a *window* of recent events and wakes the subscribers waiting there.

The window is bounded (events and bytes): it holds every event in the
positions ``(base, head]``; older ones are dropped. A subscriber further back
than ``base`` catches up from the store a page at a time (in the feed's own
threads, never on the loop), then serves itself from the window. So what a
subscriber receives is the log in order, none twice, none skipped, whichever
way it came.

A subscriber that stops reading blocks only its own stream (its writes wait for
the client's flow-control window). When the window moves past a *live*
subscriber's position while it is blocked so, the feed ends it with
RESOURCE_EXHAUSTED: it resumes from its last position, through the store. Writers
and the other subscribers never wait for it. (One passed by while merely waiting
for its turn on the loop goes back to reading the store.)

Positions given out as "considered" (the end of a page, the window's head) are
safe to resume from: appends commit in position order on every engine
(registry/store/log.py), so once a position is read, no smaller one can appear.

If the tail's subscription stops on an error (the store unreachable, PostgreSQL's
listening connection dropped), it is logged once and the tail starts again from
its last position; subscribers get heartbeats meanwhile. The tail stops when no
one has been subscribed for ``linger`` seconds.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar, cast

from eventsourcing.persistence import Notification

from registry.application.registry import Registry
from registry.application.views import EventView
from registry.errors import UnavailableError
from registry.server import log_events
from registry.server.errors import one_line
from registry.store.follow import BatchSubscription
from registry.store.log import LogPoint

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_HEARTBEAT = 5.0
DEFAULT_WINDOW_EVENTS = 20_000
DEFAULT_WINDOW_BYTES = 64 * 1024 * 1024
DEFAULT_LINGER = 60.0
PAGE_SIZE = 200
BATCH_TIMEOUT = 0.5
RESTART_BACKOFF = (0.1, 0.5, 1.0, 2.0)


@dataclass(frozen=True)
class FeedSettings:
    """How the feed runs: its heartbeat interval, its window's bounds, its idle time."""

    heartbeat: float = DEFAULT_HEARTBEAT
    window_events: int = DEFAULT_WINDOW_EVENTS
    window_bytes: int = DEFAULT_WINDOW_BYTES
    linger: float = DEFAULT_LINGER
    page_size: int = PAGE_SIZE
    threads: int = 2
    standing_check: float = 5.0  # seconds between checks of an open stream's token and days


@dataclass(frozen=True, slots=True)
class Entry:
    """One event of the log as the feed sends it, with what filters look at."""

    position: int
    recorded_at: datetime
    kind: int  # its EventKind
    certification_body_id: str  # the CB it is about; "" if none
    accreditation_body_id: str  # the AB it is about; "" if none
    type: int  # a certificate event's CertificateEventType; 0 for other kinds
    effective_date: date
    message: bytes  # a serialized StreamEventsResponse holding the event


@dataclass(frozen=True)
class Page:
    """Events read from the store after a position, and the last position read."""

    entries: list[Entry]
    last_position: int


def entries_of(app: Registry, notifications: Sequence[Notification]) -> list[Entry]:
    """The notifications' events, each encoded once."""
    entries = []
    for view in app.log_views(notifications):
        response = log_events.to_stream_response(view)
        if isinstance(view, EventView):
            cb = view.certificate.certification_body_id if view.certificate else ""
            ab, type_ = "", int(response.event.type)
        else:
            cb, ab, type_ = view.certification_body_id, view.accreditation_body_id, 0
        entries.append(
            Entry(
                view.global_position,
                view.recorded_at,
                log_events.kind_of(view),
                cb,
                ab,
                type_,
                view.effective_date,
                response.SerializeToString(),
            )
        )
    return entries


def read_page(app: Registry, after: int, limit: int) -> Page:
    """At most ``limit`` positions of the log after ``after``, encoded (worker thread)."""
    try:
        notifications = app.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
    except Exception as error:
        raise UnavailableError(f"the event store is unavailable: {error}") from None
    last = notifications[-1].id if notifications else after
    return Page(entries_of(app, notifications), last)


class Behind(Exception):
    """The window no longer holds the events after a subscriber's position."""


class Window:
    """The recent events, loop-owned: complete for positions ``(base, head]``."""

    def __init__(self, base: LogPoint | None, max_events: int, max_bytes: int) -> None:
        self.base = base.position if base else 0
        self.base_time = base.recorded_at if base else None
        self.head = self.base
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._entries: list[Entry] = []
        self._positions: list[int] = []
        self._start = 0  # entries before it are dropped (compacted now and then)
        self._bytes = 0
        self._changed: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._entries) - self._start

    def since(self, position: int) -> tuple[list[Entry], int]:
        """The events after ``position``, and the head they reach; Behind if the window
        has dropped some of them."""
        if position < self.base:
            raise Behind(position)
        index = bisect.bisect_right(self._positions, position, lo=self._start)
        return self._entries[index:], self.head

    def time_at(self, position: int) -> datetime | None:
        """The recorded time of the last event at or before ``position`` (>= base)."""
        index = bisect.bisect_right(self._positions, position, lo=self._start)
        return self._entries[index - 1].recorded_at if index > self._start else self.base_time

    def append(self, entries: Sequence[Entry], head: int) -> None:
        """Add a batch up to position ``head``; drop the oldest events beyond the bounds
        (always keeping the newest), and wake whoever waits."""
        for entry in entries:
            self._entries.append(entry)
            self._positions.append(entry.position)
            self._bytes += len(entry.message)
        self.head = max(self.head, head)
        while len(self) > 1 and (len(self) > self.max_events or self._bytes > self.max_bytes):
            dropped = self._entries[self._start]
            self._start += 1
            self._bytes -= len(dropped.message)
            self.base, self.base_time = dropped.position, dropped.recorded_at
        if self._start > 1024 and self._start * 2 > len(self._entries):
            del self._entries[: self._start]
            del self._positions[: self._start]
            self._start = 0
        if self._changed is not None:
            self._changed.set_result(None)
            self._changed = None

    async def wait(self, timeout: float) -> None:
        """Until the next batch is appended, or ``timeout`` seconds."""
        if self._changed is None:
            self._changed = asyncio.get_running_loop().create_future()
        await asyncio.wait([self._changed], timeout=max(timeout, 0.0))


@dataclass(eq=False)
class Subscription:
    """One stream's standing: what it has considered, and whether the feed ended it."""

    task: asyncio.Task[object] | None
    position: int
    live: bool = False  # serving itself from the window
    writing: bool = False  # waiting for its client to take a message
    ended: str = ""  # why the feed ended it: "behind" or "closing"
    recorded_at: datetime | None = None

    def end(self, why: str) -> None:
        if not self.ended:
            self.ended = why
            if self.task is not None:
                self.task.cancel()


class Tail:
    """The thread following the log; hands each decoded batch to the loop."""

    def __init__(self, app: Registry, feed: Feed, start: int) -> None:
        self.app = app
        self.feed = feed
        self.position = start
        self._stopped = threading.Event()
        self._subscription: BatchSubscription | None = None
        self._thread = threading.Thread(target=self._run, name="feed-tail", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        subscription = self._subscription
        if subscription is not None:
            subscription.stop()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            try:
                subscribe = self.app.recorder.subscribe
                with cast(BatchSubscription, subscribe(gt=self.position)) as subscription:
                    self._subscription = subscription
                    if self._stopped.is_set():
                        break
                    while not self._stopped.is_set():
                        batch = subscription.next_batch(BATCH_TIMEOUT)
                        if not batch:
                            continue
                        entries = entries_of(self.app, batch)
                        if not self.feed.publish(self, entries, batch[-1].id):
                            return
                        self.position = batch[-1].id
                        if failures:
                            log.warning("feed: following the log again from %d", self.position)
                            failures = 0
            except Exception as error:
                if self._stopped.is_set():
                    break
                if not failures:
                    log.error(
                        "feed: following the log stopped at %d (%s); restarting",
                        self.position,
                        one_line(str(error)),
                    )
                self._stopped.wait(RESTART_BACKOFF[min(failures, len(RESTART_BACKOFF) - 1)])
                failures += 1
            finally:
                self._subscription = None


class Feed:
    """The server's feed: its tail, its window and its subscriptions (loop-owned)."""

    def __init__(self, app: Registry, settings: FeedSettings | None = None) -> None:
        self.app = app
        self.settings = settings or FeedSettings()
        self.executor = ThreadPoolExecutor(
            max_workers=self.settings.threads, thread_name_prefix="feed"
        )
        self.window = Window(None, self.settings.window_events, self.settings.window_bytes)
        self.subscriptions: set[Subscription] = set()
        self._tail: Tail | None = None
        self._starting: asyncio.Future[None] | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.ended_behind = 0  # subscriptions ended for falling behind (for tests, metrics)

    async def run_in_pool(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in the feed's threads (store reads never run on the loop)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    async def subscribe(self, position: int) -> Subscription:
        """A subscription from ``position``; the tail is started if it is not running."""
        if self._closed:
            raise UnavailableError("the server is shutting down")
        subscription = Subscription(asyncio.current_task(), position)
        self.subscriptions.add(subscription)
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        try:
            await self._started()
        except BaseException:
            self.unsubscribe(subscription)
            raise
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)
        if not self.subscriptions and self._tail is not None and not self._closed:
            loop = asyncio.get_running_loop()
            self._idle = loop.call_later(self.settings.linger, self._stop_tail)

    async def _started(self) -> None:
        if self._tail is not None:
            return
        if self._starting is None:
            self._starting = asyncio.get_running_loop().create_future()
            try:
                head: LogPoint | None = await self.run_in_pool(self.app.store.last_point)
            except BaseException as error:
                self._starting.set_exception(error)
                self._starting.exception()  # retrieved: the caller raises it
                self._starting = None
                raise
            self._loop = asyncio.get_running_loop()
            self.window = Window(head, self.settings.window_events, self.settings.window_bytes)
            self._tail = Tail(self.app, self, self.window.head)
            self._tail.start()
            self._starting.set_result(None)
            self._starting = None
            return
        await asyncio.shield(self._starting)

    def publish(self, tail: Tail, entries: list[Entry], head: int) -> bool:
        """From the tail's thread: append the batch on the loop. False once the loop is gone."""
        loop = self._loop
        if loop is None:
            return False
        try:
            loop.call_soon_threadsafe(self._append, tail, entries, head)
        except RuntimeError:  # the loop is closed
            return False
        return True

    def _append(self, tail: Tail, entries: list[Entry], head: int) -> None:
        if tail is not self._tail:
            return  # a stopped tail's last batch
        self.window.append(entries, head)
        base = self.window.base
        for subscription in self.subscriptions:
            if subscription.live and subscription.writing and subscription.position < base:
                self.ended_behind += 1
                subscription.end("behind")

    def _stop_tail(self) -> None:
        self._idle = None
        tail, self._tail = self._tail, None
        if tail is not None:
            tail.stop()

    async def close(self) -> None:
        """End every subscription (they resume elsewhere) and stop the tail."""
        self._closed = True
        for subscription in list(self.subscriptions):
            subscription.end("closing")
        if self._idle is not None:
            self._idle.cancel()
        tail, self._tail = self._tail, None
        if tail is not None:
            tail.stop()
            await asyncio.to_thread(tail.join, 5.0)
        await asyncio.to_thread(self.executor.shutdown, wait=True)
