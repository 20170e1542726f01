"""A certificate's stored events as views: the common fields and a typed payload per kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from registry.application.views import (
    CancelledPayload,
    CertificateRef,
    EventPayload,
    EventView,
    HolderDetailsChangedPayload,
    IssuedPayload,
    Organization,
    ReinstatedPayload,
    RenewedPayload,
    RetractedPayload,
    ScopeChangedPayload,
    Site,
    SurveillancePassedPayload,
    SuspendedPayload,
    TransferredOutPayload,
    WithdrawnPayload,
)
from registry.domain.certificate import Certificate


def event_view(
    event: Certificate.Event,
    retracted_by: int | None,
    global_position: int = 0,
    *,
    certificate: CertificateRef | None = None,
) -> EventView:
    """``event`` as a view; ``retracted_by`` is the version of the retraction that cancelled it."""
    return EventView(
        version=event.originator_version,
        type=event.kind,
        effective_date=event.effective_date,
        recorded_at=event.timestamp,
        actor=event.actor,
        request_id=event.request_id,
        payload=payload(event),
        retracted_by_version=retracted_by,
        global_position=global_position,
        certificate=certificate,
    )


def payload(event: Certificate.Event) -> EventPayload:
    """The event's own fields, typed by its kind."""
    match event:
        case Certificate.Issued():
            return IssuedPayload(
                organization=Organization(
                    event.organization_name,
                    event.organization_country,
                    event.organization_address,
                ),
                sites=_sites(event.sites),
                standard=event.standard,
                scope=event.scope,
                sector_codes=tuple(event.sector_codes),
                expiry_date=event.expiry_date,
                replaces=(
                    CertificateRef(
                        event.replaces_certification_body_id, event.replaces_certificate_number
                    )
                    if event.replaces_certificate_number
                    else None
                ),
            )
        case Certificate.SurveillancePassed():
            return SurveillancePassedPayload()
        case Certificate.ScopeChanged():
            return ScopeChangedPayload(
                scope=event.scope,
                sites=_sites(event.sites),
                sector_codes=tuple(event.sector_codes),
            )
        case Certificate.Suspended():
            return SuspendedPayload(
                reason=event.reason, review_by=event.review_by, confidential=event.confidential
            )
        case Certificate.Reinstated():
            return ReinstatedPayload()
        case Certificate.Withdrawn():
            return WithdrawnPayload(reason=event.reason, confidential=event.confidential)
        case Certificate.Cancelled():
            return CancelledPayload(reason=event.reason, confidential=event.confidential)
        case Certificate.Renewed():
            return RenewedPayload(expiry_date=event.expiry_date)
        case Certificate.TransferredOut():
            return TransferredOutPayload(
                to_certificate=CertificateRef(
                    event.to_certification_body_id, event.to_certificate_number
                )
            )
        case Certificate.HolderDetailsChanged():
            return HolderDetailsChangedPayload(
                organization=Organization(
                    event.organization_name,
                    event.organization_country,
                    event.organization_address,
                )
            )
        case Certificate.Retracted():
            return RetractedPayload(retracted_version=event.retracted_version, reason=event.reason)
    raise TypeError(f"no view of a certificate event of kind {event.kind!r}")


def _sites(stored: Sequence[Mapping[str, str]]) -> tuple[Site, ...]:
    return tuple(Site(site["address"], site.get("scope", "")) for site in stored)
