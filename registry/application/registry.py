"""The registry application: one method per use case, plain types in, views out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, OperationalError

from registry.application import inputs
from registry.application.committer import GroupCommitter, WriteRequest, already_exists
from registry.application.store import StoreSummary, count_events
from registry.application.transcodings import DateAsISO
from registry.application.views import (
    CertificateDetails,
    CertificateRef,
    EventView,
    HistoryPage,
    Organization,
    Site,
    StatusView,
    WriteMeta,
    WriteResult,
)
from registry.domain.certificate import Certificate, certificate_id
from registry.domain.requests import RequestRecord, request_key
from registry.domain.schema import CURRENT_SCHEMA_VERSION, SCHEMA_ID, SchemaVersion
from registry.domain.standards import StandardsCatalogue
from registry.domain.status import CertificateState, Status
from registry.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RegistryError,
    SchemaError,
    UnavailableError,
)

MAX_PAGE_SIZE = 1000
_COMMON_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "effective_date",
        "actor",
        "request_id",
    }
)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(tz=UTC)


class Registry(Application[UUID]):
    """Certificates and their histories, on whichever store ``env`` selects."""

    name = "Registry"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Certificate: 100}

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        clock: Clock = _utc_now,
        standards: StandardsCatalogue | None = None,
    ) -> None:
        super().__init__(env)
        self.standards = standards or StandardsCatalogue.load(self.env.get("STANDARDS_FILE"))
        self._clock = clock
        self._committer = GroupCommitter(self)
        self.schema_version = self._check_schema()
        self._last_recorded_at = datetime.min.replace(tzinfo=UTC)

    def _check_schema(self) -> int:
        """Record the schema version in a new store; refuse a store of a newer one."""
        try:
            try:
                schema: SchemaVersion = self.repository.get(SCHEMA_ID)
            except AggregateNotFoundError:
                schema = SchemaVersion(CURRENT_SCHEMA_VERSION)
                try:
                    self.save(schema)
                except IntegrityError:  # another process recorded it first
                    schema = self.repository.get(SCHEMA_ID)
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        if schema.version_number > CURRENT_SCHEMA_VERSION:
            raise SchemaError(
                f"the database holds schema version {schema.version_number}, newer than this "
                f"registry's {CURRENT_SCHEMA_VERSION}: upgrade the registry before serving it"
            )
        return schema.version_number

    def summary(self) -> StoreSummary:
        """The store's schema version and event count."""
        try:
            return StoreSummary(
                backend=type(self.recorder).__module__.rsplit(".", 1)[-1],
                schema_version=self.schema_version,
                supported_schema_version=CURRENT_SCHEMA_VERSION,
                events=count_events(self.recorder),
                last_position=int(self.recorder.max_notification_id() or 0),
            )
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None

    def close(self) -> None:
        self._committer.close()
        super().close()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

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
        replaces: CertificateRef | None = None,
    ) -> WriteResult:
        ref = inputs.ref(ref)
        fields: dict[str, Any] = {
            "certification_body_id": ref.certification_body_id,
            "certificate_number": ref.certificate_number,
            "organization_name": inputs.text(organization.name, "organization.name"),
            "organization_country": inputs.country(organization.country),
            "organization_address": inputs.text(organization.address, "organization.address"),
            "sites": inputs.sites(sites),
            "standard": self.standards.get(inputs.text(standard, "standard")).designation,
            "scope": inputs.text(scope, "scope"),
            "sector_codes": inputs.codes(sector_codes),
            "expiry_date": inputs.required(expiry_date, "expiry_date"),
            "replaces_certification_body_id": replaces.certification_body_id if replaces else "",
            "replaces_certificate_number": replaces.certificate_number if replaces else "",
        }
        if replaces is not None:
            replaced = inputs.ref(replaces, "replaces")
            if replaced == ref:
                raise InvalidInputError("a certificate cannot replace itself")

        def issue(_: Certificate | None, context: dict[str, Any]) -> Certificate:
            if replaces is not None:  # the old two-step transfer, until one command does it
                return Certificate._issue(**context, **fields)
            plain = {k: v for k, v in fields.items() if not k.startswith("replaces_")}
            return Certificate.issue(**context, **plain)

        return self._write("issue", ref, meta, fields, issue, creates=True)

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
            "scope": inputs.text(scope, "scope"),
            "sites": inputs.sites(sites),
            "sector_codes": inputs.codes(sector_codes),
        }
        return self._change("change_scope", ref, meta, fields)

    def suspend_certificate(
        self, ref: CertificateRef, meta: WriteMeta, *, reason: str, review_by: date | None = None
    ) -> WriteResult:
        fields = {"reason": inputs.text(reason, "reason"), "review_by": review_by}
        return self._change("suspend", ref, meta, fields)

    def reinstate_certificate(self, ref: CertificateRef, meta: WriteMeta) -> WriteResult:
        return self._change("reinstate", ref, meta, {})

    def withdraw_certificate(
        self, ref: CertificateRef, meta: WriteMeta, *, reason: str
    ) -> WriteResult:
        return self._change("withdraw", ref, meta, {"reason": inputs.text(reason, "reason")})

    def cancel_certificate(
        self, ref: CertificateRef, meta: WriteMeta, *, reason: str
    ) -> WriteResult:
        return self._change("cancel", ref, meta, {"reason": inputs.text(reason, "reason")})

    def renew_certificate(
        self, ref: CertificateRef, meta: WriteMeta, *, expiry_date: date | None
    ) -> WriteResult:
        fields = {"expiry_date": inputs.required(expiry_date, "expiry_date")}
        return self._change("renew", ref, meta, fields)

    def transfer_certificate(
        self, ref: CertificateRef, meta: WriteMeta, *, to: CertificateRef
    ) -> WriteResult:
        to = inputs.ref(to, "to_certificate")
        if to == inputs.ref(ref):
            raise InvalidInputError("a certificate cannot be transferred to itself")
        fields: dict[str, Any] = {
            "to_certification_body_id": to.certification_body_id,
            "to_certificate_number": to.certificate_number,
        }

        def transfer_out(certificate: Certificate | None, context: dict[str, Any]) -> Certificate:
            assert certificate is not None  # the old two-step transfer, until one command does it
            certificate._transfer_out(**context, **fields)
            return certificate

        return self._write(
            "transfer_out", inputs.ref(ref), meta, fields, transfer_out, creates=False
        )

    def change_holder_details(
        self, ref: CertificateRef, meta: WriteMeta, *, organization: Organization
    ) -> WriteResult:
        fields = {
            "organization_name": organization.name.strip(),
            "organization_country": (
                inputs.country(organization.country) if organization.country.strip() else ""
            ),
            "organization_address": organization.address.strip(),
        }
        if not any(fields.values()):
            raise InvalidInputError("organization: give at least one of name, country, address")
        return self._change("change_holder_details", ref, meta, fields)

    def retract_event(
        self, ref: CertificateRef, meta: WriteMeta, *, version: int, reason: str
    ) -> WriteResult:
        if version < 1:
            raise InvalidInputError(f"event version must be 1 or more, got {version}")
        fields = {"retracted_version": version, "reason": inputs.text(reason, "reason")}
        return self._change("retract", ref, meta, fields)

    # Queries

    def get_status(
        self, ref: CertificateRef, *, at: date | None = None, as_of: datetime | None = None
    ) -> StatusView:
        ref = inputs.ref(ref)
        now = self._clock()
        asked = as_of is not None
        as_of = inputs.instant(as_of) if as_of is not None else now
        at = at if at is not None else now.date()
        cert_id = certificate_id(ref.certification_body_id, ref.certificate_number)
        try:
            certificate = self._get(cert_id, self._version_at(cert_id, as_of) if asked else None)
        except NotFoundError:
            return StatusView(ref, Status.UNKNOWN, at, as_of, 0)
        reading = certificate.reading(at, self.standards)
        details = _details(reading.state) if reading.status is not Status.UNKNOWN else None
        return StatusView(
            ref, reading.status, at, as_of, reading.version, reading.warnings, details
        )

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
        as_of = inputs.instant(as_of) if as_of is not None else None
        cert_id = certificate_id(ref.certification_body_id, ref.certificate_number)
        try:
            certificate = self._get(cert_id, self._version_at(cert_id, as_of) if as_of else None)
        except NotFoundError:
            raise NotFoundError(
                "no such certificate" + (" as of that instant" if as_of else "")
            ) from None
        retractions = certificate.retractions()
        known = certificate.version
        last = min(known, after_version + limit)
        try:
            page = cast(
                list[Certificate.Event], list(self.events.get(cert_id, gt=after_version, lte=last))
            )
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        views = [_event_view(e, retractions.get(e.originator_version)) for e in page]
        more = after_version + limit < known
        return HistoryPage(views, after_version + limit if more else None)

    # The write path

    def _change(
        self, op: str, ref: CertificateRef, meta: WriteMeta, fields: dict[str, Any]
    ) -> WriteResult:
        method = getattr(Certificate, op)

        def change(certificate: Certificate | None, context: dict[str, Any]) -> Certificate:
            assert certificate is not None
            method(certificate, **context, **fields)
            return certificate

        return self._write(op, inputs.ref(ref), meta, fields, change, creates=False)

    def _write(
        self,
        op: str,
        ref: CertificateRef,
        meta: WriteMeta,
        fields: dict[str, Any],
        command: Callable[[Certificate | None, dict[str, Any]], Certificate],
        *,
        creates: bool,
    ) -> WriteResult:
        request_id = inputs.text(meta.request_id, "request_id", max_length=200)
        if meta.expected_version is not None and meta.expected_version < 0:
            raise InvalidInputError("expected_version must not be negative")
        key = request_key(meta.actor, request_id)
        fingerprint = _fingerprint(op, ref, meta, fields)
        cert_id = certificate_id(ref.certification_body_id, ref.certificate_number)
        # A retry is recognised when it cannot simply be done again: when its checks
        # fail (the first attempt changed the certificate), or when saving it collides
        # with the first attempt's request record. So a first attempt costs no look-up.
        # Read and check here, in the caller's thread, so reads overlap other commits;
        # the committer re-checks against whatever was saved in between.
        try:
            loaded = self._load_for_write(cert_id, ref, meta, creates)
        except RegistryError:
            first = self._first_result(key, fingerprint)
            if first is not None:
                return first
            raise
        return self._committer.submit(
            WriteRequest(
                cert_id=cert_id,
                ref=ref,
                meta=meta,
                request_id=request_id,
                key=key,
                fingerprint=fingerprint,
                command=command,
                creates=creates,
                loaded=loaded,
            )
        )

    def _load_for_write(
        self, cert_id: UUID, ref: CertificateRef, meta: WriteMeta, creates: bool
    ) -> Certificate | None:
        if creates:
            if self._exists(cert_id):
                raise already_exists(ref)
            certificate, current_version = None, 0
        else:
            certificate = self._get(cert_id)
            current_version = certificate.version
        if meta.expected_version is not None and meta.expected_version != current_version:
            raise ConflictError(
                f"expected version {meta.expected_version}, the certificate is at "
                f"version {current_version}"
            )
        return certificate

    def _first_result(self, key: str, fingerprint: str) -> WriteResult | None:
        try:
            record: RequestRecord = self.repository.get(RequestRecord.create_id(key))
        except AggregateNotFoundError:
            return None
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        assert isinstance(record, RequestRecord)
        if record.fingerprint != fingerprint:
            raise InvalidInputError(
                "request_id was already used for a different request; use a new request_id"
            )
        return WriteResult(record.certificate_version, record.recorded_at)

    def _next_recorded_at(self, after: datetime | None = None) -> datetime:
        """The recorded time of the next write: later than this process's last one, and
        later than ``after`` (the certificate's last event, perhaps written by another
        process whose clock runs ahead), whatever the clock says.

        Called only by the committer's one thread, in the order writes are saved.
        """
        now = self._clock()
        floor = max(self._last_recorded_at, after) if after else self._last_recorded_at
        if now <= floor:
            now = floor + timedelta(microseconds=1)
        self._last_recorded_at = now
        return now

    def _version_at(self, cert_id: UUID, as_of: datetime) -> int:
        """The certificate's last version recorded at or before ``as_of``; 0 if none."""
        try:
            for event in cast(Iterable[Certificate.Event], self.events.get(cert_id, desc=True)):
                if event.timestamp <= as_of:
                    return event.originator_version
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        return 0

    def _get(self, cert_id: UUID, version: int | None = None) -> Certificate:
        """The certificate as of ``version`` (the latest if None; not found if 0)."""
        if version == 0:
            raise NotFoundError("no such certificate")
        try:
            certificate: Certificate = self.repository.get(cert_id, version=version)
        except AggregateNotFoundError:
            raise NotFoundError("no such certificate") from None
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        assert isinstance(certificate, Certificate)
        return certificate

    def _exists(self, cert_id: UUID) -> bool:
        try:
            return bool(self.recorder.select_events(cert_id, limit=1))
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None


def _fingerprint(op: str, ref: CertificateRef, meta: WriteMeta, fields: dict[str, Any]) -> str:
    body = {
        "op": op,
        "certificate": [ref.certification_body_id, ref.certificate_number],
        "effective_date": meta.effective_date,
        "expected_version": meta.expected_version,
        "fields": fields,
    }
    text = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        suspension_review_by=state.suspension_review_by,
        ended_on=state.ended_on,
        end_reason=state.end_reason,
        transferred_to=CertificateRef(*state.transferred_to) if state.transferred_to else None,
        replaces=CertificateRef(*state.replaces) if state.replaces else None,
    )


def _event_view(event: Certificate.Event, retracted_by: int | None) -> EventView:
    fields = {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in vars(event).items()
        if name not in _COMMON_FIELDS
    }
    return EventView(
        version=event.originator_version,
        type=event.kind,
        effective_date=event.effective_date,
        recorded_at=event.timestamp,
        actor=event.actor,
        request_id=event.request_id,
        fields=fields,
        retracted_by_version=retracted_by,
    )
