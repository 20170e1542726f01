"""Translation between wire messages and the application's plain types."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from google.protobuf import timestamp_pb2
from google.type import date_pb2

from registry.application import views
from registry.domain.status import Status, Warning
from registry.errors import InvalidInputError
from registry.v1 import certificate_service_pb2 as pb

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STATUS_TO_PB = {status: f"CERTIFICATE_STATUS_{status.value}" for status in Status}
WARNING_TO_PB = {warning: f"CERTIFICATE_WARNING_{warning.value}" for warning in Warning}


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


def optional_ref(message: Any, field: str) -> views.CertificateRef | None:
    return ref(getattr(message, field)) if message.HasField(field) else None


def organization(message: pb.Organization) -> views.Organization:
    return views.Organization(message.name, message.country, message.address)


def sites(messages: Any) -> list[views.Site]:
    return [views.Site(site.address, site.scope) for site in messages]


def write_meta(request: Any) -> views.WriteMeta:
    return views.WriteMeta(
        request_id=request.request_id,
        effective_date=optional_date(request, "effective_date"),
        expected_version=optional_version(request),
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
        suspension_review_by=to_date(details.suspension_review_by),
        ended_on=to_date(details.ended_on),
        end_reason=details.end_reason,
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
                    reason=payload.reason, review_by=to_date(payload.review_by)
                ),
            )
        case views.ReinstatedPayload():
            return Event(type=pb.CERTIFICATE_EVENT_TYPE_REINSTATED, reinstated=Event.Reinstated())
        case views.WithdrawnPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_WITHDRAWN,
                withdrawn=Event.Withdrawn(reason=payload.reason),
            )
        case views.CancelledPayload():
            return Event(
                type=pb.CERTIFICATE_EVENT_TYPE_CANCELLED,
                cancelled=Event.Cancelled(reason=payload.reason),
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


def encode_page_token(certificate: views.CertificateRef, after_version: int) -> str:
    body = json.dumps(
        [certificate.certification_body_id, certificate.certificate_number, after_version]
    )
    return base64.urlsafe_b64encode(body.encode("utf-8")).decode("ascii")


def decode_page_token(token: str, certificate: views.CertificateRef) -> int:
    """The version a page token continues after; it must belong to ``certificate``."""
    if not token:
        return 0
    try:
        cb, number, after = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        valid = isinstance(after, int) and after >= 0
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        valid = False
    if not valid or [cb, number] != [
        certificate.certification_body_id,
        certificate.certificate_number,
    ]:
        raise InvalidInputError("page_token is not a token this certificate's history gave out")
    return int(after)
