"""Several server processes on one store, and what a killed process leaves behind."""

from __future__ import annotations

import time
from datetime import date

import grpc
import pytest
from conftest import issue_default
from server_process import Load, ServerProcess

from registry.client import RegistryClient, RegistryClientError
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat


def test_a_retry_sent_to_another_process_is_answered_as_first(two_servers):
    _, (one, two) = two_servers
    issue_default(one, request_id="issue")
    first = one.suspend_certificate(
        "cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"), request_id="suspend"
    )
    again = two.suspend_certificate(
        "cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"), request_id="suspend"
    )
    assert (again.version, again.recorded_at) == (first.version, first.recorded_at)
    assert issue_default(two, request_id="issue") == 1
    assert len(two.get_certificate_history("cb-1", "Q-1").events) == 2


def test_expected_versions_hold_across_processes(two_servers):
    _, (one, two) = two_servers
    issue_default(one)
    one.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-05"), expected_version=1)
    with pytest.raises(RegistryClientError) as caught:
        two.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-06"), expected_version=1)
    assert caught.value.code is grpc.StatusCode.ABORTED


def test_every_process_tells_the_same_history(two_servers):
    _, (one, two) = two_servers
    for n in range(6):
        writer = (one, two)[n % 2]
        issue_default(writer, f"Q-{n}")
        writer.suspend_certificate("cb-1", f"Q-{n}", reason="NC", effective_date=D("2025-03-01"))
        (two, one)[n % 2].reinstate_certificate("cb-1", f"Q-{n}", effective_date=D("2025-04-01"))
    for n in range(6):
        histories = [
            [
                e.SerializeToString(deterministic=True)
                for e in c.iter_certificate_history("cb-1", f"Q-{n}")
            ]
            for c in (one, two)
        ]
        assert histories[0] == histories[1]
        assert len(histories[0]) == 3


def check_after_load(client: RegistryClient, load: Load) -> None:
    """Every acknowledged write is there once; every retry gets its first answer."""
    assert load.acknowledged, "the load acknowledged nothing"
    for number, request_id, version in load.acknowledged:
        history = client.get_certificate_history("cb-load", number).events
        assert [(e.version, e.request_id) for e in history] == [(1, request_id)]
        assert version == 1
    for number, request_id in load.unanswered:
        # Unknown outcome: the retry either finds the first result or writes it now, once.
        retried = client.issue_certificate(
            "cb-load",
            number,
            organization=pb.Organization(name="Load", country="DE", address="x"),
            standard="ISO 9001:2015",
            scope="load",
            expiry_date=D("2027-01-09"),
            effective_date=D("2024-01-10"),
            request_id=request_id,
        )
        assert retried.version == 1
        assert len(client.get_certificate_history("cb-load", number).events) == 1


def test_a_process_killed_under_load_loses_and_duplicates_nothing(durable_db_url, tmp_path):
    server = ServerProcess(durable_db_url, tmp_path / "server.log").start()
    with Load(server.target, clients=4, prefix="k", token=server.cb_token("cb-load")) as load:
        time.sleep(1.5)
        server.kill()
        time.sleep(0.3)
    server.start()
    try:
        authority = server.authority()
        with authority.client(timeout=10, retries=4) as client:
            check_after_load(client, load)
        authority.close()
    finally:
        assert server.stop() == 0


def test_when_one_process_dies_the_other_keeps_everything(two_servers):
    servers, (one, _) = two_servers
    with (
        Load(
            servers[0].target, clients=2, prefix="a", token=servers[0].cb_token("cb-load")
        ) as first,
        Load(
            servers[1].target, clients=2, prefix="b", token=servers[0].cb_token("cb-load")
        ) as second,
    ):
        time.sleep(1.0)
        servers[1].kill()
        time.sleep(0.5)
    check_after_load(one, first)
    check_after_load(one, second)
