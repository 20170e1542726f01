"""The Certificate aggregate: its events, its commands, its status on a day; and transfers.

Every event carries an effective date (valid time) besides the library's
``timestamp`` (recorded time, set by the registry). A certificate's state on
a day is the fold of the changes in effect, ordered by (effective date,
version) (see ``registry.domain.timeline``). A loaded certificate is what was
known at its version: to answer as of an earlier instant, load the version
recorded by then; a retraction is an event too, so it counts from its own
version on.

A command is accepted only if the whole timeline, with its change inserted
in that order, still satisfies every rule (``registry.domain.rules``): the new
change is checked against the state on its own effective date, and every
later change against the state the insertion leaves before it.

The aggregate keeps no list of its events: only the changes in effect in
compact form and which version retracted which. A reading folds them once per
loaded version into day segments, kept beside the aggregate's state (not in
its ``__dict__``, so never in a snapshot); each reading is then a bisection.
Once folded, the segments follow the events applied after: a new change folds
again only its own day and the later ones, and a command checks its change
from the state the segments give for its day. So recording a change on a
certificate already folded costs what the change touches, not its history.
"""

from __future__ import annotations

import dataclasses
import hashlib
from bisect import bisect_left, insort
from copy import copy as shallow_copy
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from typing import Any, ClassVar, TypedDict, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.domain import rules
from registry.domain.changes import EVENT_COMMON_FIELDS
from registry.domain.standards import StandardsCatalogue
from registry.domain.status import CertificateState, Status, Warning
from registry.domain.timeline import (
    Change,
    Period,
    Segments,
    check_timeline,
    position,
    with_change,
)
from registry.errors import NotFoundError, RuleViolationError

# The namespace of certificate ids over the length-prefixed encoding below; ids of the
# earlier, newline-joined encoding lived in another namespace, so the two cannot be confused.
CERTIFICATE_NAMESPACE = UUID("e72276ff-419e-497b-8b35-aee0b56c7a00")


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


class CommandContext(TypedDict):
    """What every command takes besides its own fields: the two clocks, who, which request."""

    standards: StandardsCatalogue
    today: date
    recorded_at: datetime
    effective_date: date
    actor: str
    request_id: str


class IssueArguments(CommandContext):
    """What an issue (and the new certificate of a transfer) takes."""

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


@dataclass(frozen=True)
class StatusReading:
    """A certificate's status on day ``at``, from what its loaded version knows."""

    status: Status
    state: CertificateState
    warnings: list[Warning]
    version: int


@dataclass(frozen=True)
class _Readings:
    """The day segments of one version of a certificate, under one standards catalogue."""

    version: int
    standards: StandardsCatalogue
    segments: Segments


class Certificate(Aggregate):
    """One CB's certificate: the changes in effect on its timeline, and its rules."""

    __slots__ = ("_readings",)
    _readings: _Readings

    class Event(Aggregate.Event):
        """Base of the certificate's events: the two clocks, the actor and the request."""

        effective_date: date
        actor: str
        request_id: str

        kind: ClassVar[str] = "Event"

        def apply(self, aggregate: Certificate) -> None:
            aggregate._insert(self.change())

        def change(self) -> Change:
            """This event as the timeline keeps it."""
            return {
                "kind": self.kind,
                "version": self.originator_version,
                "effective_date": self.effective_date,
                **{name: getattr(self, name) for name in _own_fields(type(self))},
            }

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

    class SurveillancePassed(Event):
        kind: ClassVar[str] = "SurveillancePassed"

    class ScopeChanged(Event):
        scope: str
        sites: list[dict[str, str]]
        sector_codes: list[str]

        kind: ClassVar[str] = "ScopeChanged"

    class Suspended(Event):
        reason: str
        review_by: date | None
        confidential: bool  # the CB marked the reason confidential (SPEC 3.2)

        kind: ClassVar[str] = "Suspended"
        class_version: ClassVar[int] = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Events stored before the flag: their reasons are public."""
            state["confidential"] = False

    class Reinstated(Event):
        kind: ClassVar[str] = "Reinstated"

    class Withdrawn(Event):
        reason: str
        confidential: bool  # the CB marked the reason confidential (SPEC 3.2)

        kind: ClassVar[str] = "Withdrawn"
        class_version: ClassVar[int] = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Events stored before the flag: their reasons are public."""
            state["confidential"] = False

    class Cancelled(Event):
        reason: str
        confidential: bool  # the CB marked the reason confidential (SPEC 3.2)

        kind: ClassVar[str] = "Cancelled"
        class_version: ClassVar[int] = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Events stored before the flag: their reasons are public."""
            state["confidential"] = False

    class Renewed(Event):
        expiry_date: date

        kind: ClassVar[str] = "Renewed"

    class TransferredOut(Event):
        to_certification_body_id: str
        to_certificate_number: str

        kind: ClassVar[str] = "TransferredOut"

    class HolderDetailsChanged(Event):
        organization_name: str
        organization_country: str
        organization_address: str

        kind: ClassVar[str] = "HolderDetailsChanged"

    class Retracted(Event):
        retracted_version: int
        reason: str

        kind: ClassVar[str] = "Retracted"

        def apply(self, aggregate: Certificate) -> None:
            aggregate._changes = [
                change
                for change in aggregate._changes
                if change["version"] != self.retracted_version
            ]
            aggregate._retractions[str(self.retracted_version)] = self.originator_version

    def __init__(self) -> None:
        self._changes: list[Change] = []  # in effect, in timeline order
        self._retractions: dict[str, int] = {}  # str(retracted version) → retraction's

    @staticmethod
    def create_id(certification_body_id: str, certificate_number: str) -> UUID:
        return certificate_id(certification_body_id, certificate_number)

    # Commands: each checks every rule, then records exactly one event. Each takes the
    # CommandContext (the two clocks, the actor, the request) besides its own fields.

    @classmethod
    def issue(cls, **arguments: Unpack[IssueArguments]) -> Certificate:
        """A new certificate (a transfer from another CB's is made by ``transfer``)."""
        return cls._issue(
            **arguments, replaces_certification_body_id="", replaces_certificate_number=""
        )

    def record_surveillance(self, **context: Unpack[CommandContext]) -> None:
        self._record(self.SurveillancePassed, context)

    def change_scope(
        self,
        *,
        scope: str,
        sites: list[dict[str, str]],
        sector_codes: list[str],
        **context: Unpack[CommandContext],
    ) -> None:
        self._record(
            self.ScopeChanged, context, scope=scope, sites=sites, sector_codes=sector_codes
        )

    def suspend(
        self,
        *,
        reason: str,
        review_by: date | None = None,
        confidential: bool = False,
        **context: Unpack[CommandContext],
    ) -> None:
        """``confidential``: the reason is shown only to those who may see who acted."""
        self._record(
            self.Suspended, context, reason=reason, review_by=review_by, confidential=confidential
        )

    def reinstate(self, **context: Unpack[CommandContext]) -> None:
        self._record(self.Reinstated, context)

    def withdraw(
        self, *, reason: str, confidential: bool = False, **context: Unpack[CommandContext]
    ) -> None:
        self._record(self.Withdrawn, context, reason=reason, confidential=confidential)

    def cancel(
        self, *, reason: str, confidential: bool = False, **context: Unpack[CommandContext]
    ) -> None:
        self._record(self.Cancelled, context, reason=reason, confidential=confidential)

    def renew(self, *, expiry_date: date, **context: Unpack[CommandContext]) -> None:
        self._record(self.Renewed, context, expiry_date=expiry_date)

    def change_holder_details(
        self,
        *,
        organization_name: str = "",
        organization_country: str = "",
        organization_address: str = "",
        **context: Unpack[CommandContext],
    ) -> None:
        """Change what is given; an empty value keeps the current one."""
        self._record(
            self.HolderDetailsChanged,
            context,
            organization_name=organization_name,
            organization_country=organization_country,
            organization_address=organization_address,
        )

    def retract(
        self, *, retracted_version: int, reason: str, **context: Unpack[CommandContext]
    ) -> None:
        """Take back a change published in error: from now on it has no effect."""
        rules.check_not_too_far_ahead(context["effective_date"], context["today"])
        if not 1 <= retracted_version <= self.version:
            raise NotFoundError(
                f"certificate has no event version {retracted_version} (its versions are "
                f"1 to {self.version})"
            )
        target = next((c for c in self._changes if c["version"] == retracted_version), None)
        if target is None or target["kind"] == "Issued":
            if str(retracted_version) in self._retractions:
                why = "is already retracted"
            else:
                kind = "an Issued" if target is not None else "a Retracted"
                why = f"is {kind} event, which cannot be retracted"
            raise RuleViolationError(
                "retract-only-published-changes", f"event version {retracted_version} {why}"
            )
        check_timeline(
            [c for c in self._changes if c is not target],
            context["standards"],
            check_from=position(target),
            check=rules.check_change,
            changed=f"retracting v{retracted_version}",
        )
        self.trigger_event(
            self.Retracted,
            timestamp=context["recorded_at"],
            **_event_context(context),
            retracted_version=retracted_version,
            reason=reason,
        )

    # Copies

    def copy(self) -> Certificate:
        """A copy to record changes on, this one staying as it is: the changes in effect,
        which are never changed in place, and the day segments are shared, not copied.
        Events pending stay with this one: the copy has none."""
        twin = shallow_copy(self)
        twin._changes = list(self._changes)
        twin._retractions = dict(self._retractions)
        twin._pending_events = []
        return twin

    def prepare(self, standards: StandardsCatalogue) -> None:
        """Fold the timeline into day segments for ``standards`` now (once per version):
        readings, and checks of new changes, start from them, and so do copies."""
        self._segments(standards)

    # Queries

    def reading(self, at: date, standards: StandardsCatalogue) -> StatusReading:
        """The status on ``at`` from the changes this version knows to be in effect."""
        state = self._segments(standards).state_on(at)
        return StatusReading(
            status=state.status_on(at),
            state=replace(state),
            warnings=state.warnings_on(at),
            version=self.version,
        )

    def periods(self, standards: StandardsCatalogue, since: date | None = None) -> list[Period]:
        """Every day's status and state, as periods; ``since``: only those a change
        effective that day can have changed (see ``Segments.periods``)."""
        return self._segments(standards).periods(since)

    def retractions(self) -> dict[int, int]:
        """Retracted version → the version of its retraction, as this version knows."""
        return {int(retracted): by for retracted, by in self._retractions.items()}

    # Guarded steps: what every issue and every change makes (a transfer too)

    @classmethod
    def _issue(cls, **arguments: Any) -> Certificate:
        """``arguments``: IssueArguments and the two ``replaces_*`` fields."""
        standards: StandardsCatalogue = arguments.pop("standards")
        today: date = arguments.pop("today")
        recorded_at: datetime = arguments.pop("recorded_at")
        fields = arguments
        edition = standards.get(fields["standard"])
        fields["standard"] = edition.designation
        rules.check_not_too_far_ahead(fields["effective_date"], today)
        rules.check_edition_current(
            edition.designation, edition.transition_deadline, fields["effective_date"]
        )
        cert_id = certificate_id(fields["certification_body_id"], fields["certificate_number"])
        candidate = cls.Issued(
            originator_id=cert_id,
            originator_version=1,
            timestamp=recorded_at,
            originator_topic="",
            **fields,
        ).change()
        check_timeline(
            [candidate],
            standards,
            check_from=position(candidate),
            check=rules.check_change,
            changed="issue",
        )
        return cls._create(cls.Issued, id=cert_id, timestamp=recorded_at, **fields)

    def _record(
        self, event_class: type[Certificate.Event], context: CommandContext, **own: Any
    ) -> None:
        fields = {**_event_context(context), **own}
        rules.check_not_too_far_ahead(context["effective_date"], context["today"])
        candidate = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=context["recorded_at"],
            **fields,
        ).change()
        timeline = with_change(self._changes, candidate)
        # The candidate is the last change of its day (its version is the highest): what
        # the changes before it leave is the state through its day, as folded already.
        segments = self._segments(context["standards"])
        check_timeline(
            timeline,
            context["standards"],
            check_from=position(candidate),
            check=rules.check_change,
            changed=event_class.kind,
            resume=(
                bisect_left(timeline, position(candidate), key=position),
                segments.state_through(candidate["effective_date"]),
            ),
        )
        self.trigger_event(event_class, timestamp=context["recorded_at"], **fields)

    def _insert(self, change: Change) -> None:
        """Put an event's change in its place; day segments folded for the version before
        it are carried on to the event's (only its day and later ones folded again)."""
        insort(self._changes, change, key=position)
        readings: _Readings | None = getattr(self, "_readings", None)
        if readings is not None and readings.version == self.version:
            index = bisect_left(self._changes, position(change), key=position)
            segments = readings.segments.inserting(self._changes, index, readings.standards)
            self._readings = _Readings(change["version"], readings.standards, segments)

    def _segments(self, standards: StandardsCatalogue) -> Segments:
        readings: _Readings | None = getattr(self, "_readings", None)
        if (
            readings is None
            or readings.version != self.version
            or readings.standards is not standards
        ):
            readings = _Readings(self.version, standards, Segments.build(self._changes, standards))
            self._readings = readings
        return readings.segments


EVENT_KINDS: tuple[str, ...] = tuple(
    value.kind
    for value in vars(Certificate).values()
    if isinstance(value, type) and issubclass(value, Certificate.Event) and value.kind != "Event"
)
"""Every kind of certificate event, in the order the aggregate declares them."""


def transfer(from_certificate: Certificate, **arguments: Unpack[IssueArguments]) -> Certificate:
    """IAF MD 2: the receiving CB's certificate replaces ``from_certificate`` from
    ``effective_date``; returns the new certificate.

    The replaced certificate must be another CB's, to the same standard, and
    valid that day; the new one continues its cycle (expires no later) and is
    checked like any issue. Only when every rule holds does ``from_certificate``
    record ``TransferredOut`` naming the new certificate, whose ``Issued`` names
    it in ``replaces``: save both together.
    """
    standards, day = arguments["standards"], arguments["effective_date"]
    designation = standards.get(arguments["standard"]).designation
    rules.check_not_too_far_ahead(day, arguments["today"])
    replaced = from_certificate.reading(day, standards).state
    rules.check_transfer(
        replaced,
        day,
        certification_body_id=arguments["certification_body_id"],
        standard=designation,
        expiry_date=arguments["expiry_date"],
    )
    successor = Certificate._issue(
        **{**arguments, "standard": designation},
        replaces_certification_body_id=replaced.certification_body_id,
        replaces_certificate_number=replaced.certificate_number,
    )
    context: CommandContext = {
        "standards": standards,
        "today": arguments["today"],
        "recorded_at": arguments["recorded_at"],
        "effective_date": day,
        "actor": arguments["actor"],
        "request_id": arguments["request_id"],
    }
    from_certificate._record(
        Certificate.TransferredOut,
        context,
        to_certification_body_id=arguments["certification_body_id"],
        to_certificate_number=arguments["certificate_number"],
    )
    return successor


def _event_context(context: CommandContext) -> dict[str, Any]:
    """What every event of a command carries from its context."""
    return {
        "effective_date": context["effective_date"],
        "actor": context["actor"],
        "request_id": context["request_id"],
    }


@cache
def _own_fields(event_class: type[Certificate.Event]) -> tuple[str, ...]:
    """The fields an event class adds to the common ones."""
    return tuple(
        field.name
        for field in dataclasses.fields(event_class)
        if field.name not in EVENT_COMMON_FIELDS
    )
