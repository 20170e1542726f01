"""A certificate's state on one day, folded from its events, and the status it implies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from registry.domain.dates import add_months

EXPIRY_WARNING_DAYS = 90
SURVEILLANCE_INTERVAL_MONTHS = 12
SUSPENSION_LIMIT_MONTHS = 6


class Status(Enum):
    """The public status of a certificate on a day (SPEC 2.2)."""

    NOT_YET_VALID = "NOT_YET_VALID"
    VALID = "VALID"
    SUSPENDED = "SUSPENDED"
    WITHDRAWN = "WITHDRAWN"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    TRANSFERRED = "TRANSFERRED"
    UNKNOWN = "UNKNOWN"


class Warning(Enum):
    """A condition a reader should know about, beside the status of a day."""

    SURVEILLANCE_OVERDUE = "SURVEILLANCE_OVERDUE"
    SUSPENSION_OVERDUE = "SUSPENSION_OVERDUE"
    EXPIRING_SOON = "EXPIRING_SOON"


ENDED = (Status.WITHDRAWN, Status.CANCELLED, Status.TRANSFERRED)


@dataclass
class CertificateState:
    """What the events in effect up to some day say about a certificate.

    Mutated only while folding changes in (effective date, version) order, and
    only by assigning fields (a list is replaced, never changed in place), so a
    shallow copy taken between two changes stays as it was. A reason marked
    ``*_confidential`` by the CB is kept here whole: who may read it is decided
    where it leaves the registry (the server).
    """

    certification_body_id: str = ""
    certificate_number: str = ""
    organization_name: str = ""
    organization_country: str = ""
    organization_address: str = ""
    sites: list[dict[str, str]] = field(default_factory=list)
    standard: str = ""
    standard_deadline: date | None = None
    scope: str = ""
    sector_codes: list[str] = field(default_factory=list)
    original_issue_date: date | None = None
    cycle_effective_date: date | None = None
    expiry_date: date | None = None
    last_audit_date: date | None = None
    suspended_since: date | None = None
    suspension_reason: str = ""
    suspension_reason_confidential: bool = False
    suspension_review_by: date | None = None
    ended: Status | None = None
    ended_on: date | None = None
    end_reason: str = ""
    end_reason_confidential: bool = False
    transferred_to: tuple[str, str] | None = None
    replaces: tuple[str, str] | None = None

    def status_on(self, day: date) -> Status:
        """The status on ``day``, given that every event in effect by then is folded in."""
        if self.original_issue_date is None or day < self.original_issue_date:
            return Status.NOT_YET_VALID
        if self.ended is not None:
            return self.ended
        if self.expired_on(day):
            return Status.EXPIRED
        if self.suspended_since is not None:
            return Status.SUSPENDED
        return Status.VALID

    def expired_on(self, day: date) -> bool:
        """Past the expiry date, or the edition's transition deadline has passed."""
        return (
            self.expiry_date is not None and day > self.expiry_date
        ) or self.edition_withdrawn_on(day)

    def edition_withdrawn_on(self, day: date) -> bool:
        return self.standard_deadline is not None and day > self.standard_deadline

    def last_valid_day(self) -> date | None:
        """The earlier of the expiry date and the edition's transition deadline."""
        days = [day for day in (self.expiry_date, self.standard_deadline) if day is not None]
        return min(days, default=None)

    def warnings_on(self, day: date) -> list[Warning]:
        status = self.status_on(day)
        if status not in (Status.VALID, Status.SUSPENDED):
            return []
        warnings = []
        if self.last_audit_date is not None and day > add_months(
            self.last_audit_date, SURVEILLANCE_INTERVAL_MONTHS
        ):
            warnings.append(Warning.SURVEILLANCE_OVERDUE)
        if self.suspended_since is not None and day > add_months(
            self.suspended_since, SUSPENSION_LIMIT_MONTHS
        ):
            warnings.append(Warning.SUSPENSION_OVERDUE)
        last = self.last_valid_day()
        if last is not None and (last - day).days <= EXPIRY_WARNING_DAYS:
            warnings.append(Warning.EXPIRING_SOON)
        return warnings
