"""Writes over the wire: idempotent retries, optimistic concurrency, bad input."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from authority import register_in_process
from conftest import RunningServer, certificate_events, issue_default
from google.protobuf import timestamp_pb2
from google.type import date_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pg_instance import free_port

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient, RegistryClientError, new_request_id
from registry.domain.principals import certification_body
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat


def stored_events(running: RunningServer) -> int:
    return certificate_events(running)


def test_a_retried_write_is_answered_as_first_and_appends_nothing(running, client, issue):
    issue()
    first = client.suspend_certificate(
        "cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"), request_id="retry-me"
    )
    count = stored_events(running)
    again = client.suspend_certificate(
        "cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"), request_id="retry-me"
    )
    assert (again.version, again.recorded_at) == (first.version, first.recorded_at)
    assert stored_events(running) == count
    assert len(client.get_certificate_history("cb-1", "Q-1").events) == 2


def test_a_request_id_reused_for_another_request_is_invalid(client, issue):
    issue()
    client.suspend_certificate(
        "cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"), request_id="r-1"
    )
    with pytest.raises(RegistryClientError) as caught:
        client.withdraw_certificate("cb-1", "Q-1", reason="other", request_id="r-1")
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "request_id" in caught.value.message


def test_a_retry_after_a_server_restart_is_answered_as_first(durable_db_url: str):
    env = config.persistence_env(durable_db_url)
    first_server = RunningServer.start(Registry(env))
    issue_default(first_server.client, request_id="issue-1")
    first = first_server.client.record_surveillance(
        "cb-1", "Q-1", effective_date=D("2025-01-05"), request_id="surv-1"
    )
    first_server.stop()

    second_server = RunningServer.start(Registry(env))
    try:
        assert issue_default(second_server.client, request_id="issue-1") == 1
        again = second_server.client.record_surveillance(
            "cb-1", "Q-1", effective_date=D("2025-01-05"), request_id="surv-1"
        )
        assert (again.version, again.recorded_at) == (first.version, first.recorded_at)
        history = second_server.client.get_certificate_history("cb-1", "Q-1").events
        assert [e.type for e in history] == [
            pb.CERTIFICATE_EVENT_TYPE_ISSUED,
            pb.CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED,
        ]
    finally:
        second_server.stop()


def race(calls: list) -> list:
    """Run the calls at the same moment; return each one's result or error."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except RegistryClientError as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_of_two_writes_expecting_the_same_version_exactly_one_wins(running):
    clients = [running.authority.client() for _ in range(2)]
    try:
        for n in range(15):
            number = f"R-{n}"
            issue_default(clients[0], number)
            results = race(
                [
                    lambda c=c, i=i, number=number: c.change_scope(
                        "cb-1",
                        number,
                        scope=f"scope {i}",
                        expected_version=1,
                        effective_date=D("2025-01-01"),
                    )
                    for i, c in enumerate(clients)
                ]
            )
            wins = [r for r in results if not isinstance(r, RegistryClientError)]
            losses = [r for r in results if isinstance(r, RegistryClientError)]
            assert len(wins) == 1 and wins[0].version == 2
            assert len(losses) == 1 and losses[0].code is grpc.StatusCode.ABORTED
            assert len(clients[0].get_certificate_history("cb-1", number).events) == 2
    finally:
        for c in clients:
            c.close()


def test_of_two_racing_suspensions_exactly_one_is_recorded(running):
    clients = [running.authority.client() for _ in range(2)]
    try:
        for n in range(15):
            number = f"S-{n}"
            issue_default(clients[0], number)
            results = race(
                [
                    lambda c=c, number=number: c.suspend_certificate(
                        "cb-1", number, reason="NC", effective_date=D("2025-03-01")
                    )
                    for c in clients
                ]
            )
            losses = [r for r in results if isinstance(r, RegistryClientError)]
            assert len(losses) == 1
            assert losses[0].code is grpc.StatusCode.FAILED_PRECONDITION
            assert len(clients[0].get_certificate_history("cb-1", number).events) == 2
    finally:
        for c in clients:
            c.close()


def test_a_stale_expected_version_is_aborted(client, issue):
    issue()
    client.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-05"))
    with pytest.raises(RegistryClientError) as caught:
        client.suspend_certificate("cb-1", "Q-1", reason="NC", expected_version=1)
    assert caught.value.code is grpc.StatusCode.ABORTED
    client.suspend_certificate(
        "cb-1", "Q-1", reason="NC", expected_version=2, effective_date=D("2025-03-01")
    )


def test_the_client_retries_an_unavailable_server_with_the_same_request(tmp_path: Path):
    port = free_port()
    app = Registry(config.persistence_env(f"sqlite:///{tmp_path / 'r.db'}"))
    register_in_process(app, "cb-1")
    token = app.credentials.create(certification_body("cb-1")).token
    client = RegistryClient(f"127.0.0.1:{port}", timeout=5, retries=8, token=token)
    answers: list = []
    caller = threading.Thread(target=lambda: answers.append(issue_default(client, "late")))
    caller.start()
    time.sleep(0.5)
    from registry.server.app import BackgroundServer

    server = BackgroundServer(app, f"127.0.0.1:{port}").start()
    try:
        caller.join(timeout=30)
        assert answers == [1]
        assert len(client.get_certificate_history("cb-1", "late").events) == 1
    finally:
        client.close()
        server.stop()
        app.close()


# Bad input: the right status code, nothing appended, the server still serving.


def raw_issue(**overrides: object) -> pb.IssueCertificateRequest:
    fields: dict = {
        "certificate": pb.CertificateRef(certification_body_id="cb-1", certificate_number="B-1"),
        "request_id": new_request_id(),
        "effective_date": date_pb2.Date(year=2024, month=1, day=10),
        "organization": pb.Organization(name="Acme", country="DE", address="Berlin"),
        "standard": "ISO 9001:2015",
        "scope": "widgets",
        "expiry_date": date_pb2.Date(year=2027, month=1, day=9),
    }
    fields.update(overrides)
    return pb.IssueCertificateRequest(**{k: v for k, v in fields.items() if v is not None})


def future(days: int) -> date_pb2.Date:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return date_pb2.Date(year=day.year, month=day.month, day=day.day)


BAD_ISSUES = {
    "malformed effective date": (
        {"effective_date": date_pb2.Date(year=2024, month=2, day=30)},
        grpc.StatusCode.INVALID_ARGUMENT,
    ),
    "month 13 expiry": (
        {"expiry_date": date_pb2.Date(year=2026, month=13, day=1)},
        grpc.StatusCode.INVALID_ARGUMENT,
    ),
    "empty certificate number": (
        {"certificate": pb.CertificateRef(certification_body_id="cb-1", certificate_number=" ")},
        grpc.StatusCode.INVALID_ARGUMENT,
    ),
    "missing certificate": ({"certificate": None}, grpc.StatusCode.INVALID_ARGUMENT),
    "unknown standard": ({"standard": "ISO 9999:2099"}, grpc.StatusCode.INVALID_ARGUMENT),
    "missing standard": ({"standard": ""}, grpc.StatusCode.INVALID_ARGUMENT),
    "missing expiry": ({"expiry_date": None}, grpc.StatusCode.INVALID_ARGUMENT),
    "missing organization": ({"organization": None}, grpc.StatusCode.INVALID_ARGUMENT),
    "bad country": (
        {"organization": pb.Organization(name="Acme", country="Germany", address="Berlin")},
        grpc.StatusCode.INVALID_ARGUMENT,
    ),
    "missing scope": ({"scope": ""}, grpc.StatusCode.INVALID_ARGUMENT),
    "missing request id": ({"request_id": ""}, grpc.StatusCode.INVALID_ARGUMENT),
    "expiry more than 3 years out": (
        {"expiry_date": date_pb2.Date(year=2027, month=1, day=11)},
        grpc.StatusCode.FAILED_PRECONDITION,
    ),
    "effective date past 90 days ahead": (
        {"effective_date": future(91), "expiry_date": future(400)},
        grpc.StatusCode.FAILED_PRECONDITION,
    ),
}


@pytest.mark.parametrize("case", list(BAD_ISSUES))
def test_a_bad_issue_request_is_refused_with_the_right_code(running, case):
    overrides, code = BAD_ISSUES[case]
    before = stored_events(running)
    with pytest.raises(grpc.RpcError) as caught:
        running.client.stub.IssueCertificate(raw_issue(**overrides), timeout=5)
    assert caught.value.code() is code, caught.value.details()
    assert caught.value.details()
    assert stored_events(running) == before
    health = health_pb2_grpc.HealthStub(running.client.channel)
    assert health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == (
        health_pb2.HealthCheckResponse.SERVING
    )


def test_bad_queries_are_invalid_arguments(running, client, issue):
    issue()
    ref = pb.CertificateRef(certification_body_id="cb-1", certificate_number="Q-1")
    bad = [
        (
            running.client.stub.GetCertificateStatus,
            pb.GetCertificateStatusRequest(
                certificate=ref, at=date_pb2.Date(year=2025, month=0, day=1)
            ),
        ),
        (
            running.client.stub.GetCertificateStatus,
            pb.GetCertificateStatusRequest(
                certificate=ref, as_of=timestamp_pb2.Timestamp(seconds=10**13)
            ),
        ),
        (
            running.client.stub.GetCertificateStatus,
            pb.GetCertificateStatusRequest(
                certificate=pb.CertificateRef(certification_body_id="cb-1")
            ),
        ),
        (
            running.client.stub.GetCertificateHistory,
            pb.GetCertificateHistoryRequest(certificate=ref, page_size=-1),
        ),
        (
            running.client.stub.GetCertificateHistory,
            pb.GetCertificateHistoryRequest(certificate=ref, page_token="not-a-token"),
        ),
    ]
    for method, request in bad:
        with pytest.raises(grpc.RpcError) as caught:
            method(request, timeout=5)
        assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT, request


def test_commands_on_an_unknown_certificate_are_not_found(client):
    with pytest.raises(RegistryClientError) as caught:
        client.suspend_certificate("cb-1", "NOPE", reason="NC")
    assert caught.value.code is grpc.StatusCode.NOT_FOUND
    with pytest.raises(RegistryClientError) as caught:
        client.get_certificate_history("cb-1", "NOPE")
    assert caught.value.code is grpc.StatusCode.NOT_FOUND


def test_issuing_an_existing_number_again_already_exists(client, issue):
    issue()
    with pytest.raises(RegistryClientError) as caught:
        issue()
    assert caught.value.code is grpc.StatusCode.ALREADY_EXISTS


def test_retracting_a_version_that_does_not_exist_is_not_found(client, issue):
    issue()
    with pytest.raises(RegistryClientError) as caught:
        client.retract_event("cb-1", "Q-1", event_version=7, reason="typo")
    assert caught.value.code is grpc.StatusCode.NOT_FOUND


def test_bad_command_fields_are_invalid_and_append_nothing(running, client, issue):
    issue()
    before = stored_events(running)
    attempts = [
        lambda: client.suspend_certificate("cb-1", "Q-1", reason="  "),
        lambda: client.change_scope("cb-1", "Q-1", scope=""),
        lambda: client.change_holder_details("cb-1", "Q-1"),
        lambda: client.transfer_certificate(
            "cb-1",
            "Q-1",
            from_certification_body_id="cb-1",
            from_certificate_number="Q-1",
            organization=pb.Organization(name="Acme GmbH", country="DE", address="Berlin"),
            standard="ISO 9001:2015",
            scope="widgets",
            expiry_date=D("2027-01-09"),
        ),
        lambda: client.retract_event("cb-1", "Q-1", event_version=0, reason="x"),
        lambda: client.suspend_certificate("cb-1", "Q-1", reason="NC", expected_version=-1),
    ]
    for attempt in attempts:
        with pytest.raises(RegistryClientError) as caught:
            attempt()
        assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert stored_events(running) == before
