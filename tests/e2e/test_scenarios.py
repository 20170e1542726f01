"""The users' stories over the wire: backdating, as-of answers, retractions, history."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import grpc
import pytest
from google.type import date_pb2

from registry.client import RegistryClient, RegistryClientError
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
ISSUED = pb.CERTIFICATE_EVENT_TYPE_ISSUED
SUSPENDED = pb.CERTIFICATE_EVENT_TYPE_SUSPENDED
RETRACTED = pb.CERTIFICATE_EVENT_TYPE_RETRACTED


def status(client: RegistryClient, at: str, as_of: datetime | None = None) -> str:
    answer = client.get_certificate_status("cb-1", "Q-1", at=D(at), as_of=as_of)
    return pb.CertificateStatus.Name(answer.status).removeprefix("CERTIFICATE_STATUS_")


def recorded(response: object) -> datetime:
    return response.recorded_at.ToDatetime(tzinfo=UTC)  # type: ignore[attr-defined]


def test_a_backdated_suspension_changes_the_past_but_not_what_was_answered(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    client.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-05"))
    before_suspension = datetime.now(UTC)
    time.sleep(0.002)
    client.suspend_certificate("cb-1", "Q-1", reason="major NC", effective_date=D("2025-03-01"))
    client.reinstate_certificate("cb-1", "Q-1", effective_date=D("2025-04-15"))

    assert status(client, "2025-02-01") == "VALID"
    assert status(client, "2025-03-20") == "SUSPENDED"
    assert status(client, "2025-05-01") == "VALID"
    assert status(client, "2027-02-01") == "EXPIRED"
    assert status(client, "2025-03-20", as_of=before_suspension) == "VALID"


def test_the_status_carries_the_data_and_warnings_of_that_day(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    client.change_scope(
        "cb-1",
        "Q-1",
        scope="Widgets and gadgets",
        sector_codes=["17", "19"],
        effective_date=D("2025-02-01"),
    )
    client.suspend_certificate("cb-1", "Q-1", reason="major NC", effective_date=D("2025-03-01"))
    before = client.get_certificate_status("cb-1", "Q-1", at=D("2025-01-31"))
    assert before.certificate.scope == "Design and manufacture of widgets"
    assert before.warnings == [pb.CERTIFICATE_WARNING_SURVEILLANCE_OVERDUE]
    later = client.get_certificate_status("cb-1", "Q-1", at=D("2025-10-01"))
    assert later.status == pb.CERTIFICATE_STATUS_SUSPENDED
    assert later.certificate.scope == "Widgets and gadgets"
    assert list(later.certificate.sector_codes) == ["17", "19"]
    assert later.certificate.suspension_reason == "major NC"
    assert set(later.warnings) == {
        pb.CERTIFICATE_WARNING_SURVEILLANCE_OVERDUE,
        pb.CERTIFICATE_WARNING_SUSPENSION_OVERDUE,
    }
    assert later.version == 3
    near_expiry = client.get_certificate_status("cb-1", "Q-1", at=D("2026-12-01"))
    assert pb.CERTIFICATE_WARNING_EXPIRING_SOON in near_expiry.warnings


def test_a_day_before_the_issue_is_not_yet_valid_and_an_unknown_number_is_unknown(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    assert status(client, "2024-01-09") == "NOT_YET_VALID"
    unknown = client.get_certificate_status("cb-1", "NOPE")
    assert unknown.status == pb.CERTIFICATE_STATUS_UNKNOWN
    assert unknown.version == 0
    assert not unknown.HasField("certificate")


def test_before_its_issue_was_recorded_a_certificate_is_unknown(client, issue):
    before = datetime.now(UTC)
    time.sleep(0.002)
    issue(effective="2024-01-10", expiry="2027-01-09")
    assert status(client, "2025-01-01", as_of=before) == "UNKNOWN"


def test_a_retracted_suspension_is_gone_now_but_visible_as_of_before_the_retraction(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    suspended = client.suspend_certificate(
        "cb-1", "Q-1", reason="wrong certificate", effective_date=D("2025-03-01")
    )
    time.sleep(0.002)
    retracted = client.retract_event(
        "cb-1", "Q-1", event_version=2, reason="published on the wrong certificate"
    )
    assert status(client, "2025-03-20") == "VALID"
    assert status(client, "2025-03-20", as_of=recorded(suspended)) == "SUSPENDED"
    assert status(client, "2025-03-20", as_of=recorded(retracted)) == "VALID"

    history = client.get_certificate_history("cb-1", "Q-1").events
    assert [e.type for e in history] == [ISSUED, SUSPENDED, RETRACTED]
    assert history[1].retracted_by_version == 3
    as_then = client.get_certificate_history("cb-1", "Q-1", as_of=recorded(suspended)).events
    assert [e.type for e in as_then] == [ISSUED, SUSPENDED]
    assert not as_then[1].HasField("retracted_by_version")


def test_history_lists_every_event_with_both_clocks_actor_and_payload(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09", request_id="req-issue")
    client.suspend_certificate(
        "cb-1",
        "Q-1",
        reason="major NC",
        review_by=D("2025-06-01"),
        effective_date=D("2025-03-01"),
        request_id="req-suspend",
    )
    events = client.get_certificate_history("cb-1", "Q-1").events
    assert [(e.version, e.type) for e in events] == [(1, ISSUED), (2, SUSPENDED)]
    suspended = events[1]
    assert (suspended.effective_date.year, suspended.effective_date.month) == (2025, 3)
    assert suspended.recorded_at.ToDatetime(tzinfo=UTC) > events[0].recorded_at.ToDatetime(
        tzinfo=UTC
    )
    assert suspended.actor == "cb:cb-1"
    assert suspended.request_id == "req-suspend"
    assert suspended.suspended.reason == "major NC"
    assert suspended.suspended.review_by == date_pb2.Date(year=2025, month=6, day=1)
    assert events[0].issued.standard == "ISO 9001:2015"


def test_history_is_paginated_with_tokens(client, issue):
    issue(effective="2021-01-10", expiry="2024-01-09")
    for year in (2022, 2023):
        client.record_surveillance("cb-1", "Q-1", effective_date=D(f"{year}-01-05"))
    for month in (2, 4, 6):
        client.change_scope(
            "cb-1", "Q-1", scope=f"scope {month}", effective_date=D(f"2023-0{month}-01")
        )
    first = client.get_certificate_history("cb-1", "Q-1", page_size=4)
    assert [e.version for e in first.events] == [1, 2, 3, 4]
    second = client.get_certificate_history(
        "cb-1", "Q-1", page_size=4, page_token=first.next_page_token
    )
    assert [e.version for e in second.events] == [5, 6]
    assert second.next_page_token == ""
    assert [e.version for e in client.iter_certificate_history("cb-1", "Q-1", page_size=2)] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]


def test_a_page_token_of_another_certificate_is_invalid(client, issue):
    issue("Q-1")
    issue("Q-2")
    for _ in range(3):
        client.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-05"))
    token = client.get_certificate_history("cb-1", "Q-1", page_size=1).next_page_token
    with pytest.raises(RegistryClientError) as caught:
        client.get_certificate_history("cb-1", "Q-2", page_size=1, page_token=token)
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT


def test_a_transfer_names_the_successor_which_names_what_it_replaces(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    client.transfer_certificate(
        "cb-2",
        "B-9",
        from_certification_body_id="cb-1",
        from_certificate_number="Q-1",
        organization=pb.Organization(name="Acme GmbH", country="DE", address="Berlin"),
        standard="ISO 9001:2015",
        scope="widgets",
        expiry_date=D("2027-01-09"),
        effective_date=D("2025-05-01"),
    )
    old = client.get_certificate_status("cb-1", "Q-1", at=D("2025-06-01"))
    assert old.status == pb.CERTIFICATE_STATUS_TRANSFERRED
    assert old.certificate.transferred_to.certificate_number == "B-9"
    new = client.get_certificate_status("cb-2", "B-9", at=D("2025-06-01"))
    assert new.status == pb.CERTIFICATE_STATUS_VALID
    assert new.certificate.replaces.certification_body_id == "cb-1"


def test_holder_details_change_from_their_effective_date(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    client.change_holder_details("cb-1", "Q-1", name="Acme AG", effective_date=D("2025-01-01"))
    before = client.get_certificate_status("cb-1", "Q-1", at=D("2024-12-31"))
    after = client.get_certificate_status("cb-1", "Q-1", at=D("2025-01-01"))
    assert before.certificate.organization.name == "Acme GmbH"
    assert after.certificate.organization.name == "Acme AG"
    assert after.certificate.organization.country == "DE"
