"""StreamEvents over the wire: a real server on a loopback port, real clients, real stores.

What a client receives, across any number of disconnections, is the log itself:
every position in order, none twice, none missing. Waiting here is for things
to happen (an event to arrive), never a measurement.
"""

from __future__ import annotations

import asyncio
import random
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import psycopg
import pytest
from authority import Authority
from conftest import issue_default, make_db_url
from feed_reader import PATIENCE, Reader, read
from pg_instance import schema_dsn
from stalled import StalledCall

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient, feed_position
from registry.domain.principals import ADMIN
from registry.server.app import BackgroundServer
from registry.server.feed import FeedSettings
from registry.v1 import audit_service_pb2 as apb
from registry.v1 import audit_service_pb2_grpc as apb_grpc
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import reference_events_pb2 as rpb

STREAM_EVENTS = "/registry.v1.AuditService/StreamEvents"
QUICK_HEARTBEAT = 0.2


@dataclass
class Feedable:
    """A registry server with a short heartbeat and a client of it."""

    app: Registry
    server: BackgroundServer
    client: RegistryClient
    authority: Authority

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    def log_positions(self) -> list[int]:
        """Every position of the log (events of every kind), read straight from the store."""
        notifications = self.app.recorder.select_notifications(start=1, limit=1_000_000)
        return [view.global_position for view in self.app.log_views(notifications)]

    def certificate_positions(self) -> list[int]:
        """The positions of the log's certificate events, read straight from the store."""
        positions: list[int] = []
        after = 0
        while True:
            page = self.app.read_log(after, 500)
            positions += [view.global_position for view in page.events]
            if page.last_position == after:
                return positions
            after = page.last_position

    def head(self) -> int:
        last = self.app.store.last_point()
        return last.position if last else 0


def start(db_url: str, *, prepare: bool = True, **settings: Any) -> Feedable:
    app = Registry(config.persistence_env(db_url))
    feed = FeedSettings(**{"heartbeat": QUICK_HEARTBEAT, **settings})
    server = BackgroundServer(app, feed_settings=feed).start()
    authority = Authority(f"127.0.0.1:{server.port}", app.credentials.create(ADMIN).token)
    if prepare:
        authority.prepare()
    client = authority.client(timeout=30, retries=4)
    return Feedable(app, server, client, authority)


def stop(running: Feedable) -> None:
    running.client.close()
    running.authority.close()
    running.server.stop()
    running.app.close()


@pytest.fixture
def feedable(db_url: str) -> Iterator[Feedable]:
    running = start(db_url)
    yield running
    stop(running)


@pytest.fixture
def durable(durable_db_url: str) -> Iterator[Feedable]:
    running = start(durable_db_url)
    yield running
    stop(running)


def numbers(reader: Reader) -> list[str]:
    return [event.certificate.certificate_number for event in reader.events()]


def issue_many(client: RegistryClient, prefix: str, count: int, cb: str = "cb-1") -> None:
    for n in range(count):
        issue_default(client, f"{prefix}-{n}", cb=cb)


def suspend(client: RegistryClient, number: str, cb: str = "cb-1") -> None:
    client.suspend_certificate(cb, number, reason="major nonconformity")


# Catching up and following


def test_a_stream_sends_the_log_from_the_start_then_what_is_recorded_next(feedable):
    issue_many(feedable.client, "Q", 3)
    reader = read(feedable.client)
    reader.wait_for(lambda r: len(r.events()) == 3)
    issue_many(feedable.client, "R", 2)
    reader.wait_for(lambda r: len(r.events()) == 5)
    reader.stop()
    assert reader.positions() == feedable.log_positions()
    # The log begins with the catalogue, then the directory entries the certificates
    # needed, each typed.
    kinds = [r.WhichOneof("item") for r in reader.received if not r.HasField("heartbeat")]
    assert kinds[0] == "catalogue_event"
    assert reader.received[0].catalogue_event.type == rpb.CATALOGUE_EVENT_TYPE_SEEDED
    assert "directory_event" in kinds[: kinds.index("event")]
    first = reader.events()[0]
    assert first.type == pb.CERTIFICATE_EVENT_TYPE_ISSUED
    assert (first.certificate.certification_body_id, first.certificate.certificate_number) == (
        "cb-1",
        "Q-0",
    )


def test_a_stream_from_a_position_sends_only_what_comes_after_it(feedable):
    issue_many(feedable.client, "Q", 4)
    positions = feedable.certificate_positions()
    reader = read(feedable.client, positions[1])
    reader.wait_for(lambda r: len(r.positions()) == 2)
    reader.stop()
    assert reader.positions() == positions[2:]


def _writers(client: RegistryClient, threads: int, each: int) -> list[threading.Thread]:
    def write(n: int) -> None:
        for k in range(each):
            issue_default(client, f"W{n}-{k}")
            if k % 3 == 0:
                suspend(client, f"W{n}-{k}")

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    return workers


def test_reconnecting_from_the_last_position_received_gives_the_log_without_gap_or_duplicate(
    durable,
):
    """Writers run while a client keeps dropping its stream after a few messages (events
    or heartbeats) and reconnecting from the last position it received."""
    issue_many(durable.client, "Before", 5)
    rng = random.Random(7)
    writers = _writers(durable.client, threads=4, each=15)
    steady = read(durable.client)
    received: list[int] = []
    position = 0
    while True:
        done = not any(writer.is_alive() for writer in writers)
        call = durable.client.stream_events(position)
        for n, response in enumerate(call):
            position = feed_position(response)
            if not response.HasField("heartbeat"):
                received.append(position)
            elif done and position >= durable.head():
                break
            if n >= rng.randint(0, 12):
                break
        call.cancel()
        if done and position >= durable.head():
            break
    for writer in writers:
        writer.join()
    log = durable.log_positions()
    assert len(durable.certificate_positions()) == 5 + 4 * 15 + 4 * 5
    assert received == log
    steady.wait_for(lambda r: r.positions()[-1:] == log[-1:])
    steady.stop()
    assert steady.positions() == log


def test_the_client_follows_the_log_across_server_ends(durable):
    issue_many(durable.client, "Q", 3)
    events = durable.client.follow(0)
    first = [feed_position(next(events)) for _ in range(len(durable.log_positions()))]
    assert first == durable.log_positions()


# Filters


def test_a_stream_filtered_by_cb_and_type_sends_only_those_events(feedable):
    client = feedable.client
    issue_many(client, "A", 3, cb="cb-1")
    issue_many(client, "B", 3, cb="cb-2")
    suspend(client, "A-1", cb="cb-1")
    suspend(client, "B-2", cb="cb-2")
    by_cb = read(client, certification_body_ids=["cb-2"])
    by_type = read(client, types=[pb.CERTIFICATE_EVENT_TYPE_SUSPENDED])
    both = read(
        client, certification_body_ids=["cb-1"], types=[pb.CERTIFICATE_EVENT_TYPE_SUSPENDED]
    )
    client.suspend_certificate("cb-1", "A-2", reason="late")
    head = feedable.head()
    for reader in (by_cb, by_type, both):
        reader.wait_for(lambda r: r.heartbeats() and r.heartbeats()[-1].log_position == head)
        reader.stop()
    assert [e.certificate.certificate_number for e in by_cb.events()] == [
        "B-0",
        "B-1",
        "B-2",
        "B-2",
    ]
    assert [e.certificate.certificate_number for e in by_type.events()] == ["A-1", "B-2", "A-2"]
    assert [e.certificate.certificate_number for e in both.events()] == ["A-1", "A-2"]


def test_a_cb_filter_matches_every_spelling_of_the_id(feedable):
    cb = unicodedata.normalize("NFC", "zertifizierung-ü")
    issue_default(feedable.client, "Q-1", cb=cb)
    reader = read(feedable.client, certification_body_ids=[unicodedata.normalize("NFD", cb)])
    reader.wait_for(lambda r: len(r.events()) == 1)
    reader.stop()
    assert reader.events()[0].certificate.certification_body_id == cb
    registered = [r.directory_event for r in reader.received if r.HasField("directory_event")]
    assert [(e.body_id, e.type) for e in registered][:1] == [
        (cb, rpb.DIRECTORY_EVENT_TYPE_REGISTERED)
    ]


# Heartbeats


def test_a_quiet_stream_gets_heartbeats_with_the_position_reached(feedable):
    issue_many(feedable.client, "Q", 2)
    reader = read(feedable.client, certification_body_ids=["cb-elsewhere"])
    reader.wait_for(lambda r: len(r.heartbeats()) >= 2)
    reader.stop()
    assert not reader.events()
    last = feedable.app.store.last_point()
    assert last is not None
    heartbeat = reader.heartbeats()[-1]
    assert heartbeat.log_position == last.position
    assert heartbeat.recorded_at.ToDatetime().replace(tzinfo=last.recorded_at.tzinfo) == (
        last.recorded_at
    )


def test_a_heartbeat_on_a_log_without_certificate_events_is_at_its_head(db_url):
    fresh = start(db_url, prepare=False)  # the log holds the catalogue a registry starts with
    try:
        reader = read(fresh.client)
        reader.wait_for(lambda r: bool(r.heartbeats()))
        reader.stop()
        head = fresh.app.store.last_point()
    finally:
        stop(fresh)
    assert head is not None and not reader.events()
    heartbeat = reader.heartbeats()[0]
    assert heartbeat.log_position == head.position
    assert heartbeat.recorded_at.ToDatetime(tzinfo=head.recorded_at.tzinfo) == head.recorded_at


def test_resuming_from_a_heartbeat_position_loses_nothing(durable):
    client = durable.client
    issue_many(client, "A", 2, cb="cb-1")
    filtered = read(client, certification_body_ids=["cb-2"])
    issue_many(client, "B", 2, cb="cb-1")
    head = durable.head()
    filtered.wait_for(lambda r: any(h.log_position == head for h in r.heartbeats()))
    filtered.stop()
    resume_at = filtered.heartbeats()[-1].log_position
    issue_many(client, "C", 2, cb="cb-2")
    resumed = read(client, resume_at)
    resumed.wait_for(lambda r: len(r.positions()) == 2)
    resumed.stop()
    assert resumed.positions() == [p for p in durable.log_positions() if p > resume_at]
    assert [e.certificate.certificate_number for e in resumed.events()] == ["C-0", "C-1"]


# Slow subscribers


def test_a_stalled_subscriber_is_ended_while_writers_and_other_subscribers_carry_on(
    durable_db_url: str,
):
    running = start(durable_db_url, window_events=40)
    try:
        client = running.client
        issue_default(client, "Q-0")
        # Room for a few events, then the stalled client reads nothing more.
        stalled = StalledCall.open(
            running.server.port,
            STREAM_EVENTS,
            apb.StreamEventsRequest(),
            window=4096,
            token=running.authority.admin_token,
        )
        steady = read(client)
        steady.wait_for(lambda r: len(r.events()) == 1)
        written = 0
        while running.server.feed.ended_behind == 0:
            issue_default(client, f"W-{written}")
            written += 1
            assert written < 2000, "the stalled subscriber was never ended"
        more = 50
        issue_many(client, "After", more)
        log = running.log_positions()
        assert len(running.certificate_positions()) == 1 + written + more
        steady.wait_for(lambda r: r.positions()[-1:] == log[-1:])
        steady.stop()
        assert steady.positions() == log
        trailers = stalled.resume()
        assert trailers["grpc-status"] == str(grpc.StatusCode.RESOURCE_EXHAUSTED.value[0])
        assert "resume from the last position" in trailers["grpc-message"].replace("%20", " ")
    finally:
        stop(running)


# Many subscribers


def test_a_thousand_subscribers_on_one_server_all_receive_a_new_event(tmp_path: Path, request):
    running = start(make_db_url("sqlite", tmp_path, request), heartbeat=60.0)
    try:
        issue_default(running.client, "Q-0")
        head = running.head()
        arrived = asyncio.run(
            _thousand_streams(running.target, head, running.client, running.authority.admin_token)
        )
        assert arrived == [[head, head + 1]] * 1000
    finally:
        stop(running)


async def _thousand_streams(
    target: str, head: int, client: RegistryClient, token: str
) -> list[list[int]]:
    channels = [grpc.aio.insecure_channel(target) for _ in range(4)]
    subscribed = asyncio.Semaphore(0)

    async def follow(n: int) -> list[int]:
        stub = apb_grpc.AuditServiceStub(channels[n % len(channels)])
        call = stub.StreamEvents(
            apb.StreamEventsRequest(from_position=head - 1),
            metadata=[("authorization", f"Bearer {token}")],
        )
        positions: list[int] = []
        async for response in call:
            if response.HasField("event"):
                positions.append(response.event.global_position)
                if len(positions) == 1:
                    subscribed.release()
                if len(positions) == 2:
                    call.cancel()
                    return positions
        return positions

    try:
        tasks = [asyncio.create_task(follow(n)) for n in range(1000)]
        for _ in tasks:
            await asyncio.wait_for(subscribed.acquire(), PATIENCE)
        await asyncio.to_thread(issue_default, client, "Q-1")
        return list(await asyncio.wait_for(asyncio.gather(*tasks), PATIENCE))
    finally:
        for channel in channels:
            await channel.close()


# Bad input


@pytest.mark.parametrize(
    ("request_fields", "field_named"),
    [
        ({"from_position": -1}, "from_position"),
        ({"certification_body_ids": ["cb"] * 101}, "certification_body_ids"),
        ({"certification_body_ids": [""]}, "certification_body_ids"),
        ({"certification_body_ids": ["cb\x00x"]}, "certification_body_ids"),
        ({"types": [0]}, "types"),
        ({"types": [99]}, "types"),
    ],
)
def test_a_bad_request_is_refused_with_invalid_argument_naming_the_field(
    feedable, request_fields, field_named
):
    with pytest.raises(grpc.RpcError) as refused:
        list(feedable.client.audit.StreamEvents(apb.StreamEventsRequest(**request_fields)))
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_named in refused.value.details()


def test_a_malformed_request_is_refused_with_invalid_argument(feedable):
    call = feedable.client.channel.unary_stream(STREAM_EVENTS)
    with pytest.raises(grpc.RpcError) as refused:
        list(call(b"\xff\xff\xff"))
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_a_position_beyond_the_end_of_the_log_is_out_of_range(feedable):
    issue_many(feedable.client, "Q", 2)
    head = feedable.head()
    with pytest.raises(grpc.RpcError) as refused:
        list(feedable.client.stream_events(head + 1))
    assert refused.value.code() is grpc.StatusCode.OUT_OF_RANGE
    assert f"position {head}" in refused.value.details()


# The server stopping


def test_a_stopping_server_ends_its_streams_as_unavailable(durable_db_url: str):
    running = start(durable_db_url)
    issue_default(running.client, "Q-0")
    reader = read(running.client)
    reader.wait_for(lambda r: len(r.events()) == 1)
    running.server.stop(grace=5)
    reader.thread.join()
    running.client.close()
    running.app.close()
    assert reader.error is not None
    assert reader.error.code() is grpc.StatusCode.UNAVAILABLE


# The tail's subscription failing


def test_the_feed_carries_on_when_its_listening_connection_drops(postgres_dsn, caplog):
    running = start(schema_dsn(postgres_dsn))
    try:
        issue_default(running.client, "Q-0")
        reader = read(running.client)
        reader.wait_for(lambda r: len(r.events()) == 1)
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            ended = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
            ).fetchall()
        assert ended
        issue_many(running.client, "After", 5)
        reader.wait_for(lambda r: len(r.events()) == 6)
        reader.stop()
        assert reader.positions() == running.log_positions()
        assert any("following the log stopped" in r.getMessage() for r in caplog.records)
    finally:
        stop(running)
