"""What the application hands back: frozen views of plain types, never aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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
    """The answer to a write: the certificate's new version and when it was recorded."""

    version: int
    recorded_at: datetime


@dataclass(frozen=True)
class CertificateDetails:
    """A certificate's data as in effect on one day."""

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
    suspension_review_by: date | None = None
    ended_on: date | None = None
    end_reason: str = ""
    transferred_to: CertificateRef | None = None
    replaces: CertificateRef | None = None


@dataclass(frozen=True)
class StatusView:
    """The status of a certificate on ``at`` as known at ``as_of``."""

    certificate: CertificateRef
    status: Status
    at: date
    as_of: datetime
    version: int
    warnings: list[Warning] = field(default_factory=list)
    details: CertificateDetails | None = None
    log_position: int = 0


@dataclass(frozen=True)
class EventView:
    """One published event with both clocks, its actor and its fields."""

    version: int
    type: str
    effective_date: date
    recorded_at: datetime
    actor: str
    request_id: str
    fields: dict[str, Any]
    retracted_by_version: int | None = None
    global_position: int = 0


@dataclass(frozen=True)
class HistoryPage:
    """One page of a certificate's events, cut at ``log_position`` (recorded at ``as_of``)."""

    events: list[EventView]
    next_version: int | None
    as_of: datetime | None = None
    log_position: int = 0


@dataclass(frozen=True)
class StoreSummary:
    """What ``registry db check`` reports."""

    backend: str
    schema_version: int
    supported_schema_version: int
    events: int
    last_position: int
