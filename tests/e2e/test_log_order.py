"""The log is ordered and time follows it: answers are cuts of the log, on any process."""

from __future__ import annotations

import itertools
import threading
from datetime import date, timedelta
from pathlib import Path

import grpc
import pytest
from authority import Authority
from conftest import issue_default
from server_process import ServerProcess

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient, RegistryClientError
from registry.domain.certificate import Certificate
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
PROCESSES = {"sqlite": 2, "postgres": 4}


def write_concurrently(
    targets: list[str], threads_per_server: int, writes: int, admin_token: str
) -> int:
    """Each thread issues and changes its own certificates; returns the writes acknowledged."""
    done = []
    errors: list[BaseException] = []

    def run(target: str, name: str) -> None:
        try:
            with (
                Authority(target, admin_token) as authority,
                authority.client(timeout=30, retries=4) as client,
            ):
                for i in range(writes):
                    issue_default(client, f"{name}-{i}", cb=f"cb-{name}")
                    client.suspend_certificate(
                        f"cb-{name}", f"{name}-{i}", reason="NC", effective_date=D("2025-03-01")
                    )
                    done.append(2)
        except BaseException as error:  # reported by the test, not lost in a thread
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(target, f"p{p}t{t}"))
        for p, target in enumerate(targets)
        for t in range(threads_per_server)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors, errors[0]
    return sum(done)


@pytest.mark.slow
def test_recorded_time_strictly_increases_over_the_whole_log_after_concurrent_processes(
    durable_db_url: str, tmp_path: Path
):
    backend = "sqlite" if durable_db_url.startswith("sqlite") else "postgres"
    servers = [
        ServerProcess(durable_db_url, tmp_path / f"server-{n}.log").start()
        for n in range(PROCESSES[backend])
    ]
    try:
        written = write_concurrently(
            [s.target for s in servers], 4, 15, admin_token=servers[0].admin_token()
        )
    finally:
        for server in servers:
            assert server.stop() == 0

    app = Registry(config.persistence_env(durable_db_url))
    try:
        notifications = app.recorder.select_notifications(start=None, limit=100_000)
        events = [app.mapper.to_domain_event(n) for n in notifications]
        # Besides the certificates' events, the log holds the directory's: each CB the
        # writers registered.
        assert sum(isinstance(e, Certificate.Event) for e in events) == written
        times = []
        for notification, event in zip(notifications, events, strict=True):
            times.append(event.timestamp)
            # The log's own index of times agrees with the time inside the event.
            point = app.store.point_at(event.timestamp)
            assert point is not None
            assert (point.position, point.recorded_at) == (notification.id, event.timestamp)
        assert all(earlier < later for earlier, later in itertools.pairwise(times))
    finally:
        app.close()


def test_a_write_acknowledged_by_one_process_is_read_at_once_by_another(two_servers):
    _, (one, two) = two_servers
    issue_default(one)
    for n in range(12):
        writer, reader = (one, two) if (n // 2) % 2 else (two, one)
        if n % 2 == 0:
            written = writer.suspend_certificate(
                "cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01") + timedelta(days=n)
            )
            expected = "CERTIFICATE_STATUS_SUSPENDED"
        else:
            written = writer.reinstate_certificate(
                "cb-1", "Q-1", effective_date=D("2025-03-01") + timedelta(days=n)
            )
            expected = "CERTIFICATE_STATUS_VALID"
        answer = reader.get_certificate_status("cb-1", "Q-1", at=D("2025-06-01"))
        assert answer.version == written.version
        assert answer.status == pb.CertificateStatus.Value(expected)
        # The default cut is the log as committed, not the reader's clock.
        assert answer.as_of.ToDatetime() >= written.recorded_at.ToDatetime()


def test_asking_again_with_the_returned_as_of_gives_the_same_answer_after_later_writes(
    client: RegistryClient,
):
    issue_default(client)
    client.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-05"))
    first = client.get_certificate_status("cb-1", "Q-1", at=D("2025-06-01"))

    # Later writes, one of them backdated before the day asked about, one retracting.
    client.suspend_certificate("cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"))
    client.retract_event("cb-1", "Q-1", event_version=2, reason="published in error")
    issue_default(client, "Q-2")
    assert client.get_certificate_status("cb-1", "Q-1", at=D("2025-06-01")) != first

    again = client.get_certificate_status(
        "cb-1", "Q-1", at=D("2025-06-01"), as_of=first.as_of.ToDatetime()
    )
    assert again.SerializeToString(deterministic=True) == first.SerializeToString(
        deterministic=True
    )


def test_an_as_of_in_the_future_is_refused(client: RegistryClient):
    issue_default(client)
    latest = client.get_certificate_status("cb-1", "Q-1")
    with pytest.raises(RegistryClientError) as caught:
        client.get_certificate_status(
            "cb-1", "Q-1", as_of=latest.as_of.ToDatetime() + timedelta(days=1)
        )
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "could still change" in caught.value.message
