"""The standards catalogue over the wire, on every backend: the admin moves a deadline;
anyone sees the answers change from then on, and every earlier as_of answer unchanged;
nobody else may change the catalogue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import grpc
import pytest
from conftest import RunningServer, issue_default
from google.protobuf.timestamp_pb2 import Timestamp

from registry.cli.main import main
from registry.client import RegistryClient, RegistryClientError
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import standards_service_pb2 as st_pb
from registry.v1 import standards_service_pb2_grpc as st_grpc

D = date.fromisoformat
DAY = D("2026-06-01")  # inside the certificate's cycle, 2024-01-10 to 2027-01-09
DEADLINE = D("2025-12-31")


@pytest.fixture
def anonymous(running: RunningServer) -> Iterator[RegistryClient]:
    with RegistryClient(running.target, timeout=10, retries=2) as client:
        yield client


def edition(listing: st_pb.ListStandardsResponse, designation: str) -> st_pb.StandardEdition:
    return next(e for e in listing.editions if e.designation == designation)


def instant(value: Timestamp) -> datetime:
    return value.ToDatetime(tzinfo=UTC)


def log_size(running: RunningServer) -> int:
    last = running.app.store.last_point()
    return last.position if last else 0


def test_a_moved_deadline_changes_the_answers_from_then_on_and_old_answers_stay(
    running: RunningServer, anonymous: RegistryClient
) -> None:
    issue_default(running.client, "Q-1")
    status_before = anonymous.get_certificate_status("cb-1", "Q-1", at=DAY)
    listing_before = anonymous.list_standards(at=DAY)
    assert status_before.status == pb.CERTIFICATE_STATUS_VALID
    assert not edition(listing_before, "ISO 9001:2015").HasField("transition_deadline")
    assert edition(listing_before, "ISO 9001:2015").valid_on_at

    written = running.client.set_transition_deadline("ISO 9001:2015", DEADLINE)
    assert written.version == listing_before.version + 1

    assert (
        anonymous.get_certificate_status("cb-1", "Q-1", at=DAY).status
        == pb.CERTIFICATE_STATUS_EXPIRED
    )
    assert (
        anonymous.get_certificate_status("cb-1", "Q-1", at=DEADLINE).status
        == pb.CERTIFICATE_STATUS_VALID
    )
    listing_after = anonymous.list_standards(at=DAY)
    moved = edition(listing_after, "ISO 9001:2015")
    assert (moved.transition_deadline.year, moved.transition_deadline.day) == (2025, 31)
    assert not moved.valid_on_at
    assert listing_after.version == written.version

    # Asked again as of the first answers' instants: exactly the first answers.
    assert (
        anonymous.get_certificate_status("cb-1", "Q-1", at=DAY, as_of=instant(status_before.as_of))
        == status_before
    )
    assert anonymous.list_standards(at=DAY, as_of=instant(listing_before.as_of)) == (listing_before)


def test_a_search_as_known_now_sees_the_certificates_expired_by_a_new_deadline(
    running: RunningServer, anonymous: RegistryClient
) -> None:
    issue_default(running.client, "Q-1")
    issue_default(running.client, "E-1", standard="ISO 14001:2015")
    assert anonymous.search_certificates(status="EXPIRED", at=DAY).certificates == []

    running.client.set_transition_deadline("ISO 9001:2015", DEADLINE)

    expired = anonymous.search_certificates(status="EXPIRED", at=DAY).certificates
    assert [c.certificate.certificate_number for c in expired] == ["Q-1"]
    valid = anonymous.search_certificates(status="VALID", at=DAY).certificates
    assert [c.certificate.certificate_number for c in valid] == ["E-1"]


def test_an_edition_added_by_the_admin_can_be_issued_to_and_its_deadline_removed(
    running: RunningServer, anonymous: RegistryClient
) -> None:
    running.client.add_standard_edition(
        "ISO 9001", "2026", title="Quality management systems", transition_deadline=D("2023-12-31")
    )
    with pytest.raises(RegistryClientError) as refused:
        issue_default(running.client, "N-1", standard="ISO 9001:2026")
    assert refused.value.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "edition-past-transition-deadline" in refused.value.message

    running.client.set_transition_deadline("iso 9001:2026", None)
    issue_default(running.client, "N-1", standard="ISO 9001:2026")
    assert (
        anonymous.get_certificate_status("cb-1", "N-1", at=DAY).status
        == pb.CERTIFICATE_STATUS_VALID
    )
    assert not edition(anonymous.list_standards(), "ISO 9001:2026").HasField("transition_deadline")


def test_a_duplicate_edition_and_an_unknown_one_are_refused_naming_the_rule(
    running: RunningServer,
) -> None:
    with pytest.raises(RegistryClientError) as duplicate:
        running.client.add_standard_edition("ISO 9001", "2015", title="Quality")
    assert duplicate.value.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "edition-added-once" in duplicate.value.message
    with pytest.raises(RegistryClientError) as unknown:
        running.client.set_transition_deadline("ISO 9001:1987", DEADLINE)
    assert unknown.value.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "deadline-for-a-catalogued-edition" in unknown.value.message


def test_a_deadline_request_must_say_whether_it_sets_or_removes(running: RunningServer) -> None:
    request = st_pb.SetTransitionDeadlineRequest(designation="ISO 9001:2015", request_id="r-1")
    admin = [("authorization", f"Bearer {running.authority.admin_token}")]
    with grpc.insecure_channel(running.target) as channel:
        stub = st_grpc.StandardsServiceStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.SetTransitionDeadline(request, metadata=admin, timeout=10)
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "no_transition_deadline" in (refused.value.details() or "")


def test_only_the_admin_changes_the_catalogue_and_a_refusal_appends_nothing(
    running: RunningServer, anonymous: RegistryClient
) -> None:
    token = running.authority.cb_token("cb-1")
    before = log_size(running)
    with RegistryClient(running.target, timeout=10, retries=2, token=token) as cb:
        with pytest.raises(RegistryClientError) as denied:
            cb.set_transition_deadline("ISO 9001:2015", DEADLINE)
        assert denied.value.code is grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(RegistryClientError) as denied:
            cb.add_standard_edition("ISO 9001", "2026", title="Quality")
        assert denied.value.code is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(RegistryClientError) as unauthenticated:
        anonymous.set_transition_deadline("ISO 9001:2015", DEADLINE)
    assert unauthenticated.value.code is grpc.StatusCode.UNAUTHENTICATED
    assert log_size(running) == before
    assert not edition(anonymous.list_standards(), "ISO 9001:2015").HasField("transition_deadline")


def test_the_command_line_adds_an_edition_moves_deadlines_and_lists_them(
    running: RunningServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def registry(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--server", running.target, "--timeout", "5"])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    monkeypatch.delenv("REGISTRY_TOKEN_FILE", raising=False)
    monkeypatch.setenv("REGISTRY_TOKEN", running.authority.admin_token)
    code, out, _ = registry(
        *("admin", "standard", "add", "ISO 9001", "2026"),
        *("--title", "Quality management systems", "--deadline", "2031-12-31"),
    )
    assert code == 0
    assert "ISO 9001:2026" in out and "request id" in out
    code, out, _ = registry("admin", "standard", "deadline", "ISO 9001:2015", "2030-12-31")
    assert code == 0
    code, out, _ = registry("admin", "standard", "deadline", "ISO 9001:2026", "--none", "--json")
    assert code == 0 and json.loads(out)["version"] == "4"

    monkeypatch.delenv("REGISTRY_TOKEN")
    code, out, _ = registry("standards", "list", "--at", "2031-06-01")
    assert code == 0
    rows = {line.split("  ")[0]: line.split() for line in out.splitlines()[1:-1]}
    assert rows["ISO 9001:2015"][-2:] == ["2030-12-31", "no"]
    assert rows["ISO 9001:2026"][-2:] == ["-", "yes"]
    assert "catalogue version 4" in out.splitlines()[-1]
    code, out, _ = registry("standards", "list", "--json")
    assert {e["designation"] for e in json.loads(out)["editions"]} >= {"ISO 9001:2026"}

    code, _, err = registry("admin", "standard", "deadline", "ISO 9001:2015", "--none")
    assert code == 1 and "UNAUTHENTICATED" in err
