"""The registry application: one method per use case, plain types in, views out.

Reads are cuts of the ordered log (registry/store/log.py): an answer is computed
from every event at or before one log position, and says which position and
recorded instant that is, so asking again with that instant gives the same
answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import (
    JSONTranscoder,
    Notification,
    OperationalError,
    Recording,
)
from eventsourcing.utils import Environment

from registry.application import inputs
from registry.application.cache import CertificateCache
from registry.application.catalogue import CatalogueKeeper
from registry.application.committer import (
    Command,
    GroupCommitter,
    PendingRequest,
    WriteRequest,
    already_exists,
    check_expected,
)
from registry.application.credentials import Credentials
from registry.application.directory import Directory
from registry.application.history import event_view
from registry.application.log_reader import (
    Parties,
    Refs,
    certificate_of,
    log_views,
    parties_of,
)
from registry.application.transcodings import DateAsISO
from registry.application.verification import Verifier
from registry.application.views import (
    CertificateDetails,
    CertificateRef,
    EventView,
    HistoryPage,
    LogPage,
    LogView,
    LogViewPage,
    Organization,
    Site,
    StatusView,
    StoreSummary,
    WriteMeta,
    WriteResult,
)
from registry.domain.certificate import Certificate, StatusReading, certificate_id, transfer
from registry.domain.standards import StandardsCatalogue
from registry.domain.status import CertificateState, Status
from registry.errors import (
    InvalidInputError,
    NotFoundError,
    RegistryError,
    SchemaError,
    UnavailableError,
)
from registry.store.log import (
    SCHEMA_KEY,
    Batch,
    LogPoint,
    OrderedLog,
    RequestRow,
    from_micros,
    next_time,
    utc_now,
)
from registry.store.tokens import TokenStore

log = logging.getLogger(__name__)
# What a use case returns inside ``begin``: never seen outside it.
_DEFERRED = WriteResult(0, datetime.fromtimestamp(0, UTC))
MAX_PAGE_SIZE = 1000
# Version 2: recorded time ordered with the log; request answers and the schema
# version beside the log, not in it.
CURRENT_SCHEMA_VERSION = 2

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class BegunWrite:
    """One write of ``Registry.begin_batch``: a use case and its arguments."""

    use_case: str
    ref: CertificateRef
    meta: WriteMeta
    fields: Mapping[str, Any] = field(default_factory=dict)


class Registry(Application[UUID]):
    """Certificates and their histories, on whichever store ``env`` selects."""

    name = "Registry"
    env: ClassVar[dict[str, str]] = {"PERSISTENCE_MODULE": "registry.store.memory:MemoryFactory"}
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Certificate: 100}

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = utc_now,
        standards: StandardsCatalogue | None = None,
        seed: bool = True,
    ) -> None:
        """``standards``: the catalogue to record if the store holds none yet (default:
        the file ``STANDARDS_FILE`` names in ``env``, else the shipped one). ``seed``
        False: record none (a command that only reads leaves an empty store empty, for
        the first ``registry serve`` to seed with its ``--standards-file``)."""
        super().__init__(env)
        if not all(hasattr(self.recorder, name) for name in ("append", "point_at")):
            raise TypeError(
                f"{type(self.recorder).__name__} does not keep the ordered log: "
                "select a recorder from registry.store (see registry.config)"
            )
        self.store = cast(OrderedLog, self.recorder)
        self.catalogue = CatalogueKeeper(self)
        self.directory = Directory(self)
        self.verifier = Verifier(self)
        self._clock = clock
        self.credentials = Credentials(cast(TokenStore, self.recorder), clock=self._clock)
        self._committer = GroupCommitter(self)
        self._cache = CertificateCache()
        self.refs: Refs[CertificateRef] = Refs(self._first_event, certificate_of)
        self.parties: Refs[Parties] = Refs(self._first_event, parties_of)
        self._deferring = threading.local()
        self.schema_version = self._check_schema()
        if seed:
            self.catalogue.seed(
                lambda: standards or StandardsCatalogue.load(self.env.get("STANDARDS_FILE"))
            )

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        """The settings given, over the class defaults; never the process environment,
        so nothing outside the command line can silently change the store."""
        settings = dict(type(self).env)
        if type(self).snapshotting_intervals:
            settings["IS_SNAPSHOTTING_ENABLED"] = "y"
        settings.update(env or {})
        return Environment(name, settings)

    def _check_schema(self) -> int:
        """Record the schema version in a new store; refuse a store of another one."""
        try:
            stored = self.store.get_meta(SCHEMA_KEY)
            if stored is None:
                if self.store.count_events():
                    raise SchemaError(
                        "the database holds events of schema version 1 (an earlier registry): "
                        "this registry reads schema version "
                        f"{CURRENT_SCHEMA_VERSION} only; serve it with the registry that "
                        "wrote it"
                    )
                self.store.set_meta(SCHEMA_KEY, str(CURRENT_SCHEMA_VERSION))
                stored = self.store.get_meta(SCHEMA_KEY)
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        version = int(stored or 0)
        if version != CURRENT_SCHEMA_VERSION:
            newer = "newer" if version > CURRENT_SCHEMA_VERSION else "older"
            raise SchemaError(
                f"the database holds schema version {version}, {newer} than this "
                f"registry's {CURRENT_SCHEMA_VERSION}: serve it with a registry of that version"
            )
        return version

    def now(self) -> datetime:
        """The registry's clock (injected in tests)."""
        return self._clock()

    @property
    def standards(self) -> StandardsCatalogue:
        """The latest catalogue of standards: what writes are checked against (an answer
        as of a cut uses the catalogue as recorded by then: ``catalogue.at``)."""
        return self.catalogue.current()

    def summary(self) -> StoreSummary:
        """The store's schema version and event count."""
        try:
            last = self.store.last_point()
            return StoreSummary(
                backend=type(self.recorder).__module__.rsplit(".", 1)[-1],
                schema_version=self.schema_version,
                supported_schema_version=CURRENT_SCHEMA_VERSION,
                events=self.store.count_events(),
                last_position=last.position if last else 0,
            )
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None

    def close(self) -> None:
        self._committer.close()
        super().close()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Append the events through the ordered log, which assigns their recorded times.

        The events were made with a provisional timestamp; under the log's lock they
        get their final one (``max(now, last + 1 µs)``, increasing within the batch)
        before they are mapped and inserted, together with the requests' answers.
        """
        events = list(processing_event.events)
        pending: Sequence[PendingRequest] = processing_event.saved_kwargs.get("requests", ())
        index = {(e.originator_id, e.originator_version): i for i, e in enumerate(events)}
        rows = [
            RequestRow(
                principal=r.principal,
                request_id=r.request_id,
                fingerprint=r.fingerprint,
                certificate_id=r.certificate_id,
                version=r.version,
                event_index=index[(r.certificate_id, r.version)],
            )
            for r in pending
        ]
        mapped: list[Any] = []

        def stamp(floor: int | None) -> Batch:
            start = next_time(floor, self._clock())
            times = [start + i for i in range(len(events))]
            for event, micros in zip(events, times, strict=True):
                # Events are frozen; the recorded time is theirs only from here on.
                object.__setattr__(event, "timestamp", from_micros(micros))
            mapped[:] = [self.mapper.to_stored_event(e) for e in events]
            return Batch(mapped, times, rows)

        positions = self.store.append(stamp)
        for event in cast(list[DomainEvent], events):
            aggregate = processing_event.aggregates.get(event.originator_id)
            if isinstance(aggregate, Aggregate):
                aggregate.modified_on = event.timestamp
        return [
            Recording(
                event,
                Notification(
                    id=position,
                    originator_id=stored.originator_id,
                    originator_version=stored.originator_version,
                    topic=stored.topic,
                    state=stored.state,
                ),
            )
            for event, stored, position in zip(events, mapped, positions, strict=True)
        ]

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """A snapshot is a cache of what is durable already: failing to take one is logged,
        never reported as the failure of the write that was saved."""
        try:
            super()._take_snapshots(processing_event)
        except OperationalError:
            log.warning("a snapshot could not be saved; it will be taken later", exc_info=True)

    def save_changes(
        self, certificates: Sequence[Certificate], requests: Sequence[PendingRequest]
    ) -> None:
        self.save(*certificates, requests=requests)

    # Writes

    def issue_certificate(
        self,
        ref: CertificateRef,
        meta: WriteMeta,
        *,
        organization: Organization,
        sites: list[Site],
        standard: str,
        scope: str,
        sector_codes: list[str],
        expiry_date: date | None,
    ) -> WriteResult:
        """Grant a certificate (a takeover from another CB is ``transfer_certificate``)."""
        ref = inputs.ref(ref)
        fields = self._issue_fields(
            ref, organization, sites, standard, scope, sector_codes, expiry_date
        )

        def issue(_: list[Certificate | None], context: dict[str, Any]) -> list[Certificate]:
            return [Certificate.issue(**context, **fields)]

        return self._write("issue", (ref,), meta, fields, issue, creates=True)

    def record_surveillance(self, ref: CertificateRef, meta: WriteMeta) -> WriteResult:
        return self._change("record_surveillance", ref, meta, {})

    def change_scope(
        self,
        ref: CertificateRef,
        meta: WriteMeta,
        *,
        scope: str,
        sites: list[Site],
        sector_codes: list[str],
    ) -> WriteResult:
        fields = {
            "scope": inputs.scope(scope),
            "sites": inputs.sites(sites),
            "sector_codes": inputs.codes(sector_codes),
        }
        return self._change("change_scope", ref, meta, fields)

    def suspend_certificate(
        self,
        ref: CertificateRef,
        meta: WriteMeta,
        *,
        reason: str,
        review_by: date | None = None,
        confidential: bool = False,
    ) -> WriteResult:
        """``confidential``: the CB marks the reason confidential (SPEC 3.2): it is told
        only to the admin, the CB and its ABs; the suspension itself stays public."""
        fields = {"reason": inputs.reason(reason), "review_by": review_by}
        return self._change("suspend", ref, meta, _with_flag(fields, confidential))

    def reinstate_certificate(self, ref: CertificateRef, meta: WriteMeta) -> WriteResult:
        return self._change("reinstate", ref, meta, {})

    def withdraw_certificate(
        self, ref: CertificateRef, meta: WriteMeta, *, reason: str, confidential: bool = False
    ) -> WriteResult:
        """``confidential`` as for ``suspend_certificate``."""
        fields = {"reason": inputs.reason(reason)}
        return self._change("withdraw", ref, meta, _with_flag(fields, confidential))

    def cancel_certificate(
        self, ref: CertificateRef, meta: WriteMeta, *, reason: str, confidential: bool = False
    ) -> WriteResult:
        """``confidential`` as for ``suspend_certificate``."""
        fields = {"reason": inputs.reason(reason)}
        return self._change("cancel", ref, meta, _with_flag(fields, confidential))

    def renew_certificate(
        self, ref: CertificateRef, meta: WriteMeta, *, expiry_date: date | None
    ) -> WriteResult:
        fields = {"expiry_date": inputs.required(expiry_date, "expiry_date")}
        return self._change("renew", ref, meta, fields)

    def transfer_certificate(
        self,
        ref: CertificateRef,
        meta: WriteMeta,
        *,
        from_certificate: CertificateRef,
        organization: Organization,
        sites: list[Site],
        standard: str,
        scope: str,
        sector_codes: list[str],
        expiry_date: date | None,
    ) -> WriteResult:
        """IAF MD 2, for the receiving CB: issue ``ref``, the new certificate, in place of
        ``from_certificate``, another CB's, from the transfer date (``meta.effective_date``).

        The new certificate's ``Issued`` (naming the replaced one) and the replaced
        certificate's ``TransferredOut`` (naming the new one) are saved in one transaction,
        or neither is. The answer is the new certificate's version (1) and, in
        ``from_version``, the replaced certificate's.
        """
        ref = inputs.ref(ref)
        replaced = inputs.ref(from_certificate, "from_certificate")
        if replaced == ref:
            raise InvalidInputError("from_certificate: a certificate cannot replace itself")
        fields = self._issue_fields(
            ref, organization, sites, standard, scope, sector_codes, expiry_date
        )

        def take_over(
            certificates: list[Certificate | None], context: dict[str, Any]
        ) -> list[Certificate]:
            _, old = certificates
            assert old is not None  # load_for_write found it
            return [transfer(old, **context, **fields), old]

        return self._write("transfer", (ref, replaced), meta, fields, take_over, creates=True)

    def change_holder_details(
        self, ref: CertificateRef, meta: WriteMeta, *, organization: Organization
    ) -> WriteResult:
        fields = {
            "organization_name": inputs.organization_name(organization.name, required=False),
            "organization_country": (
                inputs.country(organization.country) if organization.country.strip() else ""
            ),
            "organization_address": inputs.address(organization.address, required=False),
        }
        if not any(fields.values()):
            raise InvalidInputError("organization: give at least one of name, country, address")
        return self._change("change_holder_details", ref, meta, fields)

    def retract_event(
        self, ref: CertificateRef, meta: WriteMeta, *, version: int, reason: str
    ) -> WriteResult:
        if version < 1:
            raise InvalidInputError(f"event version must be 1 or more, got {version}")
        fields = {"retracted_version": version, "reason": inputs.reason(reason)}
        return self._change("retract", ref, meta, fields)

    def _issue_fields(
        self,
        ref: CertificateRef,
        organization: Organization,
        sites: list[Site],
        standard: str,
        scope: str,
        sector_codes: list[str],
        expiry_date: date | None,
    ) -> dict[str, Any]:
        """The checked fields of a new certificate, issued or taken over."""
        return {
            "certification_body_id": ref.certification_body_id,
            "certificate_number": ref.certificate_number,
            "organization_name": inputs.organization_name(organization.name),
            "organization_country": inputs.country(organization.country),
            "organization_address": inputs.address(organization.address),
            "sites": inputs.sites(sites),
            "standard": self.standards.get(inputs.standard(standard)).designation,
            "scope": inputs.scope(scope),
            "sector_codes": inputs.codes(sector_codes),
            "expiry_date": inputs.required(expiry_date, "expiry_date"),
        }

    # Queries

    def get_status(
        self, ref: CertificateRef, *, at: date | None = None, as_of: datetime | None = None
    ) -> StatusView:
        ref = inputs.ref(ref)
        cut, as_of = self.cut(as_of)
        at = at if at is not None else self._clock().date()
        position = cut.position if cut else 0
        cert_id = certificate_id(ref.certification_body_id, ref.certificate_number)
        certificate = self._certificate_at(cert_id, cut)
        if certificate is None:
            return StatusView(ref, Status.UNKNOWN, at, as_of, 0, log_position=position)
        reading = certificate.reading(at, self.catalogue.at(cut))
        details = _details(reading.state) if reading.status is not Status.UNKNOWN else None
        return StatusView(
            ref,
            reading.status,
            at,
            as_of,
            reading.version,
            reading.warnings,
            details,
            log_position=position,
        )

    def reading_at(
        self, ref: CertificateRef, at: date, cut: LogPoint | None
    ) -> StatusReading | None:
        """The certificate's reading on ``at`` from the events up to ``cut`` (see ``cut``);
        None if it was unknown then."""
        ref = inputs.ref(ref)
        certificate = self._certificate_at(
            certificate_id(ref.certification_body_id, ref.certificate_number), cut
        )
        if certificate is None:
            return None
        return certificate.reading(at, self.catalogue.at(cut))

    def get_history(
        self,
        ref: CertificateRef,
        *,
        after_version: int = 0,
        limit: int = 100,
        as_of: datetime | None = None,
    ) -> HistoryPage:
        ref = inputs.ref(ref)
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInputError(f"page size must be 1 to {MAX_PAGE_SIZE}, got {limit}")
        cut, as_of = self.cut(as_of)
        cert_id = certificate_id(ref.certification_body_id, ref.certificate_number)
        certificate = self._certificate_at(cert_id, cut)
        if certificate is None:
            raise NotFoundError("no such certificate as of that instant")
        retractions = certificate.retractions()
        try:
            # One page of the certificate's events straight from the store: O(page).
            rows = self.store.select_positioned(
                cert_id, gt=after_version, lte=certificate.version, limit=limit + 1
            )
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        views = []
        for row in rows[:limit]:
            event = self.mapper.to_domain_event(row)
            assert isinstance(event, Certificate.Event)
            views.append(
                event_view(
                    event, retractions.get(event.originator_version), row.id, certificate=ref
                )
            )
        more = len(rows) > limit
        next_version = views[-1].version if more and views else None
        return HistoryPage(
            views, next_version, as_of=as_of, log_position=cut.position if cut else 0
        )

    def read_log(self, after: int, limit: int = 500) -> LogPage:
        """The certificate events after global position ``after``: at most ``limit``
        positions read, in log order, each with its position and its certificate."""
        page = self.read_log_views(after, limit)
        return LogPage(
            [view for view in page.events if isinstance(view, EventView)], page.last_position
        )

    def read_log_views(self, after: int, limit: int = 500) -> LogViewPage:
        """The events of every kind after global position ``after``: at most ``limit``
        positions read, in log order, each with its position and what it is about."""
        try:
            notifications = self.recorder.select_notifications(
                start=after, limit=limit, inclusive_of_start=False
            )
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        return LogViewPage(
            self.log_views(notifications), notifications[-1].id if notifications else after
        )

    def log_views(self, notifications: Sequence[Notification]) -> list[LogView]:
        """Notifications of the global log as views with position, and the certificate or
        the parties each is about."""
        return log_views(notifications, self.mapper.to_domain_event, self.refs, self.parties)

    def _first_event(self, aggregate_id: UUID) -> Aggregate.Event | None:
        rows = self.recorder.select_events(aggregate_id, lte=1, limit=1)
        event = self.mapper.to_domain_event(rows[0]) if rows else None
        return event if isinstance(event, Aggregate.Event) else None

    def cut(self, as_of: datetime | None) -> tuple[LogPoint | None, datetime]:
        """The prefix of the log an answer is computed from, and the instant it stands for.

        Default: everything committed (the latest position and its recorded time),
        never the wall clock. An instant later than the registry's current time is
        refused: events could still be recorded at or before it.
        """
        try:
            if as_of is None:
                cut = self.store.last_point()
                return cut, cut.recorded_at if cut else self._clock()
            as_of = inputs.instant(as_of)
            last = self.store.last_point()
            now = max(self._clock(), last.recorded_at) if last else self._clock()
            if as_of > now:
                raise InvalidInputError(
                    f"as_of {as_of.isoformat()} is later than the registry's current time "
                    f"{now.isoformat()}: that answer could still change"
                )
            if last is None or as_of > last.recorded_at:
                # An append may hold the log's lock with a time at or before as_of, not yet
                # committed: wait for it, so the answer does not change once it commits.
                # Appends after this get later times (max(now, last + 1 µs)).
                self.store.barrier()
            return self.store.point_at(as_of), as_of
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None

    def _certificate_at(self, cert_id: UUID, cut: LogPoint | None) -> Certificate | None:
        """The certificate as the events up to ``cut`` leave it; None if unknown then."""
        if cut is None:
            return None
        try:
            version = self.store.version_at(cert_id, cut.position)
            if version == 0:
                return None
            return self._kept(cert_id, version)
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None

    def _kept(self, cert_id: UUID, version: int | None = None) -> Certificate:
        """The certificate at ``version`` (the latest if None) as kept for reads and as the
        start of writes: never to be changed (a write changes a ``copy()`` of it).

        The copy kept at that version; else the copy kept at an earlier one brought
        forward by the events after it (a write reads only those); else loaded from the
        store (its latest snapshot and the events after it). Raises the library's
        ``AggregateNotFoundError`` and ``OperationalError``.
        """
        certificate: Certificate | None = None
        if version is not None:
            certificate = self._cache.get(cert_id, version)
        if certificate is not None:
            return certificate
        kept = self._cache.latest(cert_id)
        if kept is not None and (version is None or kept.version < version):
            events = list(self.events.get(cert_id, gt=kept.version, lte=version))
            if not events:
                return kept
            certificate = kept.copy()
            for event in events:
                assert isinstance(event, Certificate.Event)
                event.mutate(certificate)
        else:
            certificate = self.repository.get(cert_id, version=version)
            assert isinstance(certificate, Certificate)
        self._cache.put(certificate)
        return certificate

    # The write path

    def _change(
        self, op: str, ref: CertificateRef, meta: WriteMeta, fields: dict[str, Any]
    ) -> WriteResult:
        method = getattr(Certificate, op)

        def change(
            certificates: list[Certificate | None], context: dict[str, Any]
        ) -> list[Certificate]:
            (certificate,) = certificates
            assert certificate is not None
            method(certificate, **context, **fields)
            return [certificate]

        return self._write(op, (inputs.ref(ref),), meta, fields, change, creates=False)

    def _write(
        self,
        op: str,
        refs: tuple[CertificateRef, ...],
        meta: WriteMeta,
        fields: dict[str, Any],
        command: Command,
        *,
        creates: bool,
    ) -> WriteResult:
        """Write through the committer: ``command`` changes the certificates ``refs`` names
        (the one the request answers for first) and all its events are saved together."""
        request_id = inputs.request_id(meta.request_id)
        fields = inputs.command_fields(fields)
        if meta.expected_version is not None and meta.expected_version < 0:
            raise InvalidInputError("expected_version must not be negative")
        request = WriteRequest(
            refs=refs,
            meta=meta,
            request_id=request_id,
            fingerprint=_fingerprint(op, refs, meta, fields),
            command=command,
            creates=creates,
        )
        try:
            self._check_certification_body(op, refs[0], meta, fields)
        except RegistryError:
            first = self.first_result(request)
            if first is not None:
                return first
            raise
        if getattr(self._deferring, "active", False):
            # The committer reads the certificates itself: the caller's thread is free at
            # once, and writes begun together reach the committer together, to be saved
            # together (see ``begin_batch``).
            self._deferring.pending.append(request)
            return _DEFERRED
        # A retry is recognised when it cannot simply be done again: when its checks
        # fail (the first attempt changed the certificate), or when saving it collides
        # with the first attempt's answer. So a first attempt costs no look-up.
        # Read and check here, in the caller's thread, so reads overlap other commits;
        # the committer re-checks against whatever was saved in between.
        try:
            request.loaded = self.load_for_write(request)
            check_expected(request, request.loaded[0])
        except RegistryError:
            first = self.first_result(request)
            if first is not None:
                return first
            raise
        return self._committer.submit(request)

    def _check_certification_body(
        self, op: str, ref: CertificateRef, meta: WriteMeta, fields: dict[str, Any]
    ) -> None:
        """Refuse a write for a CB not registered and active on the effective date, and a
        transfer to a CB not accredited that day for the standard and sector codes."""
        day = meta.effective_date or self._clock().date()
        self.directory.check_may_certify(ref.certification_body_id, day)
        if op == "transfer":
            self.directory.check_accredited(
                ref.certification_body_id, fields["standard"], fields["sector_codes"], day
            )

    def begin(
        self, use_case: str, ref: CertificateRef, meta: WriteMeta, **fields: Any
    ) -> Future[WriteResult]:
        """Run the write use case ``use_case`` up to its commit, without waiting for it.

        Everything up to the commit (input checks, the certificate's rules, recognising
        a retry) happens now, in the caller's thread; the future is answered once the
        write is durable or refused. For callers that must not hold a thread while a
        commit is under way, such as the asynchronous server. Malformed input is raised
        here, before any future.
        """
        (pending,) = self._begin([BegunWrite(use_case, ref, meta, fields)], alone=True)
        return pending

    def begin_batch(self, writes: Sequence[BegunWrite]) -> list[Future[WriteResult]]:
        """``begin`` each write, in order, and hand them to the committer together.

        Each write is answered in its own future: a write whose input is malformed
        fails at once, alone; the others are checked and committed in the order given
        (so writes on one certificate apply in that order), in as few transactions as
        the committer's batch allows. None waits for another's answer.
        """
        return self._begin(writes, alone=False)

    def _begin(self, writes: Sequence[BegunWrite], *, alone: bool) -> list[Future[WriteResult]]:
        """The writes' futures; what a write raises before its commit is raised if
        ``alone``, else answered in its future."""
        futures: list[Future[WriteResult]] = []
        requests: list[WriteRequest] = []
        self._deferring.active, self._deferring.pending = True, []
        try:
            for write in writes:
                answer: Future[WriteResult]
                try:
                    result = getattr(self, write.use_case)(write.ref, write.meta, **write.fields)
                except Exception as error:
                    if alone:
                        raise
                    answer = Future()
                    answer.set_exception(error)
                else:
                    if self._deferring.pending:
                        (request,) = self._deferring.pending
                        self._deferring.pending = []
                        requests.append(request)
                        answer = request.answer
                    else:  # answered without a commit
                        answer = Future()
                        answer.set_result(result)
                futures.append(answer)
        finally:
            self._deferring.active, self._deferring.pending = False, []
        if requests:
            try:
                self._committer.enqueue_all(requests)
            except UnavailableError as closing:
                if alone:
                    raise
                for request in requests:
                    request.answer.set_exception(closing)
        return futures

    def load_for_write(
        self, request: WriteRequest, known: Collection[UUID] = ()
    ) -> list[Certificate | None]:
        certificate: Certificate | None = None
        if request.cert_id in known:
            pass
        elif request.creates:
            if self._exists(request.cert_id):
                raise already_exists(request.ref)
        else:
            certificate = self._get(request.cert_id)
        others = zip(request.ids[1:], request.refs[1:], strict=True)
        return [
            certificate,
            *(None if cert_id in known else self._get(cert_id, ref=ref) for cert_id, ref in others),
        ]

    def first_result(self, request: WriteRequest) -> WriteResult | None:
        try:
            record = self.store.select_request(request.principal, request.request_id)
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        if record is None:
            return None
        if record.fingerprint != request.fingerprint:
            raise InvalidInputError(
                "request_id was already used for a different request; use a new request_id"
            )
        others = [self._version_written_by(request, cert_id) for cert_id in request.ids[1:]]
        return WriteResult(
            record.version, record.recorded_at, from_version=others[0] if others else None
        )

    def _version_written_by(self, request: WriteRequest, cert_id: UUID) -> int:
        """The version of the certificate's event that ``request`` recorded.

        The saved answer names only the event the request answers for; the event it
        saved with it on another certificate (a transfer's ``TransferredOut``) carries
        the same principal and request id, which no other request's events share.
        """
        try:
            for event in self.events.get(cert_id, desc=True):
                assert isinstance(event, Certificate.Event)
                if (event.actor, event.request_id) == (request.principal, request.request_id):
                    return event.originator_version
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        raise RuntimeError(f"the store lacks the event request {request.request_id!r} saved")

    def _get(self, cert_id: UUID, *, ref: CertificateRef | None = None) -> Certificate:
        """The certificate as stored now, a copy of the caller's own to change; its day
        segments folded already (shared with the copy kept), so a command checks and
        records its change at the cost of what the change touches.

        ``ref`` names it in the error when it is not the certificate a request is about.
        """
        try:
            kept = self._kept(cert_id)
        except AggregateNotFoundError:
            missing = "no such certificate"
            if ref is not None:
                missing = f"no certificate {ref.certificate_number} of {ref.certification_body_id}"
            raise NotFoundError(missing) from None
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        kept.prepare(self.standards)
        return kept.copy()

    def _exists(self, cert_id: UUID) -> bool:
        try:
            return bool(self.recorder.select_events(cert_id, limit=1))
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None


def _fingerprint(
    op: str, refs: tuple[CertificateRef, ...], meta: WriteMeta, fields: dict[str, Any]
) -> str:
    ref, *others = refs
    body: dict[str, Any] = {
        "op": op,
        "certificate": [ref.certification_body_id, ref.certificate_number],
        "effective_date": meta.effective_date,
        "expected_version": meta.expected_version,
        "fields": fields,
    }
    if others:
        body["also"] = [[o.certification_body_id, o.certificate_number] for o in others]
    text = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _with_flag(fields: dict[str, Any], confidential: bool) -> dict[str, Any]:
    """``fields`` with ``confidential`` only when it is set: a request's fingerprint is
    made of its fields, so a request that does not set the flag keeps the fingerprint it
    had before the flag existed, and its retry is still recognised (the command's
    default is False)."""
    return {**fields, "confidential": True} if confidential else fields


def _details(state: CertificateState) -> CertificateDetails:
    return CertificateDetails(
        certificate=CertificateRef(state.certification_body_id, state.certificate_number),
        organization=Organization(
            state.organization_name, state.organization_country, state.organization_address
        ),
        sites=[Site(s["address"], s.get("scope", "")) for s in state.sites],
        standard=state.standard,
        scope=state.scope,
        sector_codes=list(state.sector_codes),
        original_issue_date=state.original_issue_date,
        cycle_effective_date=state.cycle_effective_date,
        expiry_date=state.expiry_date,
        last_audit_date=state.last_audit_date,
        suspended_since=state.suspended_since,
        suspension_reason=state.suspension_reason,
        suspension_reason_confidential=state.suspension_reason_confidential,
        suspension_review_by=state.suspension_review_by,
        ended_on=state.ended_on,
        end_reason=state.end_reason,
        end_reason_confidential=state.end_reason_confidential,
        transferred_to=CertificateRef(*state.transferred_to) if state.transferred_to else None,
        replaces=CertificateRef(*state.replaces) if state.replaces else None,
    )
