"""``registry export``: events as commands, or certificates with their status on a day.

Both read the store directly (``--db``, like ``registry db check``), a page of the global
log at a time, so memory stays constant whatever the registry's size; both stop at the
log position they started at, so the export is one consistent cut even while a server
keeps writing.

``export_events`` writes one row per command (``registry.bulk.rows``), in log order, the
directory's, the accreditations' and the catalogue's (``registry.bulk.reference``)
among the certificates': a file that ``registry import`` replays into an empty registry,
giving every body, accreditation, catalogue change and certificate the same events in the
same order, with the same versions (so retractions name the same events), the same
effective dates and payloads, hence the same status and the same verification verdict on
every day. A transfer is one command with two events (the old certificate's
``TransferredOut`` and the new one's ``Issued``): it is written once, where the first of
the two is. A CB's ``AccreditationLinked`` is recorded with a grant, by no command of its
own: it has no row.

An export is the operator's, read from the store: reasons the CB marked confidential
are written whole, with ``reason_confidential`` (and, for certificates,
``suspension_reason_confidential`` and ``end_reason_confidential``), so they import as
confidential again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

from registry.application.registry import Registry
from registry.application.views import (
    CancelledPayload,
    CertificateRef,
    EventView,
    HolderDetailsChangedPayload,
    IssuedPayload,
    LogView,
    ReferenceEventView,
    ReinstatedPayload,
    RenewedPayload,
    RetractedPayload,
    ScopeChangedPayload,
    Site,
    StatusView,
    SurveillancePassedPayload,
    SuspendedPayload,
    TransferredOutPayload,
    WithdrawnPayload,
)
from registry.bulk.reference import BY_EVENT, column_of_field
from registry.bulk.rows import COLUMNS, RowWriter
from registry.store.log import LogPoint

PAGE = 500
CERTIFICATE_COLUMNS = (
    "certification_body_id",
    "certificate_number",
    "status",
    "at",
    "version",
    "organization_name",
    "organization_country",
    "organization_address",
    "standard",
    "scope",
    "sites",
    "sector_codes",
    "original_issue_date",
    "cycle_effective_date",
    "expiry_date",
    "last_audit_date",
    "suspended_since",
    "suspension_reason",
    "suspension_reason_confidential",
    "suspension_review_by",
    "ended_on",
    "end_reason",
    "end_reason_confidential",
    "transferred_to",
    "replaces",
    "warnings",
    "as_of",
    "log_position",
)


@dataclass(frozen=True)
class Window:
    """Events recorded at or after ``since`` and before ``until`` (either open)."""

    since: datetime | None = None
    until: datetime | None = None


def events(
    app: Registry, window: Window = Window(), upto: LogPoint | None = None
) -> Iterator[LogView]:
    """The events of every kind of the log in order, within ``window``, up to ``upto``
    (default: the position last committed when the reading began)."""
    last = upto or app.store.last_point()
    if last is None:
        return
    after = 0
    if window.since is not None:
        before = app.store.point_at(window.since - timedelta(microseconds=1))
        after = before.position if before else 0
    while after < last.position:
        page = app.read_log_views(after, limit=min(PAGE, last.position - after))
        for view in page.events:
            if window.until is not None and view.recorded_at >= window.until:
                return
            yield view
        if page.last_position <= after:
            return
        after = page.last_position


def export_events(
    app: Registry, stream: IO[str], file_format: str, window: Window = Window()
) -> int:
    """Write the events of ``window`` as import rows; returns the number of rows."""
    writer = RowWriter(stream, file_format, COLUMNS)
    written = 0
    # New certificates whose transfer row is written, at the first of its two events,
    # while the other is not read yet: the two are saved together, so this stays tiny.
    halfway: set[CertificateRef] = set()
    for view in events(app, window):
        if isinstance(view, ReferenceEventView):
            reference = reference_row(view)
            if reference is not None:
                writer.write(reference)
                written += 1
            continue
        new = _transferred_to(view)
        if new is None:
            row = event_row(view)
        elif new in halfway:
            halfway.discard(new)
            continue
        else:
            halfway.add(new)
            issued = view if view.certificate == new else app.get_history(new, limit=1).events[0]
            row = _transfer_row(issued, new, position=view.global_position)
        writer.write(row)
        written += 1
    return written


def _transferred_to(view: EventView) -> CertificateRef | None:
    """The new certificate of the transfer ``view`` is one of the two events of."""
    if isinstance(view.payload, TransferredOutPayload):
        return view.payload.to_certificate
    if isinstance(view.payload, IssuedPayload) and view.payload.replaces is not None:
        return view.certificate
    return None


def event_row(view: EventView) -> dict[str, Any]:
    """The import row of the command that recorded ``view`` (not a transfer's)."""
    assert view.certificate is not None
    payload = view.payload
    row = _common(view, view.certificate)
    match payload:
        case IssuedPayload():
            row.update(command="issue", **_new_certificate(payload))
        case SurveillancePassedPayload():
            row.update(command="surveillance")
        case ScopeChangedPayload():
            row.update(
                command="scope",
                scope=payload.scope,
                sites=_sites(payload.sites),
                sector_codes=list(payload.sector_codes),
            )
        case SuspendedPayload():
            row.update(
                command="suspend",
                reason=payload.reason,
                reason_confidential=payload.confidential,
                review_by=_day(payload.review_by),
            )
        case ReinstatedPayload():
            row.update(command="reinstate")
        case WithdrawnPayload():
            row.update(
                command="withdraw", reason=payload.reason, reason_confidential=payload.confidential
            )
        case CancelledPayload():
            row.update(
                command="cancel", reason=payload.reason, reason_confidential=payload.confidential
            )
        case RenewedPayload():
            row.update(command="renew", expiry_date=_day(payload.expiry_date))
        case HolderDetailsChangedPayload():
            organization = payload.organization
            row.update(
                command="holder",
                organization_name=organization.name,
                organization_country=organization.country,
                organization_address=organization.address,
            )
        case RetractedPayload():
            row.update(
                command="retract", event_version=payload.retracted_version, reason=payload.reason
            )
        case _:
            raise TypeError(f"no row for an event {view.type}")
    return row


def reference_row(view: ReferenceEventView) -> dict[str, Any] | None:
    """The row of the directory's, an accreditation's or the catalogue's command that
    recorded ``view`` (None for an event no command records)."""
    command = BY_EVENT.get((view.source, view.type))
    if command is None:
        return None
    row: dict[str, Any] = {
        "command": command.name,
        **{party: getattr(view, party) for party in command.parties},
        "effective_date": _day(view.effective_date),
        "request_id": view.request_id,
        **_informational(view),
    }
    for name, value in view.fields.items():
        column = column_of_field(name)
        if column not in command.columns:
            raise TypeError(f"no column for the field {name} of an event {view.type}")
        row[column] = _plain(value)
    return row


def _plain(value: Any) -> Any:
    """A field's value as a cell holds it: dates as text, within lists and objects too."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _transfer_row(issued: EventView, new: CertificateRef, *, position: int) -> dict[str, Any]:
    payload = issued.payload
    assert isinstance(payload, IssuedPayload) and payload.replaces is not None
    row = _common(issued, new)
    row.update(
        command="transfer",
        from_certification_body_id=payload.replaces.certification_body_id,
        from_certificate_number=payload.replaces.certificate_number,
        position=position,
        **_new_certificate(payload),
    )
    return row


def _common(view: EventView, certificate: CertificateRef) -> dict[str, Any]:
    return {
        "certification_body_id": certificate.certification_body_id,
        "certificate_number": certificate.certificate_number,
        "effective_date": _day(view.effective_date),
        "request_id": view.request_id,
        "expected_version": view.version - 1,
        **_informational(view),
    }


def _informational(view: LogView) -> dict[str, Any]:
    return {
        "position": view.global_position,
        "recorded_at": _instant(view.recorded_at),
        "actor": view.actor,
    }


def _new_certificate(payload: IssuedPayload) -> dict[str, Any]:
    return {
        "organization_name": payload.organization.name,
        "organization_country": payload.organization.country,
        "organization_address": payload.organization.address,
        "standard": payload.standard,
        "scope": payload.scope,
        "sites": _sites(payload.sites),
        "sector_codes": list(payload.sector_codes),
        "expiry_date": _day(payload.expiry_date),
    }


# Certificates


def export_certificates(app: Registry, stream: IO[str], file_format: str, at: date) -> int:
    """Write every certificate with its status on ``at``, as of the log's last position
    when the export began; returns the number of rows."""
    writer = RowWriter(stream, file_format, CERTIFICATE_COLUMNS)
    last = app.store.last_point()
    written = 0
    if last is None:
        return written
    for view in events(app, upto=last):  # each certificate once: at its Issued event
        if isinstance(view, EventView) and isinstance(view.payload, IssuedPayload):
            assert view.certificate is not None
            status = app.get_status(view.certificate, at=at, as_of=last.recorded_at)
            writer.write(certificate_row(status))
            written += 1
    return written


def certificate_row(status: StatusView) -> dict[str, Any]:
    """A certificate's row: its status on the day and its data in effect that day."""
    row: dict[str, Any] = {
        "certification_body_id": status.certificate.certification_body_id,
        "certificate_number": status.certificate.certificate_number,
        "status": status.status.value,
        "at": _day(status.at),
        "version": status.version,
        "warnings": [warning.value for warning in status.warnings],
        "as_of": _instant(status.as_of),
        "log_position": status.log_position,
    }
    details = status.details
    if details is None:
        return row
    row.update(
        organization_name=details.organization.name,
        organization_country=details.organization.country,
        organization_address=details.organization.address,
        standard=details.standard,
        scope=details.scope,
        sites=_sites(details.sites),
        sector_codes=list(details.sector_codes),
        original_issue_date=_day(details.original_issue_date),
        cycle_effective_date=_day(details.cycle_effective_date),
        expiry_date=_day(details.expiry_date),
        last_audit_date=_day(details.last_audit_date),
        suspended_since=_day(details.suspended_since),
        suspension_reason=details.suspension_reason,
        suspension_reason_confidential=details.suspension_reason_confidential,
        suspension_review_by=_day(details.suspension_review_by),
        ended_on=_day(details.ended_on),
        end_reason=details.end_reason,
        end_reason_confidential=details.end_reason_confidential,
        transferred_to=_label(details.transferred_to),
        replaces=_label(details.replaces),
    )
    return row


def _sites(sites: tuple[Site, ...] | list[Site]) -> list[dict[str, str]]:
    return [{"address": s.address, "scope": s.scope} for s in sites]


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _label(ref: CertificateRef | None) -> str:
    return f"{ref.certification_body_id}/{ref.certificate_number}" if ref else ""
