"""GetCertificateHistory over the wire: typed events, page sizes, page tokens, page bytes."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date

import grpc
import pytest
from google.protobuf import timestamp_pb2
from google.type import date_pb2

from registry.client import RegistryClient, RegistryClientError
from registry.server import convert
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
MiB = 1024 * 1024


def pb_day(text: str) -> date_pb2.Date:
    day = D(text)
    return date_pb2.Date(year=day.year, month=day.month, day=day.day)


def history(client: RegistryClient, number: str = "Q-1", cb: str = "cb-1") -> list:
    return list(client.iter_certificate_history(cb, number))


def refused(call: Callable[[], object]) -> RegistryClientError:
    with pytest.raises(RegistryClientError) as caught:
        call()
    return caught.value


# Typed events


def test_an_issued_event_carries_the_certificate_as_typed_fields(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09", request_id="req-issue")
    (event,) = history(client)
    assert event.type == pb.CERTIFICATE_EVENT_TYPE_ISSUED
    assert event.WhichOneof("payload") == "issued"
    assert event.version == 1
    assert isinstance(event.global_position, int)
    assert event.effective_date == pb_day("2024-01-10")
    assert isinstance(event.recorded_at, timestamp_pb2.Timestamp)
    assert (event.actor, event.request_id) == ("cb:cb-1", "req-issue")
    assert not event.HasField("retracted_by_version")
    issued = event.issued
    assert issued.organization == pb.Organization(
        name="Acme GmbH", country="DE", address="1 Hauptstr, Berlin"
    )
    assert list(issued.sites) == [pb.Site(address="1 Hauptstr, Berlin")]
    assert issued.standard == "ISO 9001:2015"
    assert issued.scope == "Design and manufacture of widgets"
    assert list(issued.sector_codes) == ["17"]
    assert issued.expiry_date == pb_day("2027-01-09")
    assert not issued.HasField("replaces")


def test_every_kind_of_event_comes_back_with_its_type_and_its_own_payload(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    client.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-05"))
    client.change_scope(
        "cb-1",
        "Q-1",
        scope="Widgets and gadgets",
        sites=[pb.Site(address="2 Hafenweg, Hamburg", scope="Storage")],
        sector_codes=["17", "19"],
        effective_date=D("2025-02-01"),
    )
    client.suspend_certificate(
        "cb-1", "Q-1", reason="major NC", review_by=D("2025-06-01"), effective_date=D("2025-03-01")
    )
    client.reinstate_certificate("cb-1", "Q-1", effective_date=D("2025-04-15"))
    client.renew_certificate(
        "cb-1", "Q-1", expiry_date=D("2028-01-09"), effective_date=D("2025-06-01")
    )
    client.change_holder_details("cb-1", "Q-1", name="Acme AG", effective_date=D("2025-07-01"))
    client.retract_event(
        "cb-1", "Q-1", event_version=7, reason="wrong name", effective_date=D("2025-07-15")
    )
    client.withdraw_certificate(
        "cb-1", "Q-1", reason="misuse of the mark", effective_date=D("2025-08-01")
    )
    issue("Q-2", effective="2024-01-10", expiry="2027-01-09")
    client.cancel_certificate(
        "cb-1", "Q-2", reason="end of contract", effective_date=D("2025-09-01")
    )

    events = [*history(client, "Q-1"), *history(client, "Q-2")]
    kinds = [(pb.CertificateEventType.Name(e.type), e.WhichOneof("payload")) for e in events]
    assert kinds == [
        ("CERTIFICATE_EVENT_TYPE_ISSUED", "issued"),
        ("CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED", "surveillance_passed"),
        ("CERTIFICATE_EVENT_TYPE_SCOPE_CHANGED", "scope_changed"),
        ("CERTIFICATE_EVENT_TYPE_SUSPENDED", "suspended"),
        ("CERTIFICATE_EVENT_TYPE_REINSTATED", "reinstated"),
        ("CERTIFICATE_EVENT_TYPE_RENEWED", "renewed"),
        ("CERTIFICATE_EVENT_TYPE_HOLDER_DETAILS_CHANGED", "holder_details_changed"),
        ("CERTIFICATE_EVENT_TYPE_RETRACTED", "retracted"),
        ("CERTIFICATE_EVENT_TYPE_WITHDRAWN", "withdrawn"),
        ("CERTIFICATE_EVENT_TYPE_ISSUED", "issued"),
        ("CERTIFICATE_EVENT_TYPE_CANCELLED", "cancelled"),
    ]
    _, _, scope, suspended, _, renewed, _, _, withdrawn, _, cancelled = events
    assert scope.scope_changed == pb.CertificateEvent.ScopeChanged(
        scope="Widgets and gadgets",
        sites=[pb.Site(address="2 Hafenweg, Hamburg", scope="Storage")],
        sector_codes=["17", "19"],
    )
    assert suspended.suspended.reason == "major NC"
    assert suspended.suspended.review_by == pb_day("2025-06-01")
    assert renewed.renewed.expiry_date == pb_day("2028-01-09")
    assert withdrawn.withdrawn.reason == "misuse of the mark"
    assert cancelled.cancelled.reason == "end of contract"


def test_a_suspension_without_a_review_date_leaves_review_by_unset(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    client.suspend_certificate("cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"))
    suspended = history(client)[-1].suspended
    assert not suspended.HasField("review_by")


def test_a_transfer_names_the_receiving_certificate_and_its_issue_names_the_replaced_one(
    client, issue
):
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
    transferred = history(client, "Q-1")[-1]
    assert transferred.type == pb.CERTIFICATE_EVENT_TYPE_TRANSFERRED_OUT
    assert transferred.transferred_out.to_certificate == pb.CertificateRef(
        certification_body_id="cb-2", certificate_number="B-9"
    )
    (issued,) = history(client, "B-9", cb="cb-2")
    assert issued.issued.replaces == pb.CertificateRef(
        certification_body_id="cb-1", certificate_number="Q-1"
    )


def test_a_retraction_names_the_retracted_version_as_a_number(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    client.suspend_certificate("cb-1", "Q-1", reason="wrong one", effective_date=D("2025-03-01"))
    client.retract_event(
        "cb-1",
        "Q-1",
        event_version=2,
        reason="published in error",
        effective_date=D("2025-03-02"),
    )
    _, suspended, retraction = history(client)
    assert retraction.type == pb.CERTIFICATE_EVENT_TYPE_RETRACTED
    assert retraction.retracted == pb.CertificateEvent.Retracted(
        retracted_version=2, reason="published in error"
    )
    assert suspended.retracted_by_version == 3


def test_a_holder_details_change_carries_only_the_details_that_changed(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    client.change_holder_details(
        "cb-1", "Q-1", name="Acme AG", address="9 Ring, Berlin", effective_date=D("2025-01-01")
    )
    changed = history(client)[-1]
    assert changed.type == pb.CERTIFICATE_EVENT_TYPE_HOLDER_DETAILS_CHANGED
    assert changed.holder_details_changed.organization == pb.Organization(
        name="Acme AG", country="", address="9 Ring, Berlin"
    )


# Page sizes


def test_a_page_size_above_the_maximum_is_read_as_the_maximum(client, issue, monkeypatch):
    monkeypatch.setattr(convert, "MAX_PAGE_SIZE", 3)
    issue(effective="2024-01-10", expiry="2027-01-09")
    for month in range(1, 5):
        client.record_surveillance("cb-1", "Q-1", effective_date=D(f"2025-0{month}-05"))
    page = client.get_certificate_history("cb-1", "Q-1", page_size=5000)
    assert [e.version for e in page.events] == [1, 2, 3]
    assert page.next_page_token


def test_a_negative_page_size_is_invalid(client, issue):
    issue()
    error = refused(lambda: client.get_certificate_history("cb-1", "Q-1", page_size=-1))
    assert error.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "page_size" in error.message


# Page tokens


def nested_json_token() -> str:
    """What once reached json.loads and ended in RecursionError (INTERNAL)."""
    return base64.urlsafe_b64encode(b"[" * 50_000).decode("ascii")


BAD_TOKENS = {
    "garbage": "not-a-token!",
    "one megabyte": "A" * MiB,
    "deeply nested": nested_json_token(),
    "json of the right shape": base64.urlsafe_b64encode(
        json.dumps(["cb-1", "Q-1", 1]).encode()
    ).decode("ascii"),
}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_malformed_page_token_is_invalid_with_a_short_message(client, issue, token):
    issue()
    error = refused(lambda: client.get_certificate_history("cb-1", "Q-1", page_token=token))
    assert error.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in error.message
    assert len(error.message) < 100
    assert token[:12] not in error.message


def test_a_page_token_given_out_for_another_certificate_is_invalid(client, issue):
    issue("Q-1")
    issue("Q-2")
    client.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-05"))
    token = client.get_certificate_history("cb-1", "Q-1", page_size=1).next_page_token
    assert token
    error = refused(
        lambda: client.get_certificate_history("cb-1", "Q-2", page_size=1, page_token=token)
    )
    assert error.code is grpc.StatusCode.INVALID_ARGUMENT
    assert token not in error.message


def test_a_page_token_of_the_same_number_at_another_cb_is_invalid(client, issue):
    issue("Q-1", cb="cb-1")
    issue("Q-1", cb="cb-2")
    client.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-05"))
    token = client.get_certificate_history("cb-1", "Q-1", page_size=1).next_page_token
    error = refused(
        lambda: client.get_certificate_history("cb-2", "Q-1", page_size=1, page_token=token)
    )
    assert error.code is grpc.StatusCode.INVALID_ARGUMENT


def test_a_page_token_serves_every_spelling_that_names_the_same_certificate(client, issue):
    nfc, nfd = "Zertifikat-\u00dc-1", "Zertifikat-U\u0308-1"
    issue(nfc)
    client.record_surveillance("cb-1", nfc, effective_date=D("2025-01-05"))
    token = client.get_certificate_history("cb-1", nfc, page_size=1).next_page_token
    second = client.get_certificate_history("cb-1", nfd, page_size=1, page_token=token)
    assert [e.version for e in second.events] == [2]


# Page bytes


def large_sites(tag: str, count: int = 1500, length: int = 200) -> list[pb.Site]:
    """``count`` sites whose addresses are ``length`` characters each."""
    return [pb.Site(address=f"{tag} site {n} ".ljust(length, "x"), scope="") for n in range(count)]


def test_a_history_of_large_events_comes_in_pages_under_1_mib_with_every_event_once(client, issue):
    issue(effective="2024-01-10", expiry="2027-01-09")
    for n in range(1, 8):
        client.change_scope(
            "cb-1",
            "Q-1",
            scope=f"scope {n}",
            sites=large_sites(f"change {n}"),
            sector_codes=["17"],
            effective_date=D(f"2025-01-{n:02d}"),
        )
    pages = []
    token = ""
    while True:
        page = client.get_certificate_history("cb-1", "Q-1", page_size=100, page_token=token)
        pages.append(page)
        token = page.next_page_token
        if not token:
            break
    assert len(pages) >= 3
    assert all(page.ByteSize() < MiB for page in pages)
    assert all(page.events for page in pages)
    versions = [event.version for page in pages for event in page.events]
    assert versions == list(range(1, 9))
    assert pages[-1].events[-1].scope_changed.scope == "scope 7"
