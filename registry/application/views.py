"""What the application hands back: frozen views of plain types, never aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeAlias

from registry.domain.status import Status, Warning


@dataclass(frozen=True)
class CertificateRef:
    """A certificate as its CB names it."""

    certification_body_id: str
    certificate_number: str


@dataclass(frozen=True)
class Site:
    address: str
    scope: str = ""


@dataclass(frozen=True)
class Organization:
    name: str
    country: str
    address: str


@dataclass(frozen=True)
class WriteMeta:
    """What every write carries besides its own fields."""

    request_id: str
    effective_date: date | None = None
    expected_version: int | None = None
    actor: str = "anonymous"


@dataclass(frozen=True)
class WriteResult:
    """The answer to a write: the certificate's new version and when it was recorded.

    A transfer answers for the new certificate (version 1) and gives in
    ``from_version`` the replaced certificate's new version (its ``TransferredOut``);
    every other write leaves ``from_version`` None.
    """

    version: int
    recorded_at: datetime
    from_version: int | None = None


@dataclass(frozen=True)
class CertificateDetails:
    """A certificate's data as in effect on one day.

    A reason marked ``*_confidential`` is here in full: the server withholds it from
    callers not entitled to it (``registry.server.access.sees_who_acted``).
    """

    certificate: CertificateRef
    organization: Organization
    sites: list[Site]
    standard: str
    scope: str
    sector_codes: list[str]
    original_issue_date: date | None
    cycle_effective_date: date | None
    expiry_date: date | None
    last_audit_date: date | None
    suspended_since: date | None = None
    suspension_reason: str = ""
    suspension_reason_confidential: bool = False
    suspension_review_by: date | None = None
    ended_on: date | None = None
    end_reason: str = ""
    end_reason_confidential: bool = False
    transferred_to: CertificateRef | None = None
    replaces: CertificateRef | None = None


@dataclass(frozen=True)
class StatusView:
    """The status of a certificate on ``at`` as known at ``as_of``.

    ``log_position`` is the global log position the answer was computed at (0
    where not known).
    """

    certificate: CertificateRef
    status: Status
    at: date
    as_of: datetime
    version: int
    warnings: list[Warning] = field(default_factory=list)
    details: CertificateDetails | None = None
    log_position: int = 0


# The payload of each kind of event: its own fields, typed.


@dataclass(frozen=True)
class IssuedPayload:
    """The certification decision: the certificate as granted."""

    organization: Organization
    sites: tuple[Site, ...]
    standard: str
    scope: str
    sector_codes: tuple[str, ...]
    expiry_date: date
    replaces: CertificateRef | None = None


@dataclass(frozen=True)
class SurveillancePassedPayload:
    """A passed surveillance audit: no fields of its own."""


@dataclass(frozen=True)
class ScopeChangedPayload:
    """The whole new scope, sites and sector codes."""

    scope: str
    sites: tuple[Site, ...]
    sector_codes: tuple[str, ...]


@dataclass(frozen=True)
class SuspendedPayload:
    """``confidential``: the CB marked the reason confidential (SPEC 3.2)."""

    reason: str
    review_by: date | None = None
    confidential: bool = False


@dataclass(frozen=True)
class ReinstatedPayload:
    """A lifted suspension: no fields of its own."""


@dataclass(frozen=True)
class WithdrawnPayload:
    """``confidential``: the CB marked the reason confidential (SPEC 3.2)."""

    reason: str
    confidential: bool = False


@dataclass(frozen=True)
class CancelledPayload:
    """``confidential``: the CB marked the reason confidential (SPEC 3.2)."""

    reason: str
    confidential: bool = False


@dataclass(frozen=True)
class RenewedPayload:
    expiry_date: date


@dataclass(frozen=True)
class TransferredOutPayload:
    to_certificate: CertificateRef


@dataclass(frozen=True)
class HolderDetailsChangedPayload:
    """The holder's new details; an empty field was left unchanged."""

    organization: Organization


@dataclass(frozen=True)
class RetractedPayload:
    retracted_version: int
    reason: str


EventPayload: TypeAlias = (
    IssuedPayload
    | SurveillancePassedPayload
    | ScopeChangedPayload
    | SuspendedPayload
    | ReinstatedPayload
    | WithdrawnPayload
    | CancelledPayload
    | RenewedPayload
    | TransferredOutPayload
    | HolderDetailsChangedPayload
    | RetractedPayload
)


@dataclass(frozen=True)
class EventView:
    """One published event: both clocks, its actor, its request and its typed payload.

    ``type`` is the event's kind (``"Issued"``, ``"Suspended"``, …), the one its
    payload is for. ``global_position`` is its place in the registry's global log
    (0 where it is not known); ``certificate`` the certificate it belongs to.
    """

    version: int
    type: str
    effective_date: date
    recorded_at: datetime
    actor: str
    request_id: str
    payload: EventPayload
    retracted_by_version: int | None = None
    global_position: int = 0
    certificate: CertificateRef | None = None


class Source(StrEnum):
    """What an event of the global log is about."""

    CERTIFICATE = "certificate"
    ACCREDITATION = "accreditation"
    CERTIFICATION_BODY = "certification_body"
    ACCREDITATION_BODY = "accreditation_body"
    CATALOGUE = "catalogue"


@dataclass(frozen=True)
class ReferenceEventView:
    """One event of an accreditation, a body in the directory or the standards catalogue,
    as the global log carries it: both clocks, its actor, its request and its own fields.

    ``type`` is the event's kind (``"Granted"``, ``"MlaStatusRecorded"``, …);
    ``fields`` its own fields as recorded (str, date or None, lists of them, and the
    catalogue's edition rows). ``accreditation_body_id`` and ``certification_body_id``
    name the parties: both for an accreditation, the body itself for a directory event,
    neither for the catalogue.
    """

    source: Source
    type: str
    version: int
    effective_date: date
    recorded_at: datetime
    actor: str
    request_id: str
    global_position: int
    fields: dict[str, Any]
    accreditation_body_id: str = ""
    certification_body_id: str = ""


LogView: TypeAlias = EventView | ReferenceEventView
"""An event of the global log, as a view."""


@dataclass(frozen=True)
class HistoryPage:
    """One page of a certificate's events, cut at ``log_position`` (recorded at ``as_of``)."""

    events: list[EventView]
    next_version: int | None
    as_of: datetime | None = None
    log_position: int = 0


@dataclass(frozen=True)
class LogPage:
    """Certificate events of the global log in order; ``last_position`` is the last
    position read (events of other kinds are read past, not returned)."""

    events: list[EventView]
    last_position: int


@dataclass(frozen=True)
class LogViewPage:
    """Events of every kind of the global log in order (certificates', accreditations',
    the directory's, the catalogue's); ``last_position`` is the last position read."""

    events: list[LogView]
    last_position: int


@dataclass(frozen=True)
class StoreSummary:
    """What ``registry db check`` reports."""

    backend: str
    schema_version: int
    supported_schema_version: int
    events: int
    last_position: int
