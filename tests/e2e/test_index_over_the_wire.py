"""SearchCertificates, ListEvents and GetIssuanceReport over the wire, on every backend;
and across two server processes sharing a store."""

from __future__ import annotations

import time
from datetime import date

import grpc
import pytest

from registry.client import RegistryClient, RegistryClientError
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import reference_events_pb2 as rpb

D = date.fromisoformat


def issue(
    client: RegistryClient,
    cb: str,
    number: str,
    name: str,
    *,
    effective: str = "2025-01-10",
    expiry: str = "2028-01-09",
    country: str = "PL",
) -> None:
    client.issue_certificate(
        cb,
        number,
        organization=pb.Organization(name=name, country=country, address="ul. Piotrkowska 1"),
        standard="ISO 9001:2015",
        scope="Machining",
        sector_codes=["17"],
        sites=[pb.Site(address="ul. Piotrkowska 1")],
        expiry_date=D(expiry),
        effective_date=D(effective),
    )


def test_a_buyer_finds_a_supplier_by_name_and_number(client: RegistryClient) -> None:
    issue(client, "cb-pl", "PL-7", "Łódzkie Zakłady Mechaniczne S.A.")
    issue(client, "cb-de", "PL-7", "Another Holder GmbH", country="DE")
    found = client.search_certificates(organization_name="lodzkie zaklady", at=D("2026-01-01"))
    assert [(c.certificate.certification_body_id, c.status) for c in found.certificates] == [
        ("cb-pl", pb.CERTIFICATE_STATUS_VALID)
    ]
    summary = found.certificates[0]
    assert summary.organization.name == "Łódzkie Zakłady Mechaniczne S.A."
    assert (summary.standard, summary.scope, list(summary.sector_codes)) == (
        "ISO 9001:2015",
        "Machining",
        ["17"],
    )
    assert (summary.expiry_date.year, summary.expiry_date.month) == (2028, 1)
    head = client.get_certificate_status("cb-de", "PL-7").log_position
    assert found.log_position == head and found.at.year == 2026
    by_number = client.search_certificates(certificate_number="PL-7", at=D("2026-01-01"))
    assert sorted(c.certificate.certification_body_id for c in by_number.certificates) == [
        "cb-de",
        "cb-pl",
    ]
    expired = client.search_certificates(
        certificate_number="PL-7", status="EXPIRED", at=D("2028-01-10")
    )
    assert len(expired.certificates) == 2


def test_search_pages_are_stable_and_tokens_are_checked(client: RegistryClient) -> None:
    for n in range(5):
        issue(client, "cb-1", f"N-{n}", f"Widget Works {n}")
    first = client.search_certificates(organization_name="widget", page_size=2, at=D("2026-01-01"))
    seen = [c.certificate.certificate_number for c in first.certificates]
    token = first.next_page_token
    while token:
        page = client.search_certificates(organization_name="widget", page_token=token)
        assert page.at == first.at  # every page is of the first page's day
        seen += [c.certificate.certificate_number for c in page.certificates]
        token = page.next_page_token
    assert sorted(seen) == [f"N-{n}" for n in range(5)]
    token = first.next_page_token
    flipped = token[:4] + ("A" if token[4] != "A" else "B") + token[5:]  # in the query's digest
    for bad in ("garbage", "x" * 10_000, flipped):
        with pytest.raises(RegistryClientError) as refused:
            client.search_certificates(organization_name="widget", page_token=bad)
        assert refused.value.code is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(RegistryClientError) as refused:  # a token of another search
        client.search_certificates(organization_name="works", page_token=first.next_page_token)
    assert refused.value.code is grpc.StatusCode.INVALID_ARGUMENT
    big = client.search_certificates(organization_name="widget", page_size=5000)
    assert len(big.certificates) == 5


def test_bad_search_criteria_are_invalid_argument(client: RegistryClient) -> None:
    for criteria in (
        {"standard": "ISO 12345"},
        {"country": "Poland"},
        {"certificate_number": "\x00"},
    ):
        with pytest.raises(RegistryClientError) as refused:
            client.search_certificates(**criteria)
        assert refused.value.code is grpc.StatusCode.INVALID_ARGUMENT


def test_an_assessor_lists_a_cbs_events_and_its_report(client: RegistryClient) -> None:
    issue(client, "cb-a", "A-1", "Alpha")
    issue(client, "cb-b", "B-1", "Beta")
    client.suspend_certificate(
        "cb-a", "A-1", reason="major nonconformity", effective_date=D("2025-06-01")
    )
    first, third = (e.global_position for e in client.get_certificate_history("cb-a", "A-1").events)
    listed = client.list_events("cb-a")
    assert [(e.global_position, e.type) for e in listed.events] == [
        (first, pb.CERTIFICATE_EVENT_TYPE_ISSUED),
        (third, pb.CERTIFICATE_EVENT_TYPE_SUSPENDED),
    ]
    assert all(e.certificate.certificate_number == "A-1" for e in listed.events)
    assert listed.events[1].suspended.reason == "major nonconformity"
    issued_at = listed.events[0].recorded_at.ToDatetime().replace(tzinfo=None)
    window = client.list_events("cb-a", recorded_before=listed.events[0].recorded_at.ToDatetime())
    assert [e.global_position for e in window.events] == [first], issued_at
    only = client.list_events("cb-a", types=["SUSPENDED"], page_size=1)
    assert [e.global_position for e in only.events] == [third] and not only.next_page_token
    certificates = [rpb.EVENT_KIND_CERTIFICATE]
    paged = client.list_events("cb-a", page_size=1, kinds=certificates)
    rest = client.list_events(
        "cb-a", page_size=1, kinds=certificates, page_token=paged.next_page_token
    )
    assert [e.global_position for e in [*paged.events, *rest.events]] == [first, third]
    report = client.get_issuance_report("cb-a", at=D("2025-12-31"))
    assert report.total == 1
    assert [(c.status, c.count) for c in report.by_status] == [(pb.CERTIFICATE_STATUS_SUSPENDED, 1)]
    earlier = client.get_issuance_report(
        "cb-a", at=D("2025-12-31"), as_of=listed.events[0].recorded_at.ToDatetime()
    )
    assert [(c.status, c.count) for c in earlier.by_status] == [(pb.CERTIFICATE_STATUS_VALID, 1)]
    with pytest.raises(RegistryClientError) as refused:
        client.list_events("")
    assert refused.value.code is grpc.StatusCode.INVALID_ARGUMENT


def test_every_server_process_answers_from_the_one_index(two_servers) -> None:
    _, clients = two_servers
    for n in range(6):
        issue(clients[n % 2], "cb-x", f"X-{n}", f"Shared Holder {n}")
        for client in clients:  # each write is found at once by both processes
            found = client.search_certificates(certificate_number=f"X-{n}", at=D("2026-01-01"))
            assert [c.certificate.certificate_number for c in found.certificates] == [f"X-{n}"]
    assert clients[0].get_issuance_report("cb-x", at=D("2026-01-01")).total == 6


def test_the_index_reports_its_health(client: RegistryClient) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    stub = health_pb2_grpc.HealthStub(client.channel)
    issue(client, "cb-h", "H-1", "Healthy Holder")
    deadline = time.monotonic() + 10
    while True:
        status = stub.Check(health_pb2.HealthCheckRequest(service="registry.index")).status
        if status == health_pb2.HealthCheckResponse.SERVING or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert status == health_pb2.HealthCheckResponse.SERVING


def test_the_index_runner_restarts_when_its_listening_connection_drops(
    postgres_dsn: str, tmp_path, request, caplog
) -> None:
    import psycopg
    from conftest import RunningServer, make_db_url

    from registry import config
    from registry.application.registry import Registry

    running = RunningServer.start(
        Registry(config.persistence_env(make_db_url("postgres", tmp_path, request)))
    )
    try:
        issue(running.client, "cb-l", "L-0", "Before Drop")
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            ended = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
            ).fetchall()
        assert ended
        for n in range(1, 4):
            issue(running.client, "cb-l", f"L-{n}", f"After Drop {n}")
        deadline = time.monotonic() + 20  # the runner starts again a second after it stops
        while True:
            found = running.client.search_certificates(organization_name="drop", at=D("2026-01-01"))
            if len(found.certificates) == 4 or time.monotonic() > deadline:
                break
        assert len(found.certificates) == 4
        assert any("projection index stopped" in r.getMessage() for r in caplog.records)
    finally:
        running.stop()
