"""AuditService.StreamEvents: parse the request, follow the feed, send what matches.

One call is one coroutine on the server's loop (no thread of its own). It reads
from the store a page at a time until the feed's window holds what comes next,
then serves itself from the window (registry/server/feed.py). Each message is an
event, or a heartbeat when nothing was sent for the feed's heartbeat interval
(5 s by default): the position considered so far, safe to resume from. While a
stream is open its caller's standing is checked again every 5 s (``_Standing``): a
revoked or expired token ends it UNAUTHENTICATED, and an AB's audit days follow its
accreditation as recorded since (a withdrawal stops the events after it).

Input: ``from_position`` must not be negative, nor beyond the last position
recorded (OUT_OF_RANGE: a position this registry never gave out, e.g. from
another registry or a restored backup, would otherwise skip events silently);
at most ``MAX_FEED_CBS`` CB ids, normalised like every identifier
(registry/application/inputs.py); event types must be known, not UNSPECIFIED.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import grpc

from registry.application import inputs
from registry.domain.principals import Principal
from registry.errors import InvalidInputError, OutOfRangeError
from registry.server import convert, log_events
from registry.server.access import (
    Days,
    Rights,
    bearer_token,
    current_principal,
    reading_body,
    reads,
)
from registry.server.errors import Refusal
from registry.server.feed import Behind, Entry, Feed, Subscription, read_page
from registry.v1 import audit_service_pb2 as apb
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import reference_events_pb2 as rpb

MAX_FEED_CBS = 100
EVENT_TYPES = frozenset(
    value.number for value in pb.CertificateEventType.DESCRIPTOR.values if value.number != 0
)
RESUME = "resume from the last position you received"


@dataclass(frozen=True)
class FeedRequest:
    """A StreamEvents request, checked: where to start and what to send."""

    from_position: int
    certification_body_ids: frozenset[str]
    types: frozenset[int]
    kinds: frozenset[int] = log_events.EVENT_KINDS
    # The days of each CB the caller may read (an AB: those it accredited it); None: all.
    days: Mapping[str, Days] | None = None
    # The AB reading, if one (its own accreditations' events it reads whatever their day).
    reader: str = ""

    def wants(self, entry: Entry) -> bool:
        if entry.kind not in self.kinds:
            return False
        if entry.kind == rpb.EVENT_KIND_CATALOGUE:
            return True  # about every CB's certificates
        if self.types and entry.kind == rpb.EVENT_KIND_CERTIFICATE and entry.type not in self.types:
            return False
        cb = entry.certification_body_id
        if self.certification_body_ids and cb not in self.certification_body_ids:
            return False
        return self.days is None or reads(
            self.days.get(cb, ()),
            entry.effective_date,
            written_by=entry.accreditation_body_id
            if entry.kind == rpb.EVENT_KIND_ACCREDITATION
            else "",
            reader=self.reader,
        )


def parse(request: apb.StreamEventsRequest) -> FeedRequest:
    if request.from_position < 0:
        raise InvalidInputError(f"from_position must not be negative, got {request.from_position}")
    cbs = request.certification_body_ids
    if len(cbs) > MAX_FEED_CBS:
        raise InvalidInputError(
            f"certification_body_ids holds at most {MAX_FEED_CBS} ids, got {len(cbs)}"
        )
    unknown = [value for value in request.types if value not in EVENT_TYPES]
    if unknown:
        raise InvalidInputError(
            f"types: {unknown[0]} is not a known CertificateEventType "
            f"(1 to {max(EVENT_TYPES)}; UNSPECIFIED is not a type)"
        )
    return FeedRequest(
        request.from_position,
        frozenset(inputs.identifier(cb, "certification_body_ids") for cb in cbs),
        frozenset(request.types),
        event_kinds(request.kinds, types=bool(request.types)),
    )


def event_kinds(
    requested: Iterable[int], *, types: bool, allowed: frozenset[int] = log_events.EVENT_KINDS
) -> frozenset[int]:
    """The kinds of event a request asks for: those named; none named, every kind
    ``allowed``, or only certificate events when certificate ``types`` are named."""
    kinds = frozenset(requested)
    unknown = sorted(kinds - allowed)
    if unknown:
        names = ", ".join(rpb.EventKind.Name(kind) for kind in sorted(allowed))
        raise InvalidInputError(f"kinds: {unknown[0]} is not one of {names}")
    if kinds:
        return kinds
    return frozenset({rpb.EVENT_KIND_CERTIFICATE}) if types else allowed


async def stream_events(
    feed: Feed, request: apb.StreamEventsRequest, context: grpc.aio.ServicerContext[Any, Any]
) -> None:
    """Send the feed to one caller until it goes away; ended by the feed with
    RESOURCE_EXHAUSTED (too far behind) or UNAVAILABLE (the server is stopping)."""
    wanted = parse(request)
    principal = current_principal()  # read here: the pool's threads do not carry it
    if wanted.certification_body_ids:
        days = await feed.run_in_pool(_days, feed, wanted.certification_body_ids, principal)
        if days is not None:
            wanted = replace(wanted, days=days, reader=reading_body())
    standing = _Standing(feed, principal, bearer_token(context.invocation_metadata()))
    subscription = await feed.subscribe(wanted.from_position)
    try:
        await _check_position(feed, wanted.from_position)
        await _Stream(feed, subscription, wanted, context, standing).run()
    except asyncio.CancelledError:
        if not subscription.ended:
            raise  # the caller went away, or the server stopped the call
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        if subscription.ended == "behind":
            raise _behind(subscription) from None
        raise Refusal(
            grpc.StatusCode.UNAVAILABLE, f"the server is shutting down: {RESUME}"
        ) from None
    finally:
        feed.unsubscribe(subscription)


class _Standing:
    """What an open stream's caller may still read: its token is checked again (revoked or
    expired: the stream ends UNAUTHENTICATED) and an AB's audit days read again (a
    withdrawal narrows them, a grant widens them, for the events sent from then on), every
    ``FeedSettings.standing_check`` seconds."""

    def __init__(self, feed: Feed, principal: Principal, token: str | None) -> None:
        self.feed = feed
        self.principal = principal
        self.token = token
        self.checked = asyncio.get_running_loop().time()

    async def check(self, wanted: FeedRequest) -> FeedRequest:
        """``wanted`` with the caller's days as they are now; raises UnauthenticatedError
        if its token no longer is valid. At most every ``standing_check`` seconds."""
        now = asyncio.get_running_loop().time()
        if now - self.checked < self.feed.settings.standing_check:
            return wanted
        self.checked = now
        if self.token is not None:
            await self.feed.run_in_pool(self.feed.app.credentials.authenticate, self.token)
        if wanted.days is None:
            return wanted
        cbs, principal = wanted.certification_body_ids, self.principal
        days = await self.feed.run_in_pool(_days, self.feed, cbs, principal)
        return replace(wanted, days=days if days is not None else wanted.days)


def _days(feed: Feed, cbs: frozenset[str], principal: Principal) -> dict[str, Days] | None:
    """The days of each CB ``principal`` may follow; None: every day of each."""
    rights = Rights(feed.app)
    spans = {cb: rights.audit_days(principal, cb) for cb in cbs}
    if all(days is None for days in spans.values()):
        return None
    return {cb: days or () for cb, days in spans.items()}


def _behind(subscription: Subscription) -> Refusal:
    return Refusal(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        f"this subscriber fell too far behind the log (at position {subscription.position}): "
        f"{RESUME}",
    )


async def _check_position(feed: Feed, position: int) -> None:
    if position <= feed.window.head:
        return
    last = await feed.run_in_pool(feed.app.store.last_point)
    end = last.position if last else 0
    if position > end:
        raise OutOfRangeError(
            f"from_position {position} is beyond the end of the log (position {end}): "
            "it was not given out by this registry"
        )


class _Stream:
    """One call's sending: catch up from the store, then follow the window."""

    def __init__(
        self,
        feed: Feed,
        subscription: Subscription,
        wanted: FeedRequest,
        context: grpc.aio.ServicerContext[Any, Any],
        standing: _Standing,
    ) -> None:
        self.feed = feed
        self.subscription = subscription
        self.wanted = wanted
        self.context = context
        self.standing = standing
        self.loop = asyncio.get_running_loop()
        self.interval = feed.settings.heartbeat
        self.last_sent = self.loop.time()

    async def run(self) -> None:
        while True:
            await self._catch_up()
            try:
                await self._follow()
            except Behind:
                # Passed by while not reading (woken too late): back to the store. One
                # passed by while its client was not reading is ended by the feed instead.
                self.subscription.live = False

    async def _catch_up(self) -> None:
        """Pages from the store until the window holds everything after the position."""
        subscription, feed = self.subscription, self.feed
        while subscription.position < feed.window.base:
            self.wanted = await self.standing.check(self.wanted)
            page = await feed.run_in_pool(
                read_page, feed.app, subscription.position, feed.settings.page_size
            )
            await self._send_all(page.entries)
            if page.last_position <= subscription.position:
                await asyncio.sleep(0.05)  # nothing after it yet: the window will have it
            subscription.position = max(subscription.position, page.last_position)
            if self._heartbeat_due() <= 0:
                await self._heartbeat()

    async def _follow(self) -> None:
        subscription, window = self.subscription, self.feed.window
        subscription.live = True
        while True:
            self.wanted = await self.standing.check(self.wanted)
            entries, head = window.since(subscription.position)
            await self._send_all(entries)
            if head > subscription.position:
                subscription.position = head
                subscription.recorded_at = window.time_at(head)
            due = self._heartbeat_due()
            if due <= 0:
                await self._heartbeat()
            elif not entries:
                await window.wait(due)

    async def _send_all(self, entries: list[Entry]) -> None:
        subscription = self.subscription
        for entry in entries:
            if entry.position <= subscription.position:
                continue
            if self.wanted.wants(entry):
                await self._write(entry.message)
            subscription.position, subscription.recorded_at = entry.position, entry.recorded_at

    def _heartbeat_due(self) -> float:
        return self.interval - (self.loop.time() - self.last_sent)

    async def _heartbeat(self) -> None:
        subscription = self.subscription
        recorded_at = subscription.recorded_at
        if recorded_at is None and subscription.position >= self.feed.window.base:
            recorded_at = self.feed.window.time_at(subscription.position)
        heartbeat = apb.Heartbeat(log_position=subscription.position)
        if recorded_at is not None and subscription.position > 0:
            heartbeat.recorded_at.CopyFrom(convert.to_timestamp(recorded_at))
        await self._write(apb.StreamEventsResponse(heartbeat=heartbeat))

    async def _write(self, message: bytes | apb.StreamEventsResponse) -> None:
        """Send one message; while it waits for the client to read, the feed may end the
        stream if the window passes its position."""
        self.subscription.writing = True
        try:
            await self.context.write(message)
        finally:
            self.subscription.writing = False
        self.last_sent = self.loop.time()
