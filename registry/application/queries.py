"""Queries answered from the index: search, a CB's published events, issuance reports.

The index follows the log a few milliseconds behind. A query first waits (a
short, bounded while) for the index to reach the log position the question is
about: everything committed for a search (so an acknowledged write is found),
the ``as_of`` position for a report, the window's end for a list of events.
Every answer says the position the index stood at. A search answered while the
index is still behind says so by that position; a report that needs a position
the index has not reached is UNAVAILABLE (retry); a list of events stops at the
index's position and its page token goes on from there, so nothing is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from eventsourcing.persistence import OperationalError

from registry.application import inputs
from registry.application.directory import Backing
from registry.application.registry import Registry
from registry.application.views import (
    CertificateRef,
    LogView,
    Organization,
    Source,
)
from registry.domain.certificate import EVENT_KINDS
from registry.domain.credibility import Verdict, verdict_of
from registry.domain.folding import MAX_QUERY_WORDS, index_words, matches, words
from registry.domain.standards import StandardsCatalogue
from registry.domain.status import Status
from registry.errors import InvalidInputError, UnavailableError
from registry.projections.queries import (
    CB_REFERENCE_EVENTS,
    AuditQuery,
    IndexedPeriod,
    IndexReader,
    PeriodQuery,
    reference_types,
)
from registry.store.log import LogPoint

FRESHNESS_WAIT = 1.0
POLL = 0.002
NAME_SCAN = 256


@dataclass(frozen=True)
class SearchCriteria:
    organization_name: str = ""
    certificate_number: str = ""
    certification_body_id: str = ""
    standard: str = ""
    country: str = ""
    sector_code: str = ""
    status: Status | None = None


@dataclass(frozen=True)
class SearchResult:
    certificate: CertificateRef
    organization: Organization
    standard: str
    scope: str
    sector_codes: tuple[str, ...]
    expiry_date: date | None
    status: Status
    key: int
    verdict: Verdict = Verdict.UNKNOWN


@dataclass(frozen=True)
class SearchPage:
    results: list[SearchResult]
    next_key: int | None
    at: date
    log_position: int
    as_of: datetime | None


@dataclass(frozen=True)
class EventsPage:
    """A page of a CB's events (its certificates', accreditations', directory entry's)."""

    events: list[LogView]
    next_position: int | None
    until_position: int
    recorded_before: datetime
    log_position: int


@dataclass(frozen=True)
class IssuanceReport:
    certification_body_id: str
    at: date
    as_of: datetime
    log_position: int
    total: int
    by_status: dict[Status, int]
    by_standard: dict[str, dict[Status, int]]


class Queries:
    """The index's use cases, on a registry and the reader of its index."""

    def __init__(self, app: Registry, index: IndexReader, *, wait: float = FRESHNESS_WAIT):
        self.app = app
        self.index = index
        self.wait = wait

    def index_position(self) -> int:
        try:
            return self.index.max_tracking_id(self.app.name) or 0
        except OperationalError as error:
            raise UnavailableError(f"the index is unavailable: {error}") from None

    def _caught_up(self, position: int) -> int:
        """The index's position once it is at ``position`` or the wait is over."""
        deadline = time.monotonic() + self.wait
        reached = self.index_position()
        while reached < position and time.monotonic() < deadline:
            time.sleep(POLL)
            reached = self.index_position()
        return reached

    # Search

    def search(
        self,
        criteria: SearchCriteria,
        *,
        at: date | None = None,
        after_key: int = 0,
        limit: int = 50,
    ) -> SearchPage:
        criteria = _checked(criteria, self.app.standards)
        day = at or self.app.now().date()
        last = self.app.store.last_point()
        position = self._caught_up(last.position if last else 0)
        query_words = words(criteria.organization_name)
        if len(query_words) > MAX_QUERY_WORDS:
            raise InvalidInputError(
                f"organization_name: at most {MAX_QUERY_WORDS} words, got {len(query_words)}"
            )
        query = PeriodQuery(
            day=day.toordinal(),
            after_key=after_key,
            limit=limit + 1,
            certificate_number=criteria.certificate_number,
            certification_body_id=criteria.certification_body_id,
            standard=criteria.standard,
            country=criteria.country,
            sector_code=criteria.sector_code,
            status=criteria.status.value if criteria.status else "",
        )
        try:
            found = self._by_name(query, query_words) if query_words else self.index.periods(query)
            point = self.app.store.point_of(position) if position else None
        except OperationalError as error:
            raise UnavailableError(f"the index is unavailable: {error}") from None
        results = self._judged([_result(row) for row in found[:limit]], day, point)
        more = len(found) > limit
        return SearchPage(
            results,
            results[-1].key if more and results else None,
            day,
            position,
            point.recorded_at if point else None,
        )

    def _judged(
        self, results: list[SearchResult], day: date, cut: LogPoint | None
    ) -> list[SearchResult]:
        """The results with their credibility verdict on ``day``, from the directory as of
        the position the index answered at (each CB's accreditations read once)."""
        backings: dict[str, Backing] = {}
        judged = []
        for result in results:
            cb = result.certificate.certification_body_id
            if cb not in backings:
                backings[cb] = self.app.directory.backing(cb, day, cut)
            backing = backings[cb]
            verdict = verdict_of(
                result.status,
                result.standard,
                result.sector_codes,
                backing.accreditations,
                backing.signatories,
            )
            judged.append(replace(result, verdict=verdict))
        return judged

    def _by_name(self, query: PeriodQuery, query_words: Sequence[str]) -> list[IndexedPeriod]:
        """Name matches in key order: candidates from the name index a chunk at a time,
        each kept when its name on the day asked has every word."""
        found: list[IndexedPeriod] = []
        after: int | None = query.after_key
        while after is not None and len(found) < query.limit:
            keys, end = self.index.name_candidates(query_words, after, NAME_SCAN)
            if keys:
                chunk = self.index.periods(
                    replace(query, after_key=after, keys=keys, limit=len(keys))
                )
                found += [
                    row
                    for row in chunk
                    if matches(list(query_words), " ".join(index_words(row.organization_name)))
                ]
            after = end
        return found[: query.limit]

    # A CB's published events

    def list_events(
        self,
        certification_body_id: str,
        *,
        recorded_after: datetime | None = None,
        recorded_before: datetime | None = None,
        types: Sequence[str] = (),
        standard: str = "",
        sources: Collection[Source] = (),
        after_position: int | None = None,
        until_position: int | None = None,
        limit: int = 100,
    ) -> EventsPage:
        """Events of the CB recorded in (``recorded_after``, ``recorded_before``]; a later
        page passes ``after_position`` and ``until_position`` from the previous one.

        ``sources``: of its certificates, its accreditations, its directory entry; none
        given, all three — only certificate events when ``types`` or ``standard`` is."""
        certification_body_id = inputs.identifier(certification_body_id, "certification_body_id")
        unknown = [kind for kind in types if kind not in EVENT_KINDS]
        if unknown:
            raise InvalidInputError(f"types: unknown event type {unknown[0]!r}")
        standard = self.app.standards.named(inputs.standard(standard)) if standard.strip() else ""
        row_types = _audit_types(sources, types, standard)
        try:
            if until_position is None:
                cut, recorded_before = self.app.cut(recorded_before)
                until_position = cut.position if cut else 0
            if after_position is None:
                if recorded_after is None:
                    after_position = 0
                else:
                    point = self.app.store.point_at(inputs.instant(recorded_after))
                    after_position = point.position if point else 0
            if recorded_before is None:
                point = self.app.store.point_of(until_position) if until_position else None
                recorded_before = point.recorded_at if point else self.app.now()
            reached = self._caught_up(until_position)
            end = min(until_position, reached)
            positions = self.index.events(
                AuditQuery(
                    certification_body_id,
                    after_position,
                    end,
                    limit + 1,
                    row_types,
                    standard,
                )
            )
            events = self.app.log_views(self.app.store.select_at(positions[:limit]))
        except OperationalError as error:
            raise UnavailableError(f"the index is unavailable: {error}") from None
        if len(positions) > limit:
            next_position: int | None = positions[limit - 1]
        elif end < until_position:
            next_position = end  # the index had not reached the window's end: go on later
        else:
            next_position = None
        return EventsPage(events, next_position, until_position, recorded_before, reached)

    # Issuance report

    def issuance_report(
        self, certification_body_id: str, *, at: date | None = None, as_of: datetime | None = None
    ) -> IssuanceReport:
        certification_body_id = inputs.identifier(certification_body_id, "certification_body_id")
        day = at or self.app.now().date()
        cut, as_of = self.app.cut(as_of)
        position = cut.position if cut else 0
        if self._caught_up(position) < position:
            raise UnavailableError("the index has not reached that as_of yet: retry shortly")
        try:
            rows = self.index.report(certification_body_id, day.toordinal(), position)
        except OperationalError as error:
            raise UnavailableError(f"the index is unavailable: {error}") from None
        by_status: dict[Status, int] = {}
        by_standard: dict[str, dict[Status, int]] = {}
        for row in rows:
            status = Status(row.status)
            if status is Status.NOT_YET_VALID:
                continue  # not issued by that day
            by_status[status] = by_status.get(status, 0) + row.count
            counts = by_standard.setdefault(row.standard, {})
            counts[status] = counts.get(status, 0) + row.count
        return IssuanceReport(
            certification_body_id,
            day,
            as_of,
            position,
            sum(by_status.values()),
            by_status,
            by_standard,
        )


CB_SOURCES = {
    Source.ACCREDITATION: reference_types(*CB_REFERENCE_EVENTS[0]),
    Source.CERTIFICATION_BODY: reference_types(*CB_REFERENCE_EVENTS[1]),
}
"""The audit index's row types of a CB's events that are not its certificates'."""


def _audit_types(
    sources: Collection[Source], types: Sequence[str], standard: str
) -> tuple[str, ...]:
    """The audit rows a list of a CB's events asks for; () for every row."""
    wanted = set(sources) or (
        {Source.CERTIFICATE} if types or standard else {Source.CERTIFICATE, *CB_SOURCES}
    )
    others = wanted - {Source.CERTIFICATE, *CB_SOURCES}
    if others:
        raise InvalidInputError(
            f"kinds: the events of {sorted(others)[0]} are not a certification body's"
        )
    if standard and wanted != {Source.CERTIFICATE}:
        raise InvalidInputError("standard: only certificate events are of a standard")
    if wanted == {Source.CERTIFICATE, *CB_SOURCES} and not types:
        return ()
    rows: list[str] = []
    if Source.CERTIFICATE in wanted:
        rows += types or EVENT_KINDS
    for source in sorted(wanted - {Source.CERTIFICATE}):
        rows += CB_SOURCES[source]
    return tuple(rows)


def _checked(criteria: SearchCriteria, standards: StandardsCatalogue) -> SearchCriteria:
    """The criteria in normal form (NFC, trimmed), each within its limit."""
    c = criteria
    return SearchCriteria(
        organization_name=inputs.text(
            c.organization_name,
            "organization_name",
            max_bytes=inputs.MAX_ORGANIZATION_NAME_BYTES,
            required=False,
        ),
        certificate_number=_optional(inputs.identifier, c.certificate_number, "certificate_number"),
        certification_body_id=_optional(
            inputs.identifier, c.certification_body_id, "certification_body_id"
        ),
        standard=standards.named(inputs.standard(c.standard)) if c.standard.strip() else "",
        country=inputs.country(c.country) if c.country.strip() else "",
        sector_code=inputs.text(
            c.sector_code, "sector_code", max_bytes=inputs.MAX_SECTOR_CODE_BYTES, required=False
        ),
        status=c.status,
    )


def _optional(check: Callable[[str, str], str], value: str, name: str) -> str:
    return check(value, name) if value.strip() else ""


def _result(row: IndexedPeriod) -> SearchResult:
    return SearchResult(
        certificate=CertificateRef(row.certification_body_id, row.certificate_number),
        organization=Organization(
            row.organization_name, row.organization_country, row.organization_address
        ),
        standard=row.standard,
        scope=row.scope,
        sector_codes=row.sector_codes,
        expiry_date=date.fromordinal(row.expiry) if row.expiry else None,
        status=Status(row.status),
        key=row.cert_key,
    )
