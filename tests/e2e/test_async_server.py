"""The asynchronous server: clients that stop reading, or never speak, delay no one else."""

from __future__ import annotations

import logging
import resource
from collections.abc import Iterator
from datetime import date

import grpc
import pytest
from conftest import RunningServer, issue_default
from grpc_health.v1 import health_pb2
from stalled import misbehaving

from registry.application.registry import Registry
from registry.server.access import AccessSettings
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
HISTORY = "/registry.v1.CertificateService/GetCertificateHistory"
WATCH = "/grpc.health.v1.Health/Watch"


@pytest.fixture
def server() -> Iterator[RunningServer]:
    # 700 connections, both ends in this process.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096 <= hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (4096, hard))
    # The stalled calls come anonymously from one address: far over the rate limit.
    running = RunningServer.start(Registry(), access=AccessSettings(anonymous_rate=1e6))
    yield running
    running.stop()


def test_200_stalled_calls_and_500_idle_connections_delay_no_other_client(server):
    """Half the stalled calls are health Watch streams, server-streaming calls that never
    end: on a server with a thread per call, a handful of them stops everyone else."""
    issue_default(server.client)
    for n in range(20):
        server.client.change_scope(
            "cb-1", "Q-1", scope="x" * 2000 + str(n), effective_date=D("2025-02-01")
        )
    request = pb.GetCertificateHistoryRequest(
        certificate=pb.CertificateRef(certification_body_id="cb-1", certificate_number="Q-1")
    )
    stalled = [(HISTORY, request), (WATCH, health_pb2.HealthCheckRequest(service=""))] * 100
    with (
        misbehaving(server.port, stalled, idle=500),
        server.authority.client(timeout=10, retries=0) as other,
    ):
        # More calls than the server has worker threads, reads and writes, each answered.
        for n in range(40):
            page = other.get_certificate_history("cb-1", "Q-1", page_size=5)
            assert [e.version for e in page.events] == [1, 2, 3, 4, 5]
            written = other.record_surveillance(
                "cb-1", "Q-1", effective_date=D("2025-03-01"), request_id=f"s-{n}"
            )
            assert written.version == 22 + n


def test_a_malformed_message_is_invalid_argument_in_one_log_line(server, caplog):
    caplog.set_level(logging.INFO)
    channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        call = channel.unary_unary(
            "/registry.v1.CertificateService/GetCertificateStatus",
            request_serializer=lambda raw: raw,
            response_deserializer=lambda raw: raw,
        )
        with pytest.raises(grpc.RpcError) as caught:
            call(b"\xff\xff\xff\xff\x0f", timeout=10)  # a truncated varint: not a message
    finally:
        channel.close()
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid registry.v1.GetCertificateStatusRequest" in caught.value.details()
    lines = [r for r in caplog.records if "GetCertificateStatus" in r.getMessage()]
    assert len(lines) == 1
    assert not any(r.exc_info for r in caplog.records)
    # The server goes on serving.
    assert server.client.get_certificate_status("cb-1", "nope").status == (
        pb.CERTIFICATE_STATUS_UNKNOWN
    )
