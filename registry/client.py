"""A small typed client of the registry's gRPC API, usable as it is by other services.

    with RegistryClient("127.0.0.1:50051") as client:
        client.suspend_certificate("cb-1", "Q-1", reason="NC", effective_date=date(2025, 3, 1))
        print(client.get_certificate_status("cb-1", "Q-1", at=date(2025, 3, 20)).status)

Every call has a deadline (``timeout``, default 10 s). Writes get a fresh
``request_id`` unless one is given, and a call that fails with UNAVAILABLE is
retried with the *same* request, so a retried write is applied at most once.
Errors raise ``RegistryClientError`` with the gRPC status code and message.

Over TLS, trust the server's CA (and for mutual TLS present a client certificate,
whose Common Name names the caller, e.g. ``cb:CB-1``)::

    RegistryClient("registry.example:50051", tls_ca=Path("ca.crt"),
                   tls_cert=Path("cb-1.crt"), tls_key=Path("cb-1.key"))

``follow()`` reads the live feed of every event, reconnecting from the last
position it received when the server ends the stream (too far behind, or
restarting): no event twice, none skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NotRequired, TypedDict, TypeVar, Unpack, cast

import grpc
from google.protobuf.message import Message

from registry.client_wire import new_request_id as new_request_id
from registry.client_wire import pb_date as pb_date
from registry.client_wire import pb_timestamp as pb_timestamp
from registry.client_wire import ref as ref
from registry.commands import WRITES, Kind
from registry.trust_client import TrustCalls
from registry.v1 import audit_service_pb2 as audit_pb
from registry.v1 import audit_service_pb2_grpc as audit_pb_grpc
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import certificate_service_pb2_grpc as pb_grpc

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 4
RETRY_BACKOFF = 0.2
# Why a feed stream ends that following it again from the last position mends.
RESUMABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED)

Response = TypeVar("Response")


def feed_position(response: audit_pb.StreamEventsResponse) -> int:
    """The log position a feed message stands at: its event's, or its heartbeat's."""
    item = response.WhichOneof("item")
    if item == "heartbeat":
        return response.heartbeat.log_position
    return int(getattr(response, item).global_position) if item else 0


class RegistryClientError(Exception):
    """A call the server refused or could not answer; ``code`` says why."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message


def _wire(kind: Kind, value: Any) -> Any:
    """A write field's value as its request takes it."""
    match kind:
        case Kind.DATE:
            return pb_date(value)
        case Kind.SITES | Kind.SECTOR_CODES:
            return list(value)
        case Kind.TEXT | Kind.INT | Kind.FLAG | Kind.ORGANIZATION | Kind.CERTIFICATE:
            return value


def write_request(
    command: str,
    certification_body_id: str,
    certificate_number: str,
    *,
    effective_date: date | None = None,
    request_id: str | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> Message:
    """The request of the write named ``command`` in ``registry.commands.WRITES``, with its
    ``fields`` (as ``RegistryClient.write`` takes them); a fresh request id if none."""
    described = WRITES[command]
    request: Message = getattr(pb, f"{described.rpc}Request")(
        certificate=ref(certification_body_id, certificate_number),
        request_id=request_id or new_request_id(),
        effective_date=pb_date(effective_date),
        expected_version=expected_version,
        **{name: _wire(described.field(name).kind, value) for name, value in fields.items()},
    )
    return request


# The field of ``BatchCommand`` that holds each kind of write request.
BATCH_FIELDS = {
    getattr(field.message_type, "name", ""): field.name
    for field in pb.BatchCommand.DESCRIPTOR.oneofs_by_name["command"].fields
}


def batch_command(request: Message) -> pb.BatchCommand:
    """A write request (see ``write_request``) as one command of a batch."""
    command = pb.BatchCommand()
    getattr(command, BATCH_FIELDS[request.DESCRIPTOR.name]).CopyFrom(request)
    return command


class WriteOptions(TypedDict, total=False):
    """What every write may carry besides its fields."""

    effective_date: date | None
    request_id: str | None
    expected_version: int | None


class NewCertificate(WriteOptions):
    """What a new certificate holds, issued or taken over."""

    organization: pb.Organization
    standard: str
    scope: str
    expiry_date: date
    sites: NotRequired[Sequence[pb.Site]]
    sector_codes: NotRequired[Iterable[str]]


Pem = Path | bytes


def _pem(value: Pem | None) -> bytes | None:
    return value.read_bytes() if isinstance(value, Path) else value


def open_channel(
    target: str,
    *,
    tls_ca: Pem | None = None,
    tls_cert: Pem | None = None,
    tls_key: Pem | None = None,
) -> grpc.Channel:
    """A plaintext channel to ``target``; with ``tls_ca``, a TLS channel trusting that CA
    (PEM: a file or its bytes), presenting the client certificate ``tls_cert`` with its
    key ``tls_key`` if given (mutual TLS)."""
    if (tls_cert is None) != (tls_key is None):
        raise ValueError("tls_cert and tls_key go together: give both, or neither")
    if tls_ca is None:
        if tls_cert is not None:
            raise ValueError("a client certificate needs tls_ca, the CA of the server's")
        return grpc.insecure_channel(target)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_pem(tls_ca),
        private_key=_pem(tls_key),
        certificate_chain=_pem(tls_cert),
    )
    return grpc.secure_channel(target, credentials)


TokenSource = Callable[[str, Any], str | None]
"""Given a call's method (``/registry.v1.Service/Method``) and request, the bearer token to
send with it (None: none)."""


class _Bearer(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):  # type: ignore[misc]
    """Adds ``authorization: Bearer <token>`` to each call that has a token."""

    def __init__(self, source: TokenSource) -> None:
        self.source = source

    def _details(self, details: Any, request: Any) -> Any:
        token = self.source(details.method, request)
        if token is None:
            return details
        metadata = [*(details.metadata or ()), ("authorization", f"Bearer {token}")]
        return details._replace(metadata=metadata)

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details, request), request)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details, request), request)


class RegistryClient(TrustCalls):
    """One channel to a registry server; thread-safe, close it (or use ``with``) when done.

    Plaintext, or TLS with ``tls_ca`` (see ``open_channel``); or over ``channel``.
    ``token``: the bearer token every call carries (see ``registry admin token create``);
    or ``token_source`` to choose one per call. Without either, calls are anonymous.
    """

    def __init__(
        self,
        target: str = "127.0.0.1:50051",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        channel: grpc.Channel | None = None,
        token: str | None = None,
        token_source: TokenSource | None = None,
        tls_ca: Pem | None = None,
        tls_cert: Pem | None = None,
        tls_key: Pem | None = None,
    ) -> None:
        if channel is not None and any(v is not None for v in (tls_ca, tls_cert, tls_key)):
            raise ValueError("give a channel, or TLS settings for one, not both")
        self._base_channel = channel or open_channel(
            target, tls_ca=tls_ca, tls_cert=tls_cert, tls_key=tls_key
        )
        if token is not None and token_source is None:
            token_source = lambda method, request: token  # noqa: E731
        self.channel = (
            grpc.intercept_channel(self._base_channel, _Bearer(token_source))
            if token_source is not None
            else self._base_channel
        )
        self.stub = pb_grpc.CertificateServiceStub(self.channel)
        self.audit = audit_pb_grpc.AuditServiceStub(self.channel)
        self.timeout = timeout
        self.retries = retries
        self._owns_channel = True

    def with_token(self, token: str) -> RegistryClient:
        """A client over this one's channel whose every call carries ``token``; closing it
        leaves the channel open (it is this client's to close)."""
        other = RegistryClient(
            channel=self._base_channel, token=token, timeout=self.timeout, retries=self.retries
        )
        other._owns_channel = False
        return other

    def close(self) -> None:
        if self._owns_channel:
            self._base_channel.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(
        self, method: Callable[..., Response], request: Any, *, timeout: float | None = None
    ) -> Response:
        for attempt in range(self.retries + 1):
            try:
                return method(request, timeout=timeout or self.timeout)
            except grpc.RpcError as error:
                code = error.code()
                if code is grpc.StatusCode.UNAVAILABLE and attempt < self.retries:
                    time.sleep(RETRY_BACKOFF * 2**attempt)
                    continue
                raise RegistryClientError(code, error.details() or "") from None
        raise AssertionError("unreachable")

    def write(
        self,
        command: str,
        certification_body_id: str,
        certificate_number: str,
        *,
        effective_date: date | None = None,
        request_id: str | None = None,
        expected_version: int | None = None,
        **fields: Any,
    ) -> Message:
        """Send the write named ``command`` in ``registry.commands.WRITES`` (``"suspend"``,
        ``"change-scope"``, …) with its ``fields``: dates as ``date``, sites as ``Site``
        messages, an organization or a certificate as its message."""
        request = write_request(
            command,
            certification_body_id,
            certificate_number,
            effective_date=effective_date,
            request_id=request_id,
            expected_version=expected_version,
            **fields,
        )
        response: Message = self._call(getattr(self.stub, WRITES[command].rpc), request)
        return response

    def publish_batch(
        self, commands: Iterable[pb.BatchCommand], *, timeout: float | None = None
    ) -> pb.PublishBatchResponse:
        """Send up to 1,000 commands (see ``batch_command``) in one call; one result per
        command, in order. Retried while the server is unavailable: each command is
        idempotent by its own ``request_id``."""
        request = pb.PublishBatchRequest(commands=list(commands))
        return self._call(self.stub.PublishBatch, request, timeout=timeout)

    # Writes

    def issue_certificate(
        self,
        certification_body_id: str,
        certificate_number: str,
        **fields: Unpack[NewCertificate],
    ) -> pb.IssueCertificateResponse:
        response = self.write("issue", certification_body_id, certificate_number, **fields)
        return cast(pb.IssueCertificateResponse, response)

    def record_surveillance(
        self, certification_body_id: str, certificate_number: str, **meta: Unpack[WriteOptions]
    ) -> pb.RecordSurveillanceResponse:
        response = self.write("surveil", certification_body_id, certificate_number, **meta)
        return cast(pb.RecordSurveillanceResponse, response)

    def change_scope(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        scope: str,
        sites: Sequence[pb.Site] = (),
        sector_codes: Iterable[str] = (),
        **meta: Unpack[WriteOptions],
    ) -> pb.ChangeScopeResponse:
        response = self.write(
            "change-scope",
            certification_body_id,
            certificate_number,
            scope=scope,
            sites=sites,
            sector_codes=sector_codes,
            **meta,
        )
        return cast(pb.ChangeScopeResponse, response)

    def suspend_certificate(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        reason: str,
        review_by: date | None = None,
        reason_confidential: bool = False,
        **meta: Unpack[WriteOptions],
    ) -> pb.SuspendCertificateResponse:
        """``reason_confidential``: only the admin, the CB and its ABs may read the reason."""
        response = self.write(
            "suspend",
            certification_body_id,
            certificate_number,
            reason=reason,
            review_by=review_by,
            reason_confidential=reason_confidential,
            **meta,
        )
        return cast(pb.SuspendCertificateResponse, response)

    def reinstate_certificate(
        self, certification_body_id: str, certificate_number: str, **meta: Unpack[WriteOptions]
    ) -> pb.ReinstateCertificateResponse:
        response = self.write("reinstate", certification_body_id, certificate_number, **meta)
        return cast(pb.ReinstateCertificateResponse, response)

    def withdraw_certificate(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        reason: str,
        reason_confidential: bool = False,
        **meta: Unpack[WriteOptions],
    ) -> pb.WithdrawCertificateResponse:
        """``reason_confidential`` as for ``suspend_certificate``."""
        response = self.write(
            "withdraw",
            certification_body_id,
            certificate_number,
            reason=reason,
            reason_confidential=reason_confidential,
            **meta,
        )
        return cast(pb.WithdrawCertificateResponse, response)

    def cancel_certificate(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        reason: str,
        reason_confidential: bool = False,
        **meta: Unpack[WriteOptions],
    ) -> pb.CancelCertificateResponse:
        """``reason_confidential`` as for ``suspend_certificate``."""
        response = self.write(
            "cancel",
            certification_body_id,
            certificate_number,
            reason=reason,
            reason_confidential=reason_confidential,
            **meta,
        )
        return cast(pb.CancelCertificateResponse, response)

    def renew_certificate(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        expiry_date: date,
        **meta: Unpack[WriteOptions],
    ) -> pb.RenewCertificateResponse:
        response = self.write(
            "renew", certification_body_id, certificate_number, expiry_date=expiry_date, **meta
        )
        return cast(pb.RenewCertificateResponse, response)

    def transfer_certificate(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        from_certification_body_id: str,
        from_certificate_number: str,
        **fields: Unpack[NewCertificate],
    ) -> pb.TransferCertificateResponse:
        """Issue the receiving CB's new certificate in place of another CB's (IAF MD 2):
        ``effective_date`` is the transfer date; both certificates change, or neither."""
        response = self.write(
            "transfer",
            certification_body_id,
            certificate_number,
            from_certificate=ref(from_certification_body_id, from_certificate_number),
            **fields,
        )
        return cast(pb.TransferCertificateResponse, response)

    def change_holder_details(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        name: str = "",
        country: str = "",
        address: str = "",
        **meta: Unpack[WriteOptions],
    ) -> pb.ChangeHolderDetailsResponse:
        organization = pb.Organization(name=name, country=country, address=address)
        response = self.write(
            "change-holder",
            certification_body_id,
            certificate_number,
            organization=organization,
            **meta,
        )
        return cast(pb.ChangeHolderDetailsResponse, response)

    def retract_event(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        event_version: int,
        reason: str,
        **meta: Unpack[WriteOptions],
    ) -> pb.RetractEventResponse:
        response = self.write(
            "retract",
            certification_body_id,
            certificate_number,
            event_version=event_version,
            reason=reason,
            **meta,
        )
        return cast(pb.RetractEventResponse, response)

    # Queries

    def get_certificate_status(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        at: date | None = None,
        as_of: datetime | None = None,
    ) -> pb.GetCertificateStatusResponse:
        request = pb.GetCertificateStatusRequest(
            certificate=ref(certification_body_id, certificate_number),
            at=pb_date(at),
            as_of=pb_timestamp(as_of),
        )
        return self._call(self.stub.GetCertificateStatus, request)

    def get_certificate_history(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        page_size: int = 0,
        page_token: str = "",
        as_of: datetime | None = None,
    ) -> pb.GetCertificateHistoryResponse:
        request = pb.GetCertificateHistoryRequest(
            certificate=ref(certification_body_id, certificate_number),
            page_size=page_size,
            page_token=page_token,
            as_of=pb_timestamp(as_of),
        )
        return self._call(self.stub.GetCertificateHistory, request)

    def iter_certificate_history(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        page_size: int = 0,
        as_of: datetime | None = None,
    ) -> Iterator[pb.CertificateEvent]:
        """Every event of the certificate, fetching page after page."""
        token = ""
        while True:
            page = self.get_certificate_history(
                certification_body_id,
                certificate_number,
                page_size=page_size,
                page_token=token,
                as_of=as_of,
            )
            yield from page.events
            token = page.next_page_token
            if not token:
                return

    def search_certificates(
        self,
        *,
        organization_name: str = "",
        certificate_number: str = "",
        certification_body_id: str = "",
        standard: str = "",
        country: str = "",
        sector_code: str = "",
        status: str = "",
        at: date | None = None,
        page_size: int = 0,
        page_token: str = "",
    ) -> pb.SearchCertificatesResponse:
        """One page of certificates matching every criterion given (``status`` by name,
        e.g. ``"VALID"``)."""
        request = pb.SearchCertificatesRequest(
            organization_name=organization_name,
            certificate_number=certificate_number,
            certification_body_id=certification_body_id,
            standard=standard,
            country=country,
            sector_code=sector_code,
            status=f"CERTIFICATE_STATUS_{status}" if status else None,
            at=pb_date(at),
            page_size=page_size,
            page_token=page_token,
        )
        return self._call(self.stub.SearchCertificates, request)

    def list_events(
        self,
        certification_body_id: str,
        *,
        recorded_after: datetime | None = None,
        recorded_before: datetime | None = None,
        types: Sequence[int | str] = (),
        standard: str = "",
        kinds: Sequence[int] = (),
        page_size: int = 0,
        page_token: str = "",
    ) -> audit_pb.ListEventsResponse:
        """One page of a CB's events (``types`` as enum values, or by name, e.g.
        ``"SUSPENDED"``; ``kinds`` as ``EventKind`` values)."""
        request = audit_pb.ListEventsRequest(
            certification_body_id=certification_body_id,
            recorded_after=pb_timestamp(recorded_after),
            recorded_before=pb_timestamp(recorded_before),
            types=list[Any](
                f"CERTIFICATE_EVENT_TYPE_{t}" if isinstance(t, str) else t for t in types
            ),
            standard=standard,
            kinds=list[Any](kinds),
            page_size=page_size,
            page_token=page_token,
        )
        return self._call(self.audit.ListEvents, request)

    def get_issuance_report(
        self,
        certification_body_id: str,
        *,
        at: date | None = None,
        as_of: datetime | None = None,
    ) -> audit_pb.GetIssuanceReportResponse:
        request = audit_pb.GetIssuanceReportRequest(
            certification_body_id=certification_body_id, at=pb_date(at), as_of=pb_timestamp(as_of)
        )
        return self._call(self.audit.GetIssuanceReport, request)

    # The feed

    def stream_events(
        self,
        from_position: int = 0,
        *,
        certification_body_ids: Iterable[str] = (),
        types: Iterable[int] = (),
        kinds: Iterable[int] = (),
    ) -> Any:
        """One StreamEvents call, no deadline: iterate it for ``StreamEventsResponse``s,
        ``cancel()`` it to stop; a refusal raises ``grpc.RpcError`` while iterating."""
        request = audit_pb.StreamEventsRequest(
            from_position=from_position,
            certification_body_ids=list(certification_body_ids),
            types=list[Any](types),
            kinds=list[Any](kinds),
        )
        return self.audit.StreamEvents(request)

    def follow(
        self,
        from_position: int = 0,
        *,
        certification_body_ids: Iterable[str] = (),
        types: Iterable[int] = (),
        kinds: Iterable[int] = (),
        heartbeats: bool = False,
    ) -> Iterator[audit_pb.StreamEventsResponse]:
        """Every event after ``from_position`` as it is recorded (with ``heartbeats``,
        the heartbeats too), forever. A stream the server ends as resumable is followed
        again from the last position received; after ``retries`` such ends in a row
        with nothing received, or any other refusal, raises ``RegistryClientError``."""
        cbs, event_types, event_kinds = list(certification_body_ids), list(types), list(kinds)
        position, failures = from_position, 0
        while True:
            call = self.stream_events(
                position, certification_body_ids=cbs, types=event_types, kinds=event_kinds
            )
            try:
                for response in call:
                    failures = 0
                    position = feed_position(response)
                    if heartbeats or response.WhichOneof("item") != "heartbeat":
                        yield response
            except grpc.RpcError as error:
                code = error.code()
                if code not in RESUMABLE or failures >= self.retries:
                    raise RegistryClientError(code, error.details() or "") from None
                time.sleep(RETRY_BACKOFF * 2**failures)
                failures += 1
            finally:
                call.cancel()
