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
  stays the same row. A change effective on a day leaves the periods before
  that day's segment as they were, so only those from there on are derived
  and compared again (a certificate's whole history is not walked per event).
- the **audit events**: each event's position with its certificate's CB and
  standard, for listing what a CB published in a window of positions; with
  them the events of each CB's accreditations and of its directory entry
  (``type`` ``"accreditation.Granted"``, ``"certification_body.Registered"``, …;
  no standard), so one list of a CB's window holds them in log order.

A certificate's periods depend on the catalogue of standards (an edition's
transition deadline ends its certificates): each event's are derived with the
catalogue as recorded at the event's position. When the catalogue changes an
edition's deadline, the periods of every certificate to that edition are
derived again at the catalogue event's position, through the same path as a
certificate's own event: the rows that change are known until there, their
successors from there, so a search sees the new deadline from that position on
and a report as of an earlier instant still sees what was known then. That is
one pass over the certificates to the edition (found by the standard their
``Issued`` names), after the events before it, in transactions of
``RECATALOGUE_CHUNK`` certificates, the last recording the catalogue event's
position (``IndexProjection._recatalogue``).

The engine-specific tables are behind ``IndexView`` (registry/projections/
sqlite.py, postgres.py). Certificates are rebuilt here from the events as they
pass (kept in a bounded cache; a certificate not kept is loaded from the event
store at the event's version).
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import Notification, Tracking

from registry.domain.accreditation import Accreditation
from registry.domain.bodies import CertificationBody
from registry.domain.catalogue import Catalogue
from registry.domain.certificate import Certificate
from registry.domain.folding import index_words
from registry.domain.standards import StandardsCatalogue
from registry.domain.timeline import Period
from registry.projections.queries import CB_REFERENCE_EVENTS, reference_type
from registry.store.log import to_micros

log = logging.getLogger(__name__)

NAME = "index"
# Days as ordinals; a period open at either end is stored with these bounds.
FIRST_DAY = 0
AFTER_LAST_DAY = date.max.toordinal() + 1
CACHE_SIZE = 20_000
RECATALOGUE_CHUNK = 2_000


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

    def clear(self) -> None:
        """Empty the index and its tracking: the next run builds it again from the log."""
        ...

    def apply(self, update: IndexUpdate, tracking: Tracking | None) -> None:
        """Apply ``update`` and record ``tracking`` (None: no position), in one
        transaction."""
        ...

    def current_periods(self, cert_id: UUID) -> list[PeriodRow]:
        """The periods of a certificate known now (none if it is not indexed)."""
        ...

    def certificate_of(self, cert_id: UUID) -> tuple[str, str] | None:
        """The CB and standard of an indexed certificate."""
        ...

    def certificates_to(self, standard: str) -> list[UUID]:
        """The indexed certificates to the edition ``standard`` (as its Issued names it)."""
        ...


@dataclass
class _Kept:
    certificate: Certificate
    periods: list[PeriodRow]


class IndexProjection:
    """Turns batches of the global log into ``IndexUpdate``s and applies them."""

    name = NAME
    version = 2
    """Raised whenever the rows kept change, so an index built by an earlier projection is
    built again (``runner.renew_if_older``). 2: the audit rows of accreditation and
    directory events."""

    def __init__(
        self,
        view: IndexView,
        *,
        application_name: str,
        decode: Callable[[Notification], object],
        load: Callable[[UUID, int], Certificate],
        version_at: Callable[[UUID, int], int],
        catalogue_at: Callable[[int], StandardsCatalogue],
        parties: Callable[[object], tuple[str, str]],
        cache_size: int = CACHE_SIZE,
        recatalogue_chunk: int = RECATALOGUE_CHUNK,
    ) -> None:
        """``load``: a certificate at a version; ``version_at``: its version at a log
        position; ``catalogue_at``: the catalogue as recorded at a log position;
        ``parties``: the (AB, CB) an accreditation's or a body's event is about;
        ``recatalogue_chunk``: certificates derived again per transaction when a deadline
        changes."""
        self.view = view
        self.application_name = application_name
        self._decode = decode
        self._load = load
        self._version_at = version_at
        self._catalogue_at = catalogue_at
        self._parties = parties
        self._cache_size = cache_size
        self._recatalogue_chunk = recatalogue_chunk
        self._kept: OrderedDict[UUID, _Kept] = OrderedDict()
        self._refs: OrderedDict[UUID, tuple[str, str]] = OrderedDict()

    def position(self) -> int:
        return self.view.max_tracking_id(self.application_name) or 0

    def reset(self) -> None:
        """Forget what is kept in memory (after a failed batch: the tables are the truth)."""
        self._kept.clear()
        self._refs.clear()

    def process(self, notifications: Sequence[Notification]) -> None:
        """Apply a batch of the log (in order) in one transaction; a catalogue event that
        changes a deadline in two more (before it, and it)."""
        if not notifications:
            return
        update = IndexUpdate()
        unapplied: int | None = None  # the last position read since the last apply
        try:
            for notification in notifications:
                event = self._decode(notification)
                if isinstance(event, Catalogue.Event):
                    editions = self._changed_editions(notification.id)
                    if editions:
                        # Applied first, the certificates before it are in the tables to
                        # be found; applied at once, what it changes is read from them.
                        if unapplied is not None:
                            self._apply(update, unapplied)
                        self._recatalogue(editions, notification.id)
                        update, unapplied = IndexUpdate(), None
                        continue
                elif isinstance(event, Certificate.Event):
                    self._index(event, notification.id, update)
                else:
                    self._index_reference(event, notification.id, update)
                unapplied = notification.id
            if unapplied is not None:
                self._apply(update, unapplied)
        except BaseException:
            self.reset()
            raise

    def _apply(self, update: IndexUpdate, position: int) -> None:
        self.view.apply(update, Tracking(self.application_name, position))

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
        # A new change touches the periods from its day on; a retraction, from the day of
        # the change it takes back: derived whole (as an issue is).
        since = (
            None
            if isinstance(event, Certificate.Issued | Certificate.Retracted)
            else event.effective_date
        )
        self._derive(cert_id, kept, position, update, since)

    def _index_reference(self, event: object, position: int, update: IndexUpdate) -> None:
        """An accreditation's or a CB's own event: an audit row of its CB."""
        source = next((s for cls, s in CB_REFERENCE_EVENTS if isinstance(event, cls.Event)), None)
        if source is None:
            return
        assert isinstance(event, Accreditation.Event | CertificationBody.Event)
        _, cb = self._parties(event)
        update.events.append(
            AuditRow(
                position,
                to_micros(event.timestamp),
                event.originator_id,
                cb,
                reference_type(source, event.kind),
                "",
            )
        )

    def _changed_editions(self, position: int) -> list[str]:
        """The editions whose transition deadline the catalogue event at ``position``
        changed (or, for a new one, set)."""
        before, after = self._catalogue_at(position - 1), self._catalogue_at(position)
        return [
            edition.designation
            for edition in after
            if before.deadline_of(edition.designation) != edition.transition_deadline
        ]

    def _recatalogue(self, editions: Sequence[str], position: int) -> None:
        """Derive again, at ``position``, the periods of every certificate to ``editions``
        (all in the tables: nothing before ``position`` is pending), ``recatalogue_chunk``
        certificates a transaction; the last records ``position`` as applied.

        A failure between two leaves the position unrecorded: the event is applied again
        from its start, and the certificates derived already derive to the rows they have
        now (nothing closed or opened twice). Meanwhile a search as known now may find some
        certificates to the edition with the new deadline and some with the old; an answer
        as of an instant waits for the position, so it sees all or none."""
        cert_ids = [
            cert_id for edition in editions for cert_id in self.view.certificates_to(edition)
        ]
        chunk = self._recatalogue_chunk
        for start in range(0, max(len(cert_ids), 1), chunk):
            update = IndexUpdate()
            for cert_id in cert_ids[start : start + chunk]:
                self._derive(cert_id, self._at(cert_id, position), position, update)
            if start + chunk < len(cert_ids):
                self.view.apply(update, None)
            else:
                self._apply(update, position)

    def _derive(
        self,
        cert_id: UUID,
        kept: _Kept,
        position: int,
        update: IndexUpdate,
        since: date | None = None,
    ) -> None:
        """The certificate's periods with the catalogue at ``position``: those that changed
        are closed and their successors opened there. ``since``: the day of the change just
        applied; only the periods it can have changed are derived and compared (see
        ``Segments.periods``), those before them stay as they were."""
        standards = self._catalogue_at(position)
        derived = [_row(cert_id, p) for p in kept.certificate.periods(standards, since)]
        split = 0
        if since is not None:
            split = bisect_left(kept.periods, derived[0].start, key=lambda row: row.start)
        unchanged, old = kept.periods[:split], kept.periods[split:]
        periods = unchanged + derived
        before, after = set(old), set(derived)
        for row in old:
            if row not in after:
                update.close(row, position)
        for row in derived:
            if row not in before:
                update.open(row, position)
        if _names(old) != _names(derived) and _names(kept.periods) != _names(periods):
            update.names[cert_id] = _words(periods)
        kept.periods = periods

    def _at(self, cert_id: UUID, position: int) -> _Kept:
        """The certificate as the events up to ``position`` leave it, and its periods (as
        kept, else as loaded and read from the tables, and not kept)."""
        kept = self._kept.get(cert_id)
        if kept is None:
            version = self._version_at(cert_id, position)
            kept = _Kept(self._load(cert_id, version), self.view.current_periods(cert_id))
        return kept

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
        self._keep(cert_id, kept)
        return kept

    def _keep(self, cert_id: UUID, kept: _Kept) -> None:
        self._kept[cert_id] = kept
        self._kept.move_to_end(cert_id)
        while len(self._kept) > self._cache_size:
            self._kept.popitem(last=False)

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


def _names(periods: Sequence[PeriodRow]) -> set[str]:
    return {row.organization_name for row in periods}


def _words(periods: Sequence[PeriodRow]) -> str:
    names = dict.fromkeys(row.organization_name for row in periods)
    return " ".join(dict.fromkeys(word for name in names for word in index_words(name)))


def family(standard: str) -> str:
    """The standard without its edition: "ISO 9001:2015" → "ISO 9001"."""
    return standard.rsplit(":", 1)[0]
