"""The Certificate aggregate: its events, its lifecycle rules, its status on two clocks.

Every event carries an effective date (valid time) besides the library's
``timestamp`` (recorded time, set by the registry). A certificate's state on
a day is the fold of the events in effect, ordered by (effective date,
version); "in effect as of T" means recorded at or before T and not retracted
by a retraction recorded at or before T.

A command is accepted only if the whole timeline, with its event inserted in
that order, still satisfies every rule: the new event is checked against the
state on its own effective date, and every later event against the state the
insertion leaves before it. So backdated and future-dated changes are checked
against what was true on their day, not just against the latest state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.domain.dates import add_months, add_years
from registry.domain.standards import StandardsCatalogue
from registry.domain.status import ENDED, CertificateState, Status, Warning
from registry.errors import NotFoundError, RuleViolationError

# The namespace of certificate ids over the length-prefixed encoding below; ids of the
# earlier, newline-joined encoding lived in another namespace, so the two cannot be confused.
CERTIFICATE_NAMESPACE = UUID("e72276ff-419e-497b-8b35-aee0b56c7a00")
MAX_FUTURE_DAYS = 90
MAX_CYCLE_YEARS = 3
RESTORE_WINDOW_MONTHS = 6


def certificate_id(certification_body_id: str, certificate_number: str) -> UUID:
    """The aggregate id of a CB's certificate number: the same pair, the same id.

    A uuid5 over an unambiguous encoding of the pair: each part as its UTF-8 byte length
    in decimal, a colon, then its UTF-8 bytes. No character inside an id can shift the
    boundary between the parts, so different pairs never share an id. The pair is taken
    as given: normalise both parts (NFC, no surrounding whitespace) before asking.
    """
    name = b"".join(
        b"%d:%s" % (len(encoded), encoded)
        for encoded in (
            certification_body_id.encode("utf-8", "surrogatepass"),
            certificate_number.encode("utf-8", "surrogatepass"),
        )
    )
    digest = hashlib.sha1(CERTIFICATE_NAMESPACE.bytes + name, usedforsecurity=False).digest()
    return UUID(bytes=digest[:16], version=5)


@dataclass(frozen=True)
class StatusReading:
    """A certificate's status on day ``at`` as known at ``as_of``."""

    status: Status
    state: CertificateState
    warnings: list[Warning]
    version: int


class Certificate(Aggregate):
    """One CB's certificate and the immutable log of everything published about it."""

    class Event(Aggregate.Event):
        """Base of the certificate's events: the two clocks, the actor and the request."""

        effective_date: date
        actor: str
        request_id: str

        kind: ClassVar[str] = "Event"

        def apply(self, aggregate: Certificate) -> None:
            aggregate.events.append(self)

        def check(self, state: CertificateState) -> None:
            """Raise ``RuleViolationError`` if this event may not follow ``state`` on its day."""

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            """Fold this event into ``state``."""

    class Issued(Aggregate.Created, Event):
        certification_body_id: str
        certificate_number: str
        organization_name: str
        organization_country: str
        organization_address: str
        sites: list[dict[str, str]]
        standard: str
        scope: str
        sector_codes: list[str]
        expiry_date: date
        replaces_certification_body_id: str
        replaces_certificate_number: str

        kind: ClassVar[str] = "Issued"

        def check(self, state: CertificateState) -> None:
            _check_cycle(self.effective_date, self.expiry_date, "issue")

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            state.certification_body_id = self.certification_body_id
            state.certificate_number = self.certificate_number
            state.organization_name = self.organization_name
            state.organization_country = self.organization_country
            state.organization_address = self.organization_address
            state.sites = list(self.sites)
            state.standard = self.standard
            state.standard_deadline = standards.deadline_of(self.standard)
            state.scope = self.scope
            state.sector_codes = list(self.sector_codes)
            state.original_issue_date = self.effective_date
            state.cycle_effective_date = self.effective_date
            state.last_audit_date = self.effective_date
            state.expiry_date = self.expiry_date
            if self.replaces_certificate_number:
                state.replaces = (
                    self.replaces_certification_body_id,
                    self.replaces_certificate_number,
                )

    class SurveillancePassed(Event):
        kind: ClassVar[str] = "SurveillancePassed"

        def check(self, state: CertificateState) -> None:
            _check_in_force(state, self.effective_date, "surveillance")

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            state.last_audit_date = self.effective_date

    class ScopeChanged(Event):
        scope: str
        sites: list[dict[str, str]]
        sector_codes: list[str]

        kind: ClassVar[str] = "ScopeChanged"

        def check(self, state: CertificateState) -> None:
            _check_in_force(state, self.effective_date, "scope change")

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            state.scope = self.scope
            state.sites = list(self.sites)
            state.sector_codes = list(self.sector_codes)

    class Suspended(Event):
        reason: str
        review_by: date | None

        kind: ClassVar[str] = "Suspended"

        def check(self, state: CertificateState) -> None:
            status = state.status_on(self.effective_date)
            if status is not Status.VALID:
                raise RuleViolationError(
                    "suspend-only-valid",
                    f"only a valid certificate can be suspended; on {self.effective_date} "
                    f"it is {status.value}",
                )

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            state.suspended_since = self.effective_date
            state.suspension_reason = self.reason
            state.suspension_review_by = self.review_by

    class Reinstated(Event):
        kind: ClassVar[str] = "Reinstated"

        def check(self, state: CertificateState) -> None:
            status = state.status_on(self.effective_date)
            if status is not Status.SUSPENDED:
                raise RuleViolationError(
                    "reinstate-only-suspended",
                    f"only a suspended certificate can be reinstated; on {self.effective_date} "
                    f"it is {status.value}",
                )

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            state.suspended_since = None
            state.suspension_reason = ""
            state.suspension_review_by = None

    class Withdrawn(Event):
        reason: str

        kind: ClassVar[str] = "Withdrawn"

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            _end(state, Status.WITHDRAWN, self.effective_date, self.reason)

    class Cancelled(Event):
        reason: str

        kind: ClassVar[str] = "Cancelled"

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            _end(state, Status.CANCELLED, self.effective_date, self.reason)

    class Renewed(Event):
        expiry_date: date

        kind: ClassVar[str] = "Renewed"

        def check(self, state: CertificateState) -> None:
            day = self.effective_date
            if state.edition_withdrawn_on(day):
                raise RuleViolationError(
                    "edition-past-transition-deadline",
                    f"certificates to {state.standard} are no longer valid after "
                    f"{state.standard_deadline}; issue a certificate to the current edition",
                )
            assert state.expiry_date is not None  # set by Issued, which always comes first
            if day > state.expiry_date and day >= add_months(
                state.expiry_date + timedelta(days=1), RESTORE_WINDOW_MONTHS
            ):
                raise RuleViolationError(
                    "renewal-within-6-months-of-expiry",
                    f"the certificate expired after {state.expiry_date}, more than "
                    f"{RESTORE_WINDOW_MONTHS} months before {day}; it must be issued anew",
                )
            if self.expiry_date <= state.expiry_date:
                raise RuleViolationError(
                    "renewal-extends-expiry",
                    f"the new expiry {self.expiry_date} must be later than the current "
                    f"{state.expiry_date}",
                )
            _check_cycle(day, self.expiry_date, "renewal")

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            state.expiry_date = self.expiry_date
            state.cycle_effective_date = self.effective_date
            state.last_audit_date = self.effective_date

    class TransferredOut(Event):
        to_certification_body_id: str
        to_certificate_number: str

        kind: ClassVar[str] = "TransferredOut"

        def check(self, state: CertificateState) -> None:
            status = state.status_on(self.effective_date)
            if status is Status.SUSPENDED:
                raise RuleViolationError(
                    "no-transfer-while-suspended",
                    f"a suspended certificate cannot be transferred (IAF MD 2); it is "
                    f"suspended on {self.effective_date}",
                )
            if status is not Status.VALID:
                raise RuleViolationError(
                    "transfer-only-valid",
                    f"only a valid certificate can be transferred; on {self.effective_date} "
                    f"it is {status.value}",
                )

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            _end(state, Status.TRANSFERRED, self.effective_date, "")
            state.transferred_to = (self.to_certification_body_id, self.to_certificate_number)

    class HolderDetailsChanged(Event):
        organization_name: str
        organization_country: str
        organization_address: str

        kind: ClassVar[str] = "HolderDetailsChanged"

        def evolve(self, state: CertificateState, standards: StandardsCatalogue) -> None:
            state.organization_name = self.organization_name or state.organization_name
            state.organization_country = self.organization_country or state.organization_country
            state.organization_address = self.organization_address or state.organization_address

    class Retracted(Event):
        retracted_version: int
        reason: str

        kind: ClassVar[str] = "Retracted"

    def __init__(self) -> None:
        self.events: list[Certificate.Event] = []

    @staticmethod
    def create_id(certification_body_id: str, certificate_number: str) -> UUID:
        return certificate_id(certification_body_id, certificate_number)

    # Commands: each checks every rule, then records exactly one event.

    @classmethod
    def issue(
        cls,
        *,
        standards: StandardsCatalogue,
        today: date,
        recorded_at: datetime,
        **fields: Any,
    ) -> Certificate:
        _check_not_too_far_ahead(fields["effective_date"], today)
        deadline = standards.get(fields["standard"]).transition_deadline
        if deadline is not None and fields["effective_date"] > deadline:
            raise RuleViolationError(
                "edition-past-transition-deadline",
                f"certificates to {fields['standard']} are no longer valid after {deadline}",
            )
        candidate = cls.Issued(
            originator_id=certificate_id(
                fields["certification_body_id"], fields["certificate_number"]
            ),
            originator_version=1,
            timestamp=recorded_at,
            originator_topic="",
            **fields,
        )
        _fold([candidate], standards, check_from=_position(candidate))
        return cls._create(
            cls.Issued,
            id=candidate.originator_id,
            timestamp=recorded_at,
            **fields,
        )

    def record_surveillance(self, **kw: Any) -> None:
        self._record(self.SurveillancePassed, **kw)

    def change_scope(self, **kw: Any) -> None:
        self._record(self.ScopeChanged, **kw)

    def suspend(self, **kw: Any) -> None:
        self._record(self.Suspended, **kw)

    def reinstate(self, **kw: Any) -> None:
        self._record(self.Reinstated, **kw)

    def withdraw(self, **kw: Any) -> None:
        self._record(self.Withdrawn, **kw)

    def cancel(self, **kw: Any) -> None:
        self._record(self.Cancelled, **kw)

    def renew(self, **kw: Any) -> None:
        self._record(self.Renewed, **kw)

    def transfer_out(self, **kw: Any) -> None:
        self._record(self.TransferredOut, **kw)

    def change_holder_details(self, **kw: Any) -> None:
        self._record(self.HolderDetailsChanged, **kw)

    def retract(
        self,
        *,
        standards: StandardsCatalogue,
        today: date,
        recorded_at: datetime,
        **fields: Any,
    ) -> None:
        _check_not_too_far_ahead(fields["effective_date"], today)
        target_version = fields["retracted_version"]
        in_effect = _in_effect(self.events, None)
        if not 1 <= target_version <= self.version:
            raise NotFoundError(
                f"certificate has no event version {target_version} (its versions are "
                f"1 to {self.version})"
            )
        target = self.events[target_version - 1]
        if isinstance(target, (self.Issued, self.Retracted)) or target not in in_effect:
            why = (
                "is already retracted"
                if target not in in_effect and not isinstance(target, self.Retracted)
                else f"is a {target.kind} event, which cannot be retracted"
            )
            raise RuleViolationError(
                "retract-only-published-changes",
                f"event version {target_version} {why}",
            )
        remaining = [event for event in in_effect if event is not target]
        _fold(
            remaining,
            standards,
            check_from=_position(target),
            changed=f"retracting v{target_version}",
        )
        self.trigger_event(self.Retracted, timestamp=recorded_at, **fields)

    def _record(
        self,
        event_class: type[Certificate.Event],
        *,
        standards: StandardsCatalogue,
        today: date,
        recorded_at: datetime,
        **fields: Any,
    ) -> None:
        _check_not_too_far_ahead(fields["effective_date"], today)
        candidate = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=recorded_at,
            **fields,
        )
        timeline = [*_in_effect(self.events, None), candidate]
        _fold(timeline, standards, check_from=_position(candidate), changed=candidate.kind)
        self.trigger_event(event_class, timestamp=recorded_at, **fields)

    # Queries

    def reading(
        self, at: date, as_of: datetime | None, standards: StandardsCatalogue
    ) -> StatusReading:
        """The status on ``at`` from the events recorded at or before ``as_of``."""
        known = _known(self.events, as_of)
        if not known:
            return StatusReading(Status.UNKNOWN, CertificateState(), [], 0)
        in_effect = _in_effect(known, as_of)
        state = _fold(in_effect, standards, until=at)
        if state.original_issue_date is None:
            state = _fold(in_effect[:1], standards)
        return StatusReading(
            status=state.status_on(at),
            state=state,
            warnings=state.warnings_on(at),
            version=known[-1].originator_version,
        )

    def retractions(self, as_of: datetime | None) -> dict[int, int]:
        """Retracted version → the version of its retraction, as known at ``as_of``."""
        return {
            event.retracted_version: event.originator_version
            for event in _known(self.events, as_of)
            if isinstance(event, self.Retracted)
        }


def _known(events: Sequence[Certificate.Event], as_of: datetime | None) -> list[Certificate.Event]:
    if as_of is None:
        return list(events)
    return [event for event in events if event.timestamp <= as_of]


def _in_effect(
    events: Sequence[Certificate.Event], as_of: datetime | None
) -> list[Certificate.Event]:
    """The events recorded by ``as_of`` that no retraction recorded by then cancels."""
    known = _known(events, as_of)
    retracted = {e.retracted_version for e in known if isinstance(e, Certificate.Retracted)}
    return [
        event
        for event in known
        if event.originator_version not in retracted
        and not isinstance(event, Certificate.Retracted)
    ]


def _position(event: Certificate.Event) -> tuple[date, int]:
    return (event.effective_date, event.originator_version)


def _fold(
    events: Iterable[Certificate.Event],
    standards: StandardsCatalogue,
    *,
    until: date | None = None,
    check_from: tuple[date, int] | None = None,
    changed: str = "",
) -> CertificateState:
    """Fold ``events`` in timeline order up to day ``until``, checking rules from ``check_from``."""
    state = CertificateState()
    timeline = sorted(events, key=_position)
    issued_on = next(e.effective_date for e in timeline if isinstance(e, Certificate.Issued))
    for event in timeline:
        if until is not None and event.effective_date > until:
            break
        if check_from is not None and _position(event) >= check_from:
            try:
                _check_common(event, state, issued_on)
                event.check(state)
            except RuleViolationError as error:
                if _position(event) == check_from or not changed:
                    raise
                raise RuleViolationError(
                    error.rule,
                    f"{changed} would leave the later event v{event.originator_version} "
                    f"{event.kind} effective {event.effective_date} in breach: {error.detail}",
                ) from None
        event.evolve(state, standards)
    return replace(state)


def _check_common(event: Certificate.Event, state: CertificateState, issued_on: date) -> None:
    if isinstance(event, Certificate.Issued):
        return
    if event.effective_date < issued_on:
        raise RuleViolationError(
            "not-before-issue",
            f"{event.kind} effective {event.effective_date} is before the certificate's "
            f"issue on {issued_on}",
        )
    if state.ended is not None:
        raise RuleViolationError(
            "nothing-after-end",
            f"{event.kind} effective {event.effective_date} follows the certificate's "
            f"{state.ended.value.lower()} status from {state.ended_on}",
        )


def _check_in_force(state: CertificateState, day: date, what: str) -> None:
    status = state.status_on(day)
    if status in (Status.WITHDRAWN, Status.TRANSFERRED, Status.EXPIRED, Status.CANCELLED):
        raise RuleViolationError(
            "certificate-must-be-in-force",
            f"a {what} needs a certificate that is not withdrawn, cancelled, transferred "
            f"or expired; on {day} it is {status.value}",
        )


def _check_cycle(effective: date, expiry: date, what: str) -> None:
    if expiry <= effective:
        raise RuleViolationError(
            "expiry-after-effective-date",
            f"the {what}'s expiry {expiry} must be after its effective date {effective}",
        )
    limit = add_years(effective, MAX_CYCLE_YEARS)
    if expiry > limit:
        raise RuleViolationError(
            "cycle-at-most-3-years",
            f"the {what}'s expiry {expiry} is more than {MAX_CYCLE_YEARS} years after "
            f"{effective} (latest allowed {limit})",
        )


def _check_not_too_far_ahead(effective: date, today: date) -> None:
    latest = today + timedelta(days=MAX_FUTURE_DAYS)
    if effective > latest:
        raise RuleViolationError(
            "future-date-at-most-90-days",
            f"effective date {effective} is more than {MAX_FUTURE_DAYS} days ahead "
            f"(latest allowed {latest})",
        )


def _end(state: CertificateState, status: Status, day: date, reason: str) -> None:
    assert status in ENDED
    state.ended = status
    state.ended_on = day
    state.end_reason = reason
