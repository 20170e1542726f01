"""PostgreSQL stopped and restarted under running servers: UNAVAILABLE, then recovery."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import grpc
import pytest
from conftest import issue_default
from pg_instance import PostgresInstance, schema_dsn
from server_process import ServerProcess

from registry.client import RegistryClientError
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat


@pytest.fixture
def own_postgres() -> Iterator[PostgresInstance]:
    """A PostgreSQL of this test's own, since the test stops it."""
    instance = PostgresInstance.start()
    try:
        yield instance
    finally:
        instance.stop()


def test_during_a_database_outage_clients_get_unavailable_and_the_server_recovers(
    own_postgres: PostgresInstance, tmp_path: Path
):
    server = ServerProcess(schema_dsn(own_postgres.dsn), tmp_path / "server.log").start()
    authority = server.authority()
    authority.prepare()
    client = authority.client(timeout=15, retries=0)
    try:
        issue_default(client)
        own_postgres.pause()

        outage_calls = [
            lambda: client.get_certificate_status("cb-1", "Q-1"),
            lambda: client.record_surveillance(
                "cb-1", "Q-1", effective_date=D("2025-01-05"), request_id="during"
            ),
            lambda: client.get_certificate_history("cb-1", "Q-1"),
        ]
        for call in outage_calls:
            with pytest.raises(RegistryClientError) as caught:
                call()
            assert caught.value.code is grpc.StatusCode.UNAVAILABLE, caught.value

        own_postgres.resume()
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = client.record_surveillance(
                    "cb-1", "Q-1", effective_date=D("2025-01-05"), request_id="during"
                )
                break
            except RegistryClientError as error:
                assert error.code is grpc.StatusCode.UNAVAILABLE, error
                assert time.monotonic() < deadline, "the server did not recover"
                time.sleep(0.5)
        assert answer.version == 2
        # The outage is told in the log once when it begins and once when it ends, however
        # many calls failed meanwhile, and without tracebacks.
        log = (tmp_path / "server.log").read_text()
        assert log.count("event store unavailable (first seen") == 1, log
        assert log.count("event store available again") == 1, log
        assert "Traceback" not in log, log
        events = client.get_certificate_history("cb-1", "Q-1").events
        assert [e.type for e in events] == [
            pb.CERTIFICATE_EVENT_TYPE_ISSUED,
            pb.CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED,
        ]
    finally:
        client.close()
        authority.close()
        assert server.stop() == 0
