"""Accreditation, the credibility check and the access rules, over a real server on every
backend: a buyer verifies anonymously; an AB writes its own accreditations; transfers
need the receiving CB accredited; anonymous callers are rate-limited; refusals are
logged once and never with the token."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

import grpc
import pytest
from conftest import RunningServer, certificate_events, issue_default

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient, RegistryClientError
from registry.domain.principals import ADMIN, accreditation_body, certification_body
from registry.server.access import AccessSettings
from registry.trust_client import verify_request
from registry.v1 import accreditation_service_pb2 as acc_pb
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat


def verdict(name: str) -> int:
    return int(pb.Verdict.Value(f"VERDICT_{name}"))


@pytest.fixture
def trust(db_url: str) -> Iterator[tuple[RunningServer, dict[str, RegistryClient]]]:
    """A server; the admin has registered AB-1 (an MLA signatory since 2020), cb-acc and
    cb-new; AB-1 accredits cb-acc for ISO 9001:2015, sector 17, from 2023. Clients of
    each: admin, ab (AB-1), cb (cb-acc), new (cb-new), buyer (anonymous)."""
    running = RunningServer.start(Registry(config.persistence_env(db_url)))
    admin_token = running.app.credentials.create(ADMIN).token
    target = running.target
    admin = RegistryClient(target, token=admin_token)
    admin.register_accreditation_body(
        "AB-1", name="Accreditation One", country="GB", effective_date=D("2020-01-01")
    )
    admin.record_mla_status("AB-1", "SIGNATORY", effective_date=D("2020-01-01"))
    for cb in ("cb-acc", "cb-new"):
        admin.register_certification_body(cb, name=cb, country="DE", effective_date=D("2020-01-01"))
    create = running.app.credentials.create
    clients = {
        "admin": admin,
        "ab": RegistryClient(target, token=create(accreditation_body("AB-1")).token),
        "cb": RegistryClient(target, token=create(certification_body("cb-acc")).token),
        "new": RegistryClient(target, token=create(certification_body("cb-new")).token),
        "buyer": RegistryClient(target),
    }
    clients["ab"].grant_accreditation(
        "AB-1",
        "cb-acc",
        standards=["ISO 9001:2015"],
        sector_codes=["17"],
        expiry_date=D("2027-12-31"),
        effective_date=D("2023-01-01"),
    )
    issue_default(clients["cb"], "Q-1", cb="cb-acc")
    yield running, clients
    for client in clients.values():
        client.close()
    running.stop()


def test_a_buyer_verifies_anonymously_and_the_answer_follows_the_accreditation(trust):
    _, clients = trust
    buyer, ab = clients["buyer"], clients["ab"]
    answer = buyer.verify_certificate(
        "cb-acc", "Q-1", at=D("2024-06-01"), claimed_organization_name="ACME gmbh"
    )
    assert answer.verdict == verdict("CREDIBLE")
    assert [s.passed for s in answer.steps] == [True] * 5
    assert answer.accreditation_body_id == "AB-1"
    before = answer.as_of
    ab.suspend_accreditation("AB-1", "cb-acc", reason="findings", effective_date=D("2024-05-01"))
    ab.reinstate_accreditation("AB-1", "cb-acc", effective_date=D("2024-08-01"))
    during = buyer.verify_certificate("cb-acc", "Q-1", at=D("2024-06-01"))
    assert during.verdict == verdict("NOT_ACCREDITED")
    failed = [s for s in during.steps if not s.passed]
    assert [acc_pb.VerificationStepKind.Name(s.kind) for s in failed] == [
        "VERIFICATION_STEP_KIND_ACCREDITED",
        "VERIFICATION_STEP_KIND_MLA_SIGNATORY",
    ]
    after = buyer.verify_certificate("cb-acc", "Q-1", at=D("2024-09-01"))
    assert after.verdict == verdict("CREDIBLE")
    then = buyer.verify_certificate("cb-acc", "Q-1", at=D("2024-06-01"), as_of=before.ToDatetime())
    assert then.verdict == verdict("CREDIBLE") and then.as_of == before
    # Search results carry the verdict of their day too.
    found = buyer.search_certificates(certificate_number="Q-1", at=D("2024-06-01"))
    assert [c.verdict for c in found.certificates] == [verdict("NOT_ACCREDITED")]
    found = buyer.search_certificates(certificate_number="Q-1", at=D("2024-09-01"))
    assert [c.verdict for c in found.certificates] == [verdict("CREDIBLE")]


def test_a_supplier_list_is_checked_item_by_item_as_of_one_instant(trust):
    _, clients = trust
    items = [
        verify_request("cb-acc", "Q-1"),
        verify_request("cb-acc", "Q-1", claimed_organization_name="Someone Else Ltd"),
        verify_request("cb-acc", "Q-404"),
        verify_request("cb-acc", "Q-1", at=D("2027-06-01")),
        verify_request("", "Q-1"),
    ]
    answer = clients["buyer"].verify_certificates(items, at=D("2024-06-01"))
    assert [r.code for r in answer.results] == [
        0,
        0,
        0,
        0,
        grpc.StatusCode.INVALID_ARGUMENT.value[0],
    ]
    assert [r.result.verdict for r in answer.results[:4]] == [
        verdict("CREDIBLE"),
        verdict("NOT_VALID"),
        verdict("UNKNOWN"),
        verdict("NOT_VALID"),
    ]
    assert all(r.result.as_of == answer.as_of for r in answer.results[:4])
    assert "certification_body_id" in answer.results[4].message


def test_an_ab_writes_only_its_own_accreditations(trust):
    _, clients = trust
    with pytest.raises(RegistryClientError) as caught:
        clients["cb"].suspend_accreditation("AB-1", "cb-acc", reason="x")
    assert caught.value.code is grpc.StatusCode.PERMISSION_DENIED
    view = clients["buyer"].get_accreditation("AB-1", "cb-acc", at=D("2024-06-01"))
    assert view.accreditation.status == acc_pb.ACCREDITATION_STATUS_ACTIVE
    assert list(view.accreditation.standards) == ["ISO 9001:2015"]


def test_a_transfer_to_a_cb_not_accredited_for_the_standard_changes_neither_certificate(trust):
    running, clients = trust
    old_history = list(clients["buyer"].iter_certificate_history("cb-acc", "Q-1"))
    before = certificate_events(running)
    with pytest.raises(RegistryClientError) as caught:
        clients["new"].transfer_certificate(
            "cb-new",
            "N-1",
            from_certification_body_id="cb-acc",
            from_certificate_number="Q-1",
            organization=pb.Organization(name="Acme GmbH", country="DE", address="Berlin"),
            standard="ISO 9001:2015",
            scope="widgets",
            sector_codes=["17"],
            expiry_date=D("2027-01-09"),
            effective_date=D("2025-03-01"),
        )
    assert caught.value.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "transfer-receiving-cb-accredited" in caught.value.message
    assert certificate_events(running) == before
    assert list(clients["buyer"].iter_certificate_history("cb-acc", "Q-1")) == old_history
    status = clients["buyer"].get_certificate_status("cb-new", "N-1")
    assert status.status == pb.CERTIFICATE_STATUS_UNKNOWN
    # Once AB-1 accredits cb-new for the standard, the same transfer goes through.
    clients["ab"].grant_accreditation(
        "AB-1",
        "cb-new",
        standards=["ISO 9001:2015"],
        sector_codes=["17"],
        expiry_date=D("2027-12-31"),
        effective_date=D("2024-01-01"),
    )
    answer = clients["new"].transfer_certificate(
        "cb-new",
        "N-1",
        from_certification_body_id="cb-acc",
        from_certificate_number="Q-1",
        organization=pb.Organization(name="Acme GmbH", country="DE", address="Berlin"),
        standard="ISO 9001:2015",
        scope="widgets",
        sector_codes=["17"],
        expiry_date=D("2027-01-09"),
        effective_date=D("2025-03-01"),
    )
    assert answer.version == 1


def test_a_deactivated_cb_can_write_nothing_from_that_day(trust):
    _, clients = trust
    clients["admin"].deactivate_body(
        "cb", "cb-acc", reason="ceased trading", effective_date=D("2025-01-01")
    )
    with pytest.raises(RegistryClientError) as caught:
        clients["cb"].record_surveillance("cb-acc", "Q-1", effective_date=D("2025-02-01"))
    assert caught.value.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "certificates-only-for-active-cb" in caught.value.message
    clients["cb"].record_surveillance("cb-acc", "Q-1", effective_date=D("2024-12-01"))


def test_history_shows_the_actor_only_to_those_entitled(trust):
    _, clients = trust
    owner = list(clients["cb"].iter_certificate_history("cb-acc", "Q-1"))
    assert [(e.actor, bool(e.request_id)) for e in owner] == [("cb:cb-acc", True)]
    assert [e.actor for e in clients["ab"].iter_certificate_history("cb-acc", "Q-1")] == [
        "cb:cb-acc"
    ]
    public = list(clients["buyer"].iter_certificate_history("cb-acc", "Q-1"))
    assert [(e.actor, e.request_id) for e in public] == [("", "")]
    assert [e.actor for e in clients["new"].iter_certificate_history("cb-acc", "Q-1")] == [""]


def test_anonymous_callers_beyond_the_rate_are_told_when_to_retry(db_url):
    running = RunningServer.start(
        Registry(config.persistence_env(db_url)), access=AccessSettings(anonymous_rate=2)
    )
    try:
        anonymous = grpc.insecure_channel(running.target)
        call = anonymous.unary_unary(
            "/registry.v1.CertificateService/GetCertificateStatus",
            request_serializer=pb.GetCertificateStatusRequest.SerializeToString,
            response_deserializer=pb.GetCertificateStatusResponse.FromString,
        )
        request = pb.GetCertificateStatusRequest(
            certificate=pb.CertificateRef(certification_body_id="cb-1", certificate_number="Q")
        )
        refused = []
        for _ in range(10):
            try:
                call(request, timeout=10)
            except grpc.RpcError as error:
                refused.append(error)
        anonymous.close()
        assert refused and all(e.code() is grpc.StatusCode.RESOURCE_EXHAUSTED for e in refused)
        hints = [dict(e.trailing_metadata() or ())["retry-after-ms"] for e in refused]
        assert all(int(hint) > 0 for hint in hints)
        # An authenticated caller is not limited.
        for _ in range(10):
            running.client.get_certificate_status("cb-1", "Q")
    finally:
        running.stop()


def test_a_refusal_is_logged_once_with_principal_rpc_and_peer_never_the_token(db_url, caplog):
    caplog.set_level(logging.INFO)
    running = RunningServer.start(Registry(config.persistence_env(db_url)))
    try:
        token = running.app.credentials.create(certification_body("cb-2")).token
        with (
            RegistryClient(running.target, token=token) as other,
            pytest.raises(RegistryClientError) as caught,
        ):
            issue_default(other, "Q-9", cb="cb-1")
        assert caught.value.code is grpc.StatusCode.PERMISSION_DENIED
        with (
            RegistryClient(running.target, token=token + "x") as garbage,
            pytest.raises(RegistryClientError) as caught,
        ):
            garbage.get_certificate_status("cb-1", "Q")
        assert caught.value.code is grpc.StatusCode.UNAUTHENTICATED
    finally:
        running.stop()
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    denied = [line for line in lines if "IssueCertificate" in line]
    assert len(denied) == 1
    assert "cb:cb-2" in denied[0] and "ipv" in denied[0] and "PERMISSION_DENIED" in denied[0]
    assert len([line for line in lines if "GetCertificateStatus" in line]) == 1
    secret = token.split("_", 2)[2]  # rgt_<id>_<secret>: the secret may hold "_" too
    assert not [r for r in caplog.records if secret in r.getMessage()]


def test_an_ab_audits_a_cb_only_for_the_days_it_accredited_it(trust):
    _, clients = trust
    ab, cb = clients["ab"], clients["cb"]
    ab.withdraw_accreditation("AB-1", "cb-acc", reason="ended", effective_date=D("2025-01-01"))
    cb.record_surveillance("cb-acc", "Q-1", effective_date=D("2025-02-01"))  # after: not AB-1's
    issue_default(cb, "Q-2", cb="cb-acc", effective="2024-06-01")  # during: AB-1's
    by_cb = [(e.certificate.certificate_number, e.type) for e in cb.list_events("cb-acc").events]
    assert by_cb == [
        ("Q-1", pb.CERTIFICATE_EVENT_TYPE_ISSUED),
        ("Q-1", pb.CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED),
        ("Q-2", pb.CERTIFICATE_EVENT_TYPE_ISSUED),
    ]
    by_ab = [(e.certificate.certificate_number, e.type) for e in ab.list_events("cb-acc").events]
    assert by_ab == [
        ("Q-1", pb.CERTIFICATE_EVENT_TYPE_ISSUED),
        ("Q-2", pb.CERTIFICATE_EVENT_TYPE_ISSUED),
    ]
    assert ab.get_issuance_report("cb-acc", at=D("2024-12-31")).total == 2
    with pytest.raises(RegistryClientError) as caught:
        ab.get_issuance_report("cb-acc", at=D("2025-06-01"))
    assert caught.value.code is grpc.StatusCode.PERMISSION_DENIED
    stream = ab.stream_events(0, certification_body_ids=["cb-acc"])
    followed = []
    try:
        for message in stream:
            if message.HasField("event"):
                followed.append((message.event.certificate.certificate_number, message.event.type))
            if len(followed) == 2:
                break
    finally:
        stream.cancel()
    assert followed == by_ab
