"""The index projection: what the global log says, kept in tables for search and audit.

One projection keeps two read models, updated together with one tracking row
(the position of the last event applied) in one transaction per batch of
events, so a batch is applied exactly once whatever fails and wherever:

- the **certificate periods**: each certificate's calendar cut into periods of
  one status and one state (``Certificate.periods``), with the log positions
  between which each period was what the registry knew (``known_from`` ≤ p <
  ``known_until``). Search reads the periods known now that contain its day;
  an issuance report as of an instant reads those known at its position. An
  event changes only the periods it changes: a period that stays the same
  stays the same row.
- the **audit events**: each event's position with its certificate's CB and
  standard, for listing what a CB published in a window of positions.

The engine-specific tables are behind ``IndexView`` (registry/projections/
sqlite.py, postgres.py). Certificates are rebuilt here from the events as they
pass (kept in a bounded cache; a certificate not kept is loaded from the event
store at the event's version).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import Notification, Tracking

from registry.domain.certificate import Certificate
from registry.domain.folding import index_words
from registry.domain.standards import StandardsCatalogue
from registry.domain.timeline import Period
from registry.store.log import to_micros

log = logging.getLogger(__name__)

NAME = "index"
# Days as ordinals; a period open at either end is stored with these bounds.
FIRST_DAY = 0
AFTER_LAST_DAY = date.max.toordinal() + 1
CACHE_SIZE = 20_000


@dataclass(frozen=True)
class PeriodRow:
    """One period of one certificate, as stored (without the positions it was known at)."""

    cert_id: UUID
    start: int
    end: int
    status: str
    certification_body_id: str
    certificate_number: str
    organization_name: str
    organization_country: str
    organization_address: str
    standard: str
    scope: str
    sector_codes: tuple[str, ...]
    expiry: int


@dataclass(frozen=True)
class AuditRow:
    position: int
    recorded_at: int
    cert_id: UUID
    certification_body_id: str
    type: str
    standard: str


@dataclass
class Opened:
    row: PeriodRow
    known_from: int
    known_until: int | None = None


@dataclass
class IndexUpdate:
    """What one batch changes, in log order; applied in one transaction with its tracking."""

    certificates: list[tuple[UUID, str, str, str]] = field(default_factory=list)
    """New certificates: id, CB, number, standard."""
    closed: list[tuple[UUID, int, int]] = field(default_factory=list)
    """Periods no longer known: certificate, period start, position."""
    opened: list[Opened] = field(default_factory=list)
    """Periods known from a position on (and, if this batch closes them too, until one)."""
    names: dict[UUID, str] = field(default_factory=dict)
    """Certificates whose searchable words changed: their words now."""
    events: list[AuditRow] = field(default_factory=list)
    _pending: dict[tuple[UUID, int], Opened] = field(default_factory=dict)

    def close(self, row: PeriodRow, position: int) -> None:
        opened = self._pending.pop((row.cert_id, row.start), None)
        if opened is not None:  # opened earlier in this batch: it was known until here
            opened.known_until = position
        else:
            self.closed.append((row.cert_id, row.start, position))

    def open(self, row: PeriodRow, position: int) -> None:
        opened = Opened(row, position)
        self.opened.append(opened)
        self._pending[(row.cert_id, row.start)] = opened


class IndexView(Protocol):
    """The tables of the index on one engine (a tracking recorder of the library)."""

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def apply(self, update: IndexUpdate, tracking: Tracking) -> None:
        """Apply ``update`` and record ``tracking``, in one transaction."""
        ...

    def current_periods(self, cert_id: UUID) -> list[PeriodRow]:
        """The periods of a certificate known now (none if it is not indexed)."""
        ...

    def certificate_of(self, cert_id: UUID) -> tuple[str, str] | None:
        """The CB and standard of an indexed certificate."""
        ...


@dataclass
class _Kept:
    certificate: Certificate
    periods: list[PeriodRow]


class IndexProjection:
    """Turns batches of the global log into ``IndexUpdate``s and applies them."""

    name = NAME

    def __init__(
        self,
        view: IndexView,
        *,
        application_name: str,
        decode: Callable[[Notification], object],
        load: Callable[[UUID, int], Certificate],
        standards: StandardsCatalogue,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.view = view
        self.application_name = application_name
        self._decode = decode
        self._load = load
        self._standards = standards
        self._cache_size = cache_size
        self._kept: OrderedDict[UUID, _Kept] = OrderedDict()
        self._refs: OrderedDict[UUID, tuple[str, str]] = OrderedDict()

    def position(self) -> int:
        return self.view.max_tracking_id(self.application_name) or 0

    def reset(self) -> None:
        """Forget what is kept in memory (after a failed batch: the tables are the truth)."""
        self._kept.clear()
        self._refs.clear()

    def process(self, notifications: Sequence[Notification]) -> None:
        """Apply a batch of the log (in order) in one transaction."""
        if not notifications:
            return
        update = IndexUpdate()
        for notification in notifications:
            event = self._decode(notification)
            if isinstance(event, Certificate.Event):
                self._index(event, notification.id, update)
        try:
            self.view.apply(update, Tracking(self.application_name, notifications[-1].id))
        except BaseException:
            self.reset()
            raise

    def _index(self, event: Certificate.Event, position: int, update: IndexUpdate) -> None:
        cert_id = event.originator_id
        if isinstance(event, Certificate.Issued):
            ref = (event.certification_body_id, event.standard)
            update.certificates.append(
                (cert_id, event.certification_body_id, event.certificate_number, event.standard)
            )
        else:
            ref = self._ref(cert_id)
        self._remember_ref(cert_id, ref)
        update.events.append(
            AuditRow(position, to_micros(event.timestamp), cert_id, ref[0], event.kind, ref[1])
        )
        kept = self._advance(event)
        periods = [_row(cert_id, p) for p in kept.certificate.periods(self._standards)]
        before, after = set(kept.periods), set(periods)
        for row in kept.periods:
            if row not in after:
                update.close(row, position)
        for row in periods:
            if row not in before:
                update.open(row, position)
        if {r.organization_name for r in kept.periods} != {r.organization_name for r in periods}:
            update.names[cert_id] = _words(periods)
        kept.periods = periods

    def _advance(self, event: Certificate.Event) -> _Kept:
        """The certificate with ``event`` applied, and its periods before it."""
        cert_id = event.originator_id
        kept = self._kept.pop(cert_id, None)
        if kept is not None and kept.certificate.version == event.originator_version - 1:
            event.mutate(kept.certificate)
        elif isinstance(event, Certificate.Issued):
            created = event.mutate(None)
            assert isinstance(created, Certificate)
            kept = _Kept(created, [])
        else:
            periods = self.view.current_periods(cert_id) if kept is None else kept.periods
            kept = _Kept(self._load(cert_id, event.originator_version), periods)
        self._kept[cert_id] = kept
        while len(self._kept) > self._cache_size:
            self._kept.popitem(last=False)
        return kept

    def _ref(self, cert_id: UUID) -> tuple[str, str]:
        ref = self._refs.get(cert_id)
        if ref is None:
            ref = self.view.certificate_of(cert_id)
            if ref is None:
                raise LookupError(f"certificate {cert_id} has events but no Issued event")
        return ref

    def _remember_ref(self, cert_id: UUID, ref: tuple[str, str]) -> None:
        self._refs[cert_id] = ref
        self._refs.move_to_end(cert_id)
        while len(self._refs) > 10 * self._cache_size:
            self._refs.popitem(last=False)


def _row(cert_id: UUID, period: Period) -> PeriodRow:
    state = period.state
    return PeriodRow(
        cert_id=cert_id,
        start=period.start.toordinal() if period.start else FIRST_DAY,
        end=period.end.toordinal() if period.end else AFTER_LAST_DAY,
        status=period.status.value,
        certification_body_id=state.certification_body_id,
        certificate_number=state.certificate_number,
        organization_name=state.organization_name,
        organization_country=state.organization_country,
        organization_address=state.organization_address,
        standard=state.standard,
        scope=state.scope,
        sector_codes=tuple(state.sector_codes),
        expiry=state.expiry_date.toordinal() if state.expiry_date else FIRST_DAY,
    )


def _words(periods: Sequence[PeriodRow]) -> str:
    names = dict.fromkeys(row.organization_name for row in periods)
    return " ".join(dict.fromkeys(word for name in names for word in index_words(name)))


def family(standard: str) -> str:
    """The standard without its edition: "ISO 9001:2015" → "ISO 9001"."""
    return standard.rsplit(":", 1)[0]
