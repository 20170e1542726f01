"""Who may call what, over the wire: every RPC of the registry by nine kinds of caller.

The callers: anonymous, the CB that owns the certificates asked about, another CB,
the AB that accredits the owner, another AB, the admin, and three bad credentials
(a revoked token, an expired one, garbage). Each call is one that succeeds when
allowed, made on state set up for it alone; a refused one answers UNAUTHENTICATED
(no credential, or a bad one) or PERMISSION_DENIED (a principal outside its rights),
and a refused write appends nothing to the log.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import grpc
import pytest
from conftest import RunningServer

from registry import config
from registry.application.registry import Registry
from registry.application.views import CertificateRef, Organization, Site, WriteMeta
from registry.client_wire import pb_date
from registry.domain.bodies import MlaStatus
from registry.domain.principals import ADMIN, Principal, accreditation_body, certification_body
from registry.server.access import POLICY
from registry.v1 import accreditation_service_pb2 as acc_pb
from registry.v1 import audit_service_pb2 as audit_pb
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import directory_service_pb2 as dir_pb
from registry.v1 import standards_service_pb2 as st_pb

D = date.fromisoformat
START = datetime(2026, 5, 1, 12, tzinfo=UTC)
OWNER, OTHER_CB, ACCREDITOR, OTHER_AB = "cb-own", "cb-other", "ab-acc", "ab-other"
OK = grpc.StatusCode.OK
UNAUTH = grpc.StatusCode.UNAUTHENTICATED
DENIED = grpc.StatusCode.PERMISSION_DENIED
CALLERS = (
    "anonymous",
    "owner",
    "other-cb",
    "accreditor",
    "other-ab",
    "admin",
    "revoked",
    "expired",
    "garbage",
)
BAD = {"revoked", "expired", "garbage"}
SERVICES = (
    pb.DESCRIPTOR.services_by_name["CertificateService"],
    audit_pb.DESCRIPTOR.services_by_name["AuditService"],
    dir_pb.DESCRIPTOR.services_by_name["DirectoryService"],
    dir_pb.DESCRIPTOR.services_by_name["AccessService"],
    acc_pb.DESCRIPTOR.services_by_name["AccreditationService"],
    acc_pb.DESCRIPTOR.services_by_name["VerificationService"],
    st_pb.DESCRIPTOR.services_by_name["StandardsService"],
)


class ShiftedClock:
    """A fixed instant, which the test moves ahead (to expire a token)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return START + self.offset


@dataclass
class World:
    running: RunningServer
    app: Registry
    tokens: dict[str, str | None]
    counter: Iterator[int]

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self.counter)}"

    def log_size(self) -> int:
        last = self.app.store.last_point()
        return last.position if last else 0

    # Set-up straight through the application (the access rules are the server's)

    def meta(self, actor: Principal | str, effective: str = "2024-01-10") -> WriteMeta:
        return WriteMeta(self.unique("setup"), effective_date=D(effective), actor=str(actor))

    def certificate(self, cb: str = OWNER) -> str:
        number = self.unique("N")
        self.app.issue_certificate(
            CertificateRef(cb, number),
            self.meta(certification_body(cb)),
            organization=Organization("Acme GmbH", "DE", "Berlin"),
            sites=[Site("Berlin", "")],
            standard="ISO 9001:2015",
            scope="widgets",
            sector_codes=["17"],
            expiry_date=D("2027-01-09"),
        )
        return number

    def body(self, kind: str) -> str:
        body_id = self.unique(kind)
        register = (
            self.app.directory.register_certification_body
            if kind == "cb"
            else self.app.directory.register_accreditation_body
        )
        register(body_id, self.meta(ADMIN, "2020-01-01"), name=body_id, country="DE")
        return body_id

    def accredited(self, cb: str) -> str:
        self.app.directory.grant_accreditation(
            ACCREDITOR,
            cb,
            self.meta(accreditation_body(ACCREDITOR), "2023-01-01"),
            standards=["ISO 9001:2015"],
            sector_codes=["17"],
            expiry_date=D("2027-12-31"),
        )
        return cb


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    clock = ShiftedClock()
    app = Registry(config.persistence_env(db_url), clock=clock)
    running = RunningServer.start(app)
    w = World(running, app, {}, itertools.count())
    directory = app.directory
    for cb in (OWNER, OTHER_CB):
        directory.register_certification_body(
            cb, w.meta(ADMIN, "2020-01-01"), name=cb, country="DE"
        )
    for ab in (ACCREDITOR, OTHER_AB):
        directory.register_accreditation_body(
            ab, w.meta(ADMIN, "2020-01-01"), name=ab, country="GB"
        )
        directory.record_mla_status(ab, w.meta(ADMIN, "2020-01-01"), status=MlaStatus.SIGNATORY)
    w.accredited(OWNER)
    credentials = app.credentials
    w.tokens = {
        "anonymous": None,
        "owner": credentials.create(certification_body(OWNER)).token,
        "other-cb": credentials.create(certification_body(OTHER_CB)).token,
        "accreditor": credentials.create(accreditation_body(ACCREDITOR)).token,
        "other-ab": credentials.create(accreditation_body(OTHER_AB)).token,
        "admin": credentials.create(ADMIN).token,
        "garbage": "rgt_0123456789abcdef_" + "x" * 43,
    }
    revoked = credentials.create(certification_body(OWNER))
    credentials.revoke(revoked.view.token_id)
    w.tokens["revoked"] = revoked.token
    w.tokens["expired"] = credentials.create(
        certification_body(OWNER), expires_at=clock() + timedelta(minutes=1)
    ).token
    clock.offset = timedelta(minutes=2)
    yield w
    running.stop()


# One call per RPC: (method, request factory, who may make it)

Factory = Callable[[World], Any]


def _ref(cb: str, number: str) -> pb.CertificateRef:
    return pb.CertificateRef(certification_body_id=cb, certificate_number=number)


def _write(request_class: Any, prepare: Callable[[World], str] | None = None, **fields: Any):
    """A write on a fresh certificate of the owner (or on a new number when no ``prepare``)."""

    def factory(w: World) -> Any:
        number = prepare(w) if prepare else w.unique("NEW")
        return request_class(
            certificate=_ref(OWNER, number),
            request_id=w.unique("r"),
            effective_date=pb_date(D("2025-03-01")),
            **fields,
        )

    return factory


def _suspended(w: World) -> str:
    number = w.certificate()
    w.app.suspend_certificate(
        CertificateRef(OWNER, number),
        w.meta(certification_body(OWNER), "2025-02-01"),
        reason="NC",
    )
    return number


def _surveilled(w: World) -> str:
    number = w.certificate()
    w.app.record_surveillance(
        CertificateRef(OWNER, number), w.meta(certification_body(OWNER), "2025-01-05")
    )
    return number


NEW_CERTIFICATE = dict(
    organization=pb.Organization(name="Acme GmbH", country="DE", address="Berlin"),
    standard="ISO 9001:2015",
    scope="widgets",
    sector_codes=["17"],
    expiry_date=pb_date(D("2027-01-09")),
)


def _transfer(w: World) -> Any:
    old = w.certificate(OTHER_CB)
    return pb.TransferCertificateRequest(
        certificate=_ref(OWNER, w.unique("T")),
        request_id=w.unique("r"),
        effective_date=pb_date(D("2025-03-01")),
        from_certificate=_ref(OTHER_CB, old),
        **NEW_CERTIFICATE,
    )


def _batch(w: World) -> Any:
    issue = _write(pb.IssueCertificateRequest, **NEW_CERTIFICATE)(w)
    return pb.PublishBatchRequest(commands=[pb.BatchCommand(issue_certificate=issue)])


def _pair(request_class: Any, prepare: Callable[[World], str], **fields: Any) -> Factory:
    """An accreditation write of the accrediting AB on a CB set up for it."""

    def factory(w: World) -> Any:
        return request_class(
            accreditation_body_id=ACCREDITOR,
            certification_body_id=prepare(w),
            request_id=w.unique("r"),
            effective_date=pb_date(D("2024-06-01")),
            **fields,
        )

    return factory


def _suspended_pair(w: World) -> str:
    cb = w.accredited(w.body("cb"))
    w.app.directory.suspend_accreditation(
        ACCREDITOR, cb, w.meta(accreditation_body(ACCREDITOR), "2024-03-01"), reason="NC"
    )
    return cb


def _admin_write(request_class: Any, id_field: str, prepare: Callable[[World], str], **fields):
    def factory(w: World) -> Any:
        return request_class(
            **{id_field: prepare(w)},
            request_id=w.unique("r"),
            effective_date=pb_date(D("2024-06-01")),
            **fields,
        )

    return factory


def _revocable(w: World) -> Any:
    token = w.app.credentials.create(certification_body(OWNER))
    return dir_pb.RevokeTokenRequest(token_id=token.view.token_id)


def _new_edition(w: World) -> Any:
    return st_pb.AddStandardEditionRequest(
        code="ISO 9001", edition=w.unique("E"), title="Quality", request_id=w.unique("r")
    )


def _deadline(w: World) -> Any:
    edition = w.unique("E")
    w.app.catalogue.add_standard_edition(
        w.meta(ADMIN), code="ISO 9001", edition=edition, title="Quality"
    )
    return st_pb.SetTransitionDeadlineRequest(
        designation=f"ISO 9001:{edition}",
        transition_deadline=pb_date(D("2030-12-31")),
        request_id=w.unique("r"),
    )


EVERYONE = {"anonymous", "owner", "other-cb", "accreditor", "other-ab", "admin"}
OWNER_ONLY = {"owner"}
AUDITORS = {"owner", "accreditor", "admin"}
ADMIN_ONLY = {"admin"}
ACCREDITOR_ONLY = {"accreditor"}
GRANT = dict(standards=["ISO 9001:2015"], sector_codes=["17"])

CALLS: dict[str, tuple[Factory, set[str]]] = {
    # CertificateService
    "/registry.v1.CertificateService/IssueCertificate": (
        _write(pb.IssueCertificateRequest, **NEW_CERTIFICATE),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/RecordSurveillance": (
        _write(pb.RecordSurveillanceRequest, World.certificate),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/ChangeScope": (
        _write(pb.ChangeScopeRequest, World.certificate, scope="gadgets"),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/SuspendCertificate": (
        _write(pb.SuspendCertificateRequest, World.certificate, reason="NC"),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/ReinstateCertificate": (
        _write(pb.ReinstateCertificateRequest, _suspended),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/WithdrawCertificate": (
        _write(pb.WithdrawCertificateRequest, World.certificate, reason="fraud"),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/CancelCertificate": (
        _write(pb.CancelCertificateRequest, World.certificate, reason="contract ended"),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/RenewCertificate": (
        _write(pb.RenewCertificateRequest, World.certificate, expiry_date=pb_date(D("2028-01-09"))),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/TransferCertificate": (_transfer, OWNER_ONLY),
    "/registry.v1.CertificateService/ChangeHolderDetails": (
        _write(
            pb.ChangeHolderDetailsRequest,
            World.certificate,
            organization=pb.Organization(name="Acme AG"),
        ),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/RetractEvent": (
        _write(pb.RetractEventRequest, _surveilled, event_version=2, reason="typo"),
        OWNER_ONLY,
    ),
    "/registry.v1.CertificateService/GetCertificateStatus": (
        lambda w: pb.GetCertificateStatusRequest(certificate=_ref(OWNER, w.certificate())),
        EVERYONE,
    ),
    "/registry.v1.CertificateService/GetCertificateHistory": (
        lambda w: pb.GetCertificateHistoryRequest(certificate=_ref(OWNER, w.certificate())),
        EVERYONE,
    ),
    "/registry.v1.CertificateService/PublishBatch": (_batch, OWNER_ONLY),
    "/registry.v1.CertificateService/SearchCertificates": (
        lambda w: pb.SearchCertificatesRequest(organization_name="acme"),
        EVERYONE,
    ),
    # AuditService
    "/registry.v1.AuditService/ListEvents": (
        lambda w: audit_pb.ListEventsRequest(certification_body_id=OWNER),
        AUDITORS,
    ),
    "/registry.v1.AuditService/GetIssuanceReport": (
        lambda w: audit_pb.GetIssuanceReportRequest(certification_body_id=OWNER),
        AUDITORS,
    ),
    "/registry.v1.AuditService/StreamEvents": (
        lambda w: audit_pb.StreamEventsRequest(certification_body_ids=[OWNER]),
        AUDITORS,
    ),
    # DirectoryService
    "/registry.v1.DirectoryService/RegisterCertificationBody": (
        lambda w: dir_pb.RegisterCertificationBodyRequest(
            certification_body_id=w.unique("cb-new"),
            request_id=w.unique("r"),
            name="New",
            country="FR",
        ),
        ADMIN_ONLY,
    ),
    "/registry.v1.DirectoryService/ChangeCertificationBodyDetails": (
        _admin_write(
            dir_pb.ChangeCertificationBodyDetailsRequest,
            "certification_body_id",
            lambda w: w.body("cb"),
            name="Renamed",
        ),
        ADMIN_ONLY,
    ),
    "/registry.v1.DirectoryService/DeactivateCertificationBody": (
        _admin_write(
            dir_pb.DeactivateCertificationBodyRequest,
            "certification_body_id",
            lambda w: w.body("cb"),
            reason="closed",
        ),
        ADMIN_ONLY,
    ),
    "/registry.v1.DirectoryService/GetCertificationBody": (
        lambda w: dir_pb.GetCertificationBodyRequest(certification_body_id=OWNER),
        EVERYONE,
    ),
    "/registry.v1.DirectoryService/RegisterAccreditationBody": (
        lambda w: dir_pb.RegisterAccreditationBodyRequest(
            accreditation_body_id=w.unique("ab-new"),
            request_id=w.unique("r"),
            name="New",
            country="FR",
        ),
        ADMIN_ONLY,
    ),
    "/registry.v1.DirectoryService/ChangeAccreditationBodyDetails": (
        _admin_write(
            dir_pb.ChangeAccreditationBodyDetailsRequest,
            "accreditation_body_id",
            lambda w: w.body("ab"),
            name="Renamed",
        ),
        ADMIN_ONLY,
    ),
    "/registry.v1.DirectoryService/DeactivateAccreditationBody": (
        _admin_write(
            dir_pb.DeactivateAccreditationBodyRequest,
            "accreditation_body_id",
            lambda w: w.body("ab"),
            reason="closed",
        ),
        ADMIN_ONLY,
    ),
    "/registry.v1.DirectoryService/RecordMlaStatus": (
        _admin_write(
            dir_pb.RecordMlaStatusRequest,
            "accreditation_body_id",
            lambda w: w.body("ab"),
            status=dir_pb.MLA_STATUS_SIGNATORY,
        ),
        ADMIN_ONLY,
    ),
    "/registry.v1.DirectoryService/GetAccreditationBody": (
        lambda w: dir_pb.GetAccreditationBodyRequest(accreditation_body_id=ACCREDITOR),
        EVERYONE,
    ),
    # AccessService
    "/registry.v1.AccessService/CreateToken": (
        lambda w: dir_pb.CreateTokenRequest(role=dir_pb.ROLE_CERTIFICATION_BODY, body_id=OWNER),
        ADMIN_ONLY,
    ),
    "/registry.v1.AccessService/RevokeToken": (_revocable, ADMIN_ONLY),
    "/registry.v1.AccessService/ListTokens": (lambda w: dir_pb.ListTokensRequest(), ADMIN_ONLY),
    # AccreditationService
    "/registry.v1.AccreditationService/GrantAccreditation": (
        _pair(
            acc_pb.GrantAccreditationRequest,
            lambda w: w.body("cb"),
            expiry_date=pb_date(D("2028-01-01")),
            **GRANT,
        ),
        ACCREDITOR_ONLY,
    ),
    "/registry.v1.AccreditationService/ChangeAccreditationScope": (
        _pair(
            acc_pb.ChangeAccreditationScopeRequest,
            lambda w: w.accredited(w.body("cb")),
            standards=["ISO 14001:2015"],
        ),
        ACCREDITOR_ONLY,
    ),
    "/registry.v1.AccreditationService/SuspendAccreditation": (
        _pair(
            acc_pb.SuspendAccreditationRequest,
            lambda w: w.accredited(w.body("cb")),
            reason="NC",
        ),
        ACCREDITOR_ONLY,
    ),
    "/registry.v1.AccreditationService/ReinstateAccreditation": (
        _pair(acc_pb.ReinstateAccreditationRequest, _suspended_pair),
        ACCREDITOR_ONLY,
    ),
    "/registry.v1.AccreditationService/WithdrawAccreditation": (
        _pair(
            acc_pb.WithdrawAccreditationRequest,
            lambda w: w.accredited(w.body("cb")),
            reason="ended",
        ),
        ACCREDITOR_ONLY,
    ),
    "/registry.v1.AccreditationService/GetAccreditation": (
        lambda w: acc_pb.GetAccreditationRequest(
            accreditation_body_id=ACCREDITOR, certification_body_id=OWNER
        ),
        EVERYONE,
    ),
    # VerificationService
    "/registry.v1.VerificationService/VerifyCertificate": (
        lambda w: acc_pb.VerifyCertificateRequest(certificate=_ref(OWNER, w.certificate())),
        EVERYONE,
    ),
    "/registry.v1.VerificationService/VerifyCertificates": (
        lambda w: acc_pb.VerifyCertificatesRequest(
            items=[acc_pb.VerifyCertificateRequest(certificate=_ref(OWNER, w.certificate()))]
        ),
        EVERYONE,
    ),
    # StandardsService
    "/registry.v1.StandardsService/AddStandardEdition": (_new_edition, ADMIN_ONLY),
    "/registry.v1.StandardsService/SetTransitionDeadline": (_deadline, ADMIN_ONLY),
    "/registry.v1.StandardsService/ListStandards": (
        lambda w: st_pb.ListStandardsRequest(),
        EVERYONE,
    ),
}


def every_rpc() -> set[str]:
    return {f"/{s.full_name}/{m.name}" for s in SERVICES for m in s.methods}


def test_every_rpc_of_every_service_has_an_access_rule():
    assert every_rpc() - set(POLICY) == set()
    assert set(POLICY) - every_rpc() == set()


def test_the_matrix_calls_every_rpc():
    assert set(CALLS) == every_rpc()


def expected(caller: str, allowed: set[str]) -> grpc.StatusCode:
    if caller in BAD:
        return UNAUTH
    if caller in allowed:
        return OK
    return UNAUTH if caller == "anonymous" else DENIED


def call(w: World, method: str, request: Any, token: str | None) -> grpc.StatusCode:
    """The call's status: OK, or the code it was refused with."""
    channel = grpc.insecure_channel(w.running.target)
    metadata = [("authorization", f"Bearer {token}")] if token else []
    try:
        serialize = type(request).SerializeToString
        if method.endswith("/StreamEvents"):
            stream = channel.unary_stream(method, request_serializer=serialize)
            responses = stream(request, metadata=metadata, timeout=10)
            try:
                next(iter(responses))  # the first event (or heartbeat) arrived
            finally:
                responses.cancel()
            return OK
        unary = channel.unary_unary(method, request_serializer=serialize)
        unary(request, metadata=metadata, timeout=10)
        return OK
    except grpc.RpcError as error:
        return error.code()
    finally:
        channel.close()


@pytest.mark.parametrize("method", sorted(CALLS), ids=lambda m: m.rsplit("/", 1)[-1])
def test_each_caller_gets_its_expected_answer_and_a_refused_write_appends_nothing(
    world: World, method: str
):
    factory, allowed = CALLS[method]
    answers = {}
    for caller in CALLERS:
        request = factory(world)
        before = world.log_size(), len(world.app.credentials.tokens())
        answers[caller] = call(world, method, request, world.tokens[caller])
        if answers[caller] is not OK:
            after = world.log_size(), len(world.app.credentials.tokens())
            assert after == before, f"{caller}'s refused {method} changed the store"
    assert answers == {caller: expected(caller, allowed) for caller in CALLERS}
