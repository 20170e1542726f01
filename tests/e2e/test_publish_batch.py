"""PublishBatch over the wire, on SQLite and PostgreSQL: a result per command, each as its
own RPC would answer it; refused commands block none of the others; retries append nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import grpc
import pytest
from conftest import RunningServer, certificate_events, issue_default
from google.rpc import code_pb2
from google.type import date_pb2

from registry import config
from registry.application.inputs import MAX_BATCH_BYTES, MAX_BATCH_COMMANDS
from registry.application.registry import Registry
from registry.client import RegistryClientError, batch_command, write_request
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
ORGANIZATION = pb.Organization(name="Acme GmbH", country="DE", address="1 Hauptstr, Berlin")


@pytest.fixture
def running(durable_db_url: str) -> Iterator[RunningServer]:
    server = RunningServer.start(Registry(config.persistence_env(durable_db_url)))
    yield server
    server.stop()


def stored_events(running: RunningServer) -> int:
    return certificate_events(running)


def request(command: str, number: str, request_id: str, **fields: Any) -> Any:
    return write_request(command, "cb-1", number, request_id=request_id, **fields)


def issue_request(number: str, request_id: str, standard: str = "ISO 9001:2015") -> Any:
    return request(
        "issue",
        number,
        request_id,
        organization=ORGANIZATION,
        standard=standard,
        scope="Widgets",
        sites=[pb.Site(address="1 Hauptstr, Berlin")],
        sector_codes=["17"],
        effective_date=D("2024-01-10"),
        expiry_date=D("2027-01-09"),
    )


def publish(running: RunningServer, requests: list[Any]) -> list[pb.BatchResult]:
    response = running.client.publish_batch([batch_command(r) for r in requests])
    return list(response.results)


def single(running: RunningServer, message: Any) -> tuple[int, str]:
    """What the command's own RPC answers: its code and message."""
    rpc = message.DESCRIPTOR.name.removesuffix("Request")
    try:
        running.client.stub.__getattribute__(rpc)(message, timeout=10)
    except grpc.RpcError as error:
        return error.code().value[0], error.details()
    return code_pb2.OK, ""


def bad_date(message: Any) -> Any:
    message.effective_date.CopyFrom(date_pb2.Date(year=2025, month=13, day=1))
    return message


def no_request_id(message: Any) -> Any:
    message.request_id = ""
    return message


def test_each_command_is_answered_as_its_own_rpc_would_and_the_good_ones_are_written(running):
    issue_default(running.client, "Q-1")
    refused = [
        issue_request("Q-1", "again"),
        request("suspend", "Q-404", "unknown", reason="NC"),
        request("reinstate", "Q-1", "not-suspended", effective_date=D("2025-01-05")),
        request("surveil", "Q-1", "stale", effective_date=D("2025-01-05"), expected_version=7),
        issue_request("Q-3", "no-such-standard", standard="ISO 0000:1900"),
        bad_date(request("surveil", "Q-1", "bad-date")),
        no_request_id(request("surveil", "Q-1", "r", effective_date=D("2025-01-05"))),
    ]
    expected = [single(running, message) for message in refused]  # each changes nothing
    assert [code for code, _ in expected] == [
        code_pb2.ALREADY_EXISTS,
        code_pb2.NOT_FOUND,
        code_pb2.FAILED_PRECONDITION,
        code_pb2.ABORTED,
        code_pb2.INVALID_ARGUMENT,
        code_pb2.INVALID_ARGUMENT,
        code_pb2.INVALID_ARGUMENT,
    ]
    good = [
        issue_request("Q-2", "issue-2"),
        request("surveil", "Q-1", "surveil-1", effective_date=D("2025-01-05")),
    ]
    results = publish(running, [good[0], *refused, good[1]])

    assert [(r.code, r.message) for r in results[1:-1]] == expected
    assert all(r.version == 0 and not r.HasField("recorded_at") for r in results[1:-1])
    assert [(r.code, r.message, r.version) for r in (results[0], results[-1])] == [
        (code_pb2.OK, "", 1),
        (code_pb2.OK, "", 2),
    ]
    assert results[0].recorded_at.ToDatetime() < results[-1].recorded_at.ToDatetime()
    assert running.client.get_certificate_status("cb-1", "Q-2").version == 1
    assert running.client.get_certificate_status("cb-1", "Q-1").version == 2


def test_commands_on_one_certificate_apply_in_the_order_of_the_batch(running):
    issue_default(running.client, "OLD", cb="cb-2")
    commands = [
        issue_request("Q-1", "issue"),
        request("suspend", "Q-1", "s1", reason="NC", effective_date=D("2024-03-01")),
        request("reinstate", "Q-1", "r1", effective_date=D("2024-04-01")),
        request("suspend", "Q-1", "s2", reason="NC again", effective_date=D("2024-05-01")),
        request("retract", "Q-1", "x", event_version=4, reason="in error"),
        request("withdraw", "Q-1", "w", reason="closed", effective_date=D("2024-06-01")),
        request(
            "transfer",
            "NEW",
            "t",
            from_certificate=pb.CertificateRef(
                certification_body_id="cb-2", certificate_number="OLD"
            ),
            organization=ORGANIZATION,
            standard="ISO 9001:2015",
            scope="Widgets",
            expiry_date=D("2027-01-09"),
            effective_date=D("2025-05-01"),
        ),
    ]
    results = publish(running, commands)
    assert [(r.code, r.version, r.from_version) for r in results] == [
        (code_pb2.OK, 1, 0),
        (code_pb2.OK, 2, 0),
        (code_pb2.OK, 3, 0),
        (code_pb2.OK, 4, 0),
        (code_pb2.OK, 5, 0),
        (code_pb2.OK, 6, 0),
        (code_pb2.OK, 1, 2),
    ]
    kinds = [e.type for e in running.client.iter_certificate_history("cb-1", "Q-1")]
    assert kinds == [
        pb.CERTIFICATE_EVENT_TYPE_ISSUED,
        pb.CERTIFICATE_EVENT_TYPE_SUSPENDED,
        pb.CERTIFICATE_EVENT_TYPE_REINSTATED,
        pb.CERTIFICATE_EVENT_TYPE_SUSPENDED,
        pb.CERTIFICATE_EVENT_TYPE_RETRACTED,
        pb.CERTIFICATE_EVENT_TYPE_WITHDRAWN,
    ]
    status = running.client.get_certificate_status("cb-1", "Q-1", at=D("2024-05-15"))
    assert status.status == pb.CERTIFICATE_STATUS_VALID  # the second suspension retracted
    assert running.client.get_certificate_status("cb-2", "OLD", at=D("2025-05-01")).status == (
        pb.CERTIFICATE_STATUS_TRANSFERRED
    )


def test_a_retried_batch_appends_nothing_and_returns_the_first_answers(running):
    issue_default(running.client, "Q-1")
    commands = [
        issue_request("Q-2", "issue-2"),
        request("surveil", "Q-1", "surveil-1", effective_date=D("2025-01-05")),
        request("reinstate", "Q-1", "refused", effective_date=D("2025-01-05")),
        request("surveil", "Q-2", "surveil-2", effective_date=D("2025-01-06")),
    ]
    first = publish(running, commands)
    count = stored_events(running)
    again = publish(running, commands)
    assert again == first
    ok, refused = code_pb2.OK, code_pb2.FAILED_PRECONDITION
    assert [r.code for r in first] == [ok, ok, refused, ok]
    assert stored_events(running) == count


def test_a_thousand_commands_half_refused_write_every_good_one(running):
    commands = []
    for n in range(MAX_BATCH_COMMANDS // 2):
        commands.append(issue_request(f"Q-{n}", f"issue-{n}"))
        commands.append(request("reinstate", f"Q-{n}", f"bad-{n}", effective_date=D("2025-01-05")))
    results = publish(running, commands)
    assert [r.code for r in results] == [code_pb2.OK, code_pb2.FAILED_PRECONDITION] * (
        MAX_BATCH_COMMANDS // 2
    )
    assert stored_events(running) == MAX_BATCH_COMMANDS // 2


def refused_batch(running: RunningServer, commands: list[pb.BatchCommand]) -> str:
    with pytest.raises(RegistryClientError) as caught:
        running.client.publish_batch(commands)
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert stored_events(running) == 0
    return caught.value.message


def test_a_batch_over_a_thousand_commands_is_refused_and_nothing_is_written(running):
    commands = [batch_command(issue_request(f"Q-{n}", f"r-{n}")) for n in range(1001)]
    assert "at most 1000 commands, got 1001" in refused_batch(running, commands)


def test_a_batch_over_its_byte_limit_is_refused_and_nothing_is_written(running):
    scope = "x" * (400 * 1024)
    commands = []
    for n in range(MAX_BATCH_BYTES // len(scope) + 1):
        message = issue_request(f"Q-{n}", f"r-{n}")
        message.scope = scope
        commands.append(batch_command(message))
    assert f"at most {MAX_BATCH_BYTES} bytes" in refused_batch(running, commands)


def test_an_empty_batch_or_a_command_of_no_kind_is_refused_and_nothing_is_written(running):
    assert "at least one command" in refused_batch(running, [])
    good = batch_command(issue_request("Q-1", "r-1"))
    assert "commands[1]: no command set" in refused_batch(running, [good, pb.BatchCommand()])
