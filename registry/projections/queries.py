"""What the index is asked and what it answers, the same on every engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from registry.domain.accreditation import Accreditation
from registry.domain.bodies import CertificationBody

# The events of reference aggregates the audit index lists as a CB's, and the prefix of
# their rows' ``type``; a certificate event's row type is its kind alone.
CB_REFERENCE_EVENTS: tuple[tuple[type[Any], str], ...] = (
    (Accreditation, "accreditation"),
    (CertificationBody, "certification_body"),
)


def reference_type(source: str, kind: str) -> str:
    """The audit row type of a reference aggregate's event: ``"accreditation.Granted"``."""
    return f"{source}.{kind}"


def reference_types(aggregate: type[Any], source: str) -> tuple[str, ...]:
    """The audit row types of every kind of event ``aggregate`` declares."""
    base: Any = aggregate.Event
    kinds = [
        getattr(value, "kind", base.kind)
        for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, base)
    ]
    return tuple(reference_type(source, kind) for kind in kinds if kind != base.kind)


@dataclass(frozen=True)
class PeriodQuery:
    """Certificates' periods known now that contain ``day`` (an ordinal), matching every
    criterion given, with certificate keys after ``after_key``, in key order.

    With ``keys``, only those certificates (the name candidates of ``name_candidates``;
    the caller checks each period's own name).
    """

    day: int
    after_key: int
    limit: int
    certificate_number: str = ""
    certification_body_id: str = ""
    standard: str = ""
    country: str = ""
    sector_code: str = ""
    status: str = ""
    keys: Sequence[int] | None = None


@dataclass(frozen=True)
class IndexedPeriod:
    cert_key: int
    certification_body_id: str
    certificate_number: str
    organization_name: str
    organization_country: str
    organization_address: str
    standard: str
    scope: str
    sector_codes: tuple[str, ...]
    expiry: int
    status: str


@dataclass(frozen=True)
class AuditQuery:
    """Positions of a CB's events in (``after``, ``until``], in log order."""

    certification_body_id: str
    after: int
    until: int
    limit: int
    types: Sequence[str] = ()
    standard: str = ""


@dataclass(frozen=True)
class ReportRow:
    status: str
    standard: str
    count: int


class IndexReader(Protocol):
    """The index's queries (registry/projections/sqlite.py, postgres.py)."""

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def periods(self, query: PeriodQuery) -> list[IndexedPeriod]: ...

    def name_candidates(
        self, words: Sequence[str], after_key: int, scan: int
    ) -> tuple[list[int], int | None]:
        """Keys after ``after_key`` of certificates whose names have every word as a prefix,
        in key order (at most about ``scan``), and the last key they stand for: every
        candidate up to it is among them. None when no candidate is left after them."""
        ...

    def events(self, query: AuditQuery) -> list[int]: ...

    def report(self, certification_body_id: str, day: int, position: int) -> list[ReportRow]: ...

    def rows(self) -> dict[str, list[tuple[Any, ...]]]: ...
