"""Translation between wire messages and the application's plain types."""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from google.protobuf import timestamp_pb2
from google.rpc import code_pb2
from google.type import date_pb2

from registry.application import inputs, views
from registry.application.registry import MAX_PAGE_SIZE
from registry.commands import Field, Kind
from registry.domain.status import Status, Warning
from registry.errors import InvalidInputError
from registry.server.access import current_principal
from registry.server.errors import Refusal
from registry.v1 import certificate_service_pb2 as pb

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STATUS_TO_PB = {status: f"CERTIFICATE_STATUS_{status.value}" for status in Status}
WARNING_TO_PB = {warning: f"CERTIFICATE_WARNING_{warning.value}" for warning in Warning}
STATUS_FROM_PB = {pb.CertificateStatus.Value(name): status for status, name in STATUS_TO_PB.items()}
# CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED → "SurveillancePassed", the event's kind.
KIND_OF_EVENT_TYPE = {
    value.number: "".join(
        word.capitalize() for word in value.name.removeprefix("CERTIFICATE_EVENT_TYPE_").split("_")
    )
    for value in pb.CertificateEventType.DESCRIPTOR.values
    if value.number
}

DEFAULT_PAGE_SIZE = 100
# Every history page stays under 1 MiB: its events fill at most this many bytes,
# which leaves room for the page token and the page's other fields.
MAX_RESPONSE_BYTES = 1024 * 1024
PAGE_EVENT_BYTES = MAX_RESPONSE_BYTES - 4096


def optional_date(message: Any, field: str) -> date | None:
    """The date in ``message.field``, None if unset; a malformed date is invalid input."""
    if not message.HasField(field):
        return None
    value: date_pb2.Date = getattr(message, field)
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise InvalidInputError(
            f"{field} is not a valid calendar date: "
            f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        ) from None


def optional_instant(message: Any, field: str) -> datetime | None:
    if not message.HasField(field):
        return None
    value: timestamp_pb2.Timestamp = getattr(message, field)
    try:
        return value.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidInputError(f"{field} is not a valid timestamp") from None


def optional_version(message: Any, field: str = "expected_version") -> int | None:
    return int(getattr(message, field)) if message.HasField(field) else None


def ref(message: pb.CertificateRef) -> views.CertificateRef:
    return views.CertificateRef(message.certification_body_id, message.certificate_number)


def organization(message: pb.Organization) -> views.Organization:
    return views.Organization(message.name, message.country, message.address)


def sites(messages: Any) -> list[views.Site]:
    return [views.Site(site.address, site.scope) for site in messages]


def argument(request: Any, field: Field) -> Any:
    """A write request's field as the plain value its use case takes."""
    value = getattr(request, field.name)
    match field.kind:
        case Kind.TEXT | Kind.INT | Kind.FLAG:
            return value
        case Kind.DATE:
            return optional_date(request, field.name)
        case Kind.SITES:
            return sites(value)
        case Kind.SECTOR_CODES:
            return list(value)
        case Kind.ORGANIZATION:
            return organization(value)
        case Kind.CERTIFICATE:
            return ref(value)


def write_meta(request: Any) -> views.WriteMeta:
    """What every write carries, and who sends it (the call's principal)."""
    return views.WriteMeta(
        request_id=request.request_id,
        effective_date=optional_date(request, "effective_date"),
        expected_version=optional_version(request),
        actor=str(current_principal()),
    )


def to_date(value: date | None) -> date_pb2.Date | None:
    if value is None:
        return None
    return date_pb2.Date(year=value.year, month=value.month, day=value.day)


def to_timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    # Plain arithmetic: Timestamp.FromDatetime costs several times more per call.
    delta = value - EPOCH
    return timestamp_pb2.Timestamp(
        seconds=delta.days * 86_400 + delta.seconds, nanos=delta.microseconds * 1000
    )


def to_ref(value: views.CertificateRef | None) -> pb.CertificateRef | None:
    if value is None:
        return None
    return pb.CertificateRef(
        certification_body_id=value.certification_body_id,
        certificate_number=value.certificate_number,
    )


def to_written(response_class: Any, result: views.WriteResult) -> Any:
    """A write's response: the version and recorded time; a transfer's also the replaced
    certificate's version (``from_version``)."""
    response = response_class(version=result.version, recorded_at=to_timestamp(result.recorded_at))
    if "from_version" in response_class.DESCRIPTOR.fields_by_name:
        response.from_version = result.from_version or 0
    return response


def to_batch_result(outcome: views.WriteResult | Refusal) -> pb.BatchResult:
    """One batch command's result: its version and time, or its refusal's code and message."""
    if isinstance(outcome, views.WriteResult):
        return pb.BatchResult(
            code=code_pb2.OK,
            version=outcome.version,
            recorded_at=to_timestamp(outcome.recorded_at),
            from_version=outcome.from_version or 0,
        )
    return pb.BatchResult(code=outcome.code.value[0], message=outcome.message)


def to_certificate(details: views.CertificateDetails) -> pb.Certificate:
    return pb.Certificate(
        certificate=to_ref(details.certificate),
        organization=to_organization(details.organization),
        sites=to_sites(details.sites),
        standard=details.standard,
        scope=details.scope,
        sector_codes=details.sector_codes,
        original_issue_date=to_date(details.original_issue_date),
        cycle_effective_date=to_date(details.cycle_effective_date),
        expiry_date=to_date(details.expiry_date),
        last_audit_date=to_date(details.last_audit_date),
        suspended_since=to_date(details.suspended_since),
        suspension_reason=details.suspension_reason,
        suspension_reason_confidential=details.suspension_reason_confidential,
        suspension_review_by=to_date(details.suspension_review_by),
        ended_on=to_date(details.ended_on),
        end_reason=details.end_reason,
        end_reason_confidential=details.end_reason_confidential,
        transferred_to=to_ref(details.transferred_to),
        replaces=to_ref(details.replaces),
    )


def to_organization(value: views.Organization) -> pb.Organization:
    return pb.Organization(name=value.name, country=value.country, address=value.address)


def to_sites(values: Sequence[views.Site]) -> list[pb.Site]:
    return [pb.Site(address=site.address, scope=site.scope) for site in values]


def to_status_response(view: views.StatusView) -> pb.GetCertificateStatusResponse:
    return pb.GetCertificateStatusResponse(
        status=STATUS_TO_PB[view.status],
        certificate=to_certificate(view.details) if view.details else None,
        warnings=[WARNING_TO_PB[w] for w in view.warnings],
        version=view.version,
        at=to_date(view.at),
        as_of=to_timestamp(view.as_of),
        log_position=view.log_position,
    )


def to_event(view: views.EventView) -> pb.CertificateEvent:
    event = pb.CertificateEvent(
        global_position=view.global_position,
        version=view.version,
        recorded_at=to_timestamp(view.recorded_at),
        effective_date=to_date(view.effective_date),
        actor=view.actor,
        request_id=view.request_id,
        retracted_by_version=view.retracted_by_version,
        certificate=to_ref(view.certificate),
    )
    event.MergeFrom(to_payload(view.payload))
    return event


def to_payload(payload: views.EventPayload) -> pb.CertificateEvent:
    """An event holding only its type and its payload."""
    Event = pb.CertificateEvent
    match payload:
        case views.IssuedPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_ISSUED,
                issued=Event.Issued(
                    organization=to_organization(payload.organization),
                    sites=to_sites(payload.sites),
                    standard=payload.standard,
                    scope=payload.scope,
                    sector_codes=payload.sector_codes,
                    expiry_date=to_date(payload.expiry_date),
                    replaces=to_ref(payload.replaces),
                ),
            )
        case views.SurveillancePassedPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED,
                surveillance_passed=Event.SurveillancePassed(),
            )
        case views.ScopeChangedPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_SCOPE_CHANGED,
                scope_changed=Event.ScopeChanged(
                    scope=payload.scope,
                    sites=to_sites(payload.sites),
                    sector_codes=payload.sector_codes,
                ),
            )
        case views.SuspendedPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_SUSPENDED,
                suspended=Event.Suspended(
                    reason=payload.reason,
                    review_by=to_date(payload.review_by),
                    reason_confidential=payload.confidential,
                ),
            )
        case views.ReinstatedPayload():
            return Event(type=pb.CERTIFICATE_EVENT_TYPE_REINSTATED, reinstated=Event.Reinstated())
        case views.WithdrawnPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_WITHDRAWN,
                withdrawn=Event.Withdrawn(
                    reason=payload.reason, reason_confidential=payload.confidential
                ),
            )
        case views.CancelledPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_CANCELLED,
                cancelled=Event.Cancelled(
                    reason=payload.reason, reason_confidential=payload.confidential
                ),
            )
        case views.RenewedPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_RENEWED,
                renewed=Event.Renewed(expiry_date=to_date(payload.expiry_date)),
            )
        case views.TransferredOutPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_TRANSFERRED_OUT,
                transferred_out=Event.TransferredOut(to_certificate=to_ref(payload.to_certificate)),
            )
        case views.HolderDetailsChangedPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_HOLDER_DETAILS_CHANGED,
                holder_details_changed=Event.HolderDetailsChanged(
                    organization=to_organization(payload.organization)
                ),
            )
        case views.RetractedPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_RETRACTED,
                retracted=Event.Retracted(
                    retracted_version=payload.retracted_version, reason=payload.reason
                ),
            )
    raise TypeError(f"no message for an event payload {type(payload).__name__}")


# History pages


def page_size(requested: int, default: int = DEFAULT_PAGE_SIZE) -> int:
    """How many items a page may hold: 0 is ``default``, more than the maximum is the
    maximum (AIP-158), a negative size is invalid input."""
    if requested < 0:
        raise InvalidInputError("page_size must not be negative")
    return min(requested, MAX_PAGE_SIZE) if requested else default


def to_history_response(
    page: views.HistoryPage,
    certificate: views.CertificateRef,
    *,
    max_event_bytes: int = PAGE_EVENT_BYTES,
) -> pb.GetCertificateHistoryResponse:
    """The page as a response whose events fill at most ``max_event_bytes``.

    Events that would not fit are left for the next page, whose token continues
    after the last event included; the first event is always included, so every
    page makes progress.
    """
    events: list[pb.CertificateEvent] = []
    used = 0
    for view in page.events:
        event = to_event(view)
        size = event.ByteSize()
        cost = 1 + _varint_size(size) + size  # the field's tag, its length, the event
        if events and used + cost > max_event_bytes:
            break
        events.append(event)
        used += cost
    if len(events) < len(page.events):
        next_version: int | None = events[-1].version
    else:
        next_version = page.next_version
    return pb.GetCertificateHistoryResponse(
        events=events,
        next_page_token=encode_page_token(certificate, next_version) if next_version else "",
        as_of=to_timestamp(page.as_of) if page.as_of is not None else None,
        log_position=page.log_position,
    )


def _varint_size(value: int) -> int:
    return max(1, (value.bit_length() + 6) // 7)


# A page token: base64url (unpadded) of a format version, a digest of the
# certificate it was given out for, and the version the next page continues after.
_TOKEN_FORMAT = 1
_TOKEN = struct.Struct(">B16sq")  # int64 like the versions it counts
_TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_BAD_TOKEN = "page_token is not a token this certificate's history gave out"


def _certificate_digest(certificate: views.CertificateRef) -> bytes:
    # Of the ids as the registry uses them (NFC): spellings that name one certificate share
    # its tokens.
    certificate = inputs.ref(certificate)
    digest = hashlib.sha256(b"registry.v1 history page token")
    for part in (certificate.certification_body_id, certificate.certificate_number):
        encoded = part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    return digest.digest()[:16]


def pack_token(layout: struct.Struct, *values: Any) -> str:
    """An opaque page token: base64url (unpadded) of ``values`` packed by ``layout``."""
    return base64.urlsafe_b64encode(layout.pack(*values)).rstrip(b"=").decode("ascii")


def unpack_token(token: str, layout: struct.Struct, refusal: str) -> tuple[Any, ...]:
    """The values of a token ``pack_token`` made with ``layout``.

    The token's length and alphabet are checked before it is decoded, so whatever
    a client sends costs next to nothing to refuse; the message never repeats it.
    """
    length = len(base64.urlsafe_b64encode(bytes(layout.size)).rstrip(b"="))
    if len(token) != length or not _TOKEN_ALPHABET.fullmatch(token):
        raise InvalidInputError(refusal)
    padding = "=" * (-len(token) % 4)
    return layout.unpack(base64.urlsafe_b64decode(token + padding))


def encode_page_token(certificate: views.CertificateRef, after_version: int) -> str:
    return pack_token(_TOKEN, _TOKEN_FORMAT, _certificate_digest(certificate), after_version)


def decode_page_token(token: str, certificate: views.CertificateRef) -> int:
    """The version a page token continues after; it must belong to ``certificate``."""
    if not token:
        return 0
    token_format, digest, after = unpack_token(token, _TOKEN, _BAD_TOKEN)
    if token_format != _TOKEN_FORMAT or digest != _certificate_digest(certificate) or after < 1:
        raise InvalidInputError(_BAD_TOKEN)
    return int(after)
