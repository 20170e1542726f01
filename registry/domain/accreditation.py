"""The accreditation of one certification body by one accreditation body (SPEC 2.3).

One aggregate per AB-CB pair, written by the AB, on the same two clocks as a
certificate: ``Granted`` (standards by edition, e.g. ``ISO 9001:2015``, IAF/EA
sector codes, an expiry at most 5 years on, ISO/IEC 17011 7.9.1), then
``ScopeChanged``, ``Suspended``, ``Reinstated``, ``Withdrawn``, and
``Regranted`` for a new cycle (after expiry or withdrawal, or to renew one in
effect). Its state on a day says whether the CB was accredited that day and for
what; a certificate is backed by it when the accreditation is ``ACTIVE`` that
day and covers the certificate's standard and every one of its sector codes (an
accreditation listing no sector codes is not limited by sector, as for
ISO/IEC 27001).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, ClassVar, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.domain.changes import (
    Change,
    ChangeContext,
    change_of,
    check_not_too_far_ahead,
    checked_change,
    event_context,
    fold,
    insert,
    named_id,
)
from registry.domain.dates import add_years
from registry.domain.standards import same_designation
from registry.errors import RuleViolationError

_NAMESPACE = UUID("0d7b3c1e-8a44-4f55-a3f2-6c2b9e0d4a17")
MAX_CYCLE_YEARS = 5


def accreditation_id(accreditation_body_id: str, certification_body_id: str) -> UUID:
    """The aggregate id of the accreditation of a CB by an AB: one per pair."""
    return named_id(_NAMESPACE, accreditation_body_id, certification_body_id)


class AccreditationStatus(enum.Enum):
    NOT_GRANTED = "NOT_GRANTED"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class AccreditationState:
    """An accreditation on one day."""

    accreditation_body_id: str = ""
    certification_body_id: str = ""
    granted_on: date | None = None
    cycle_start: date | None = None
    expiry_date: date | None = None
    standards: tuple[str, ...] = ()
    sector_codes: tuple[str, ...] = ()
    suspended_since: date | None = None
    withdrawn_on: date | None = None
    reason: str = ""

    def status_on(self, day: date) -> AccreditationStatus:
        if self.granted_on is None or self.cycle_start is None or day < self.cycle_start:
            return AccreditationStatus.NOT_GRANTED
        if self.withdrawn_on is not None:
            return AccreditationStatus.WITHDRAWN
        if self.expiry_date is not None and day > self.expiry_date:
            return AccreditationStatus.EXPIRED
        if self.suspended_since is not None:
            return AccreditationStatus.SUSPENDED
        return AccreditationStatus.ACTIVE

    def covers(self, standard: str) -> bool:
        return any(same_designation(standard, s) for s in self.standards)

    def sector_codes_outside(self, codes: Sequence[str]) -> list[str]:
        """The codes of ``codes`` this accreditation does not cover (none if unlimited)."""
        if not self.sector_codes:
            return []
        return [code for code in codes if code not in self.sector_codes]


def _apply(state: AccreditationState, change: Change) -> AccreditationState:
    kind, day = change["kind"], change["effective_date"]
    if kind in ("Granted", "Regranted"):
        return replace(
            state,
            accreditation_body_id=change.get("accreditation_body_id")
            or state.accreditation_body_id,
            certification_body_id=change.get("certification_body_id")
            or state.certification_body_id,
            granted_on=state.granted_on or day,
            cycle_start=day,
            expiry_date=change["expiry_date"],
            standards=tuple(change["standards"]),
            sector_codes=tuple(change["sector_codes"]),
            suspended_since=None,
            withdrawn_on=None,
            reason="",
        )
    if kind == "ScopeChanged":
        return replace(
            state, standards=tuple(change["standards"]), sector_codes=tuple(change["sector_codes"])
        )
    if kind == "Suspended":
        return replace(state, suspended_since=day, reason=change["reason"])
    if kind == "Reinstated":
        return replace(state, suspended_since=None, reason="")
    if kind == "Withdrawn":
        return replace(state, withdrawn_on=day, reason=change["reason"])
    return state


_ALLOWED = {
    "ScopeChanged": (AccreditationStatus.ACTIVE, AccreditationStatus.SUSPENDED),
    "Suspended": (AccreditationStatus.ACTIVE,),
    "Reinstated": (AccreditationStatus.SUSPENDED,),
    "Withdrawn": (AccreditationStatus.ACTIVE, AccreditationStatus.SUSPENDED),
    "Regranted": (
        AccreditationStatus.ACTIVE,
        AccreditationStatus.WITHDRAWN,
        AccreditationStatus.EXPIRED,
    ),
}
_RULES = {
    "ScopeChanged": "scope-change-needs-accreditation-in-effect",
    "Suspended": "suspend-only-active-accreditation",
    "Reinstated": "reinstate-only-suspended-accreditation",
    "Withdrawn": "withdraw-only-accreditation-in-effect",
    "Regranted": "regrant-not-while-suspended",
}


def _check(state: AccreditationState, change: Change) -> None:
    kind, day = change["kind"], change["effective_date"]
    if kind in ("Granted", "Regranted"):
        _check_cycle(day, change["expiry_date"])
    if kind == "Granted":
        return
    status = state.status_on(day)
    if status is AccreditationStatus.NOT_GRANTED:
        raise RuleViolationError(
            "accreditation-changes-after-grant",
            f"{kind} on {day} is before the accreditation was granted",
        )
    if status not in _ALLOWED[kind]:
        raise RuleViolationError(
            _RULES[kind], f"the accreditation is {status.value} on {day}; {kind} is refused"
        )


def _check_cycle(effective: date, expiry: date) -> None:
    latest = add_years(effective, MAX_CYCLE_YEARS)
    if not effective < expiry <= latest:
        raise RuleViolationError(
            "accreditation-cycle-at-most-5-years",
            f"expiry {expiry} must be after the effective date {effective} and at most "
            f"{MAX_CYCLE_YEARS} years later ({latest})",
        )


class Accreditation(Aggregate):
    """What one AB accredits one CB for, over time."""

    class Event(Aggregate.Event):
        effective_date: date
        actor: str
        request_id: str

        kind: ClassVar[str] = "Event"
        own: ClassVar[tuple[str, ...]] = ()

        def apply(self, aggregate: Accreditation) -> None:
            aggregate._changes = insert(aggregate._changes, change_of(self))

    class Granted(Aggregate.Created, Event):
        accreditation_body_id: str
        certification_body_id: str
        standards: list[str]
        sector_codes: list[str]
        expiry_date: date

        kind: ClassVar[str] = "Granted"
        own: ClassVar[tuple[str, ...]] = (
            "accreditation_body_id",
            "certification_body_id",
            "standards",
            "sector_codes",
            "expiry_date",
        )

    class Regranted(Event):
        standards: list[str]
        sector_codes: list[str]
        expiry_date: date

        kind: ClassVar[str] = "Regranted"
        own: ClassVar[tuple[str, ...]] = ("standards", "sector_codes", "expiry_date")

    class ScopeChanged(Event):
        standards: list[str]
        sector_codes: list[str]

        kind: ClassVar[str] = "ScopeChanged"
        own: ClassVar[tuple[str, ...]] = ("standards", "sector_codes")

    class Suspended(Event):
        reason: str

        kind: ClassVar[str] = "Suspended"
        own: ClassVar[tuple[str, ...]] = ("reason",)

    class Reinstated(Event):
        kind: ClassVar[str] = "Reinstated"

    class Withdrawn(Event):
        reason: str

        kind: ClassVar[str] = "Withdrawn"
        own: ClassVar[tuple[str, ...]] = ("reason",)

    def __init__(self) -> None:
        self._changes: list[Change] = []

    @classmethod
    def grant(
        cls,
        *,
        accreditation_body_id: str,
        certification_body_id: str,
        standards: list[str],
        sector_codes: list[str],
        expiry_date: date,
        **context: Unpack[ChangeContext],
    ) -> Accreditation:
        check_not_too_far_ahead(context["effective_date"], context["today"])
        _check_cycle(context["effective_date"], expiry_date)
        return cls._create(
            cls.Granted,
            id=accreditation_id(accreditation_body_id, certification_body_id),
            timestamp=context["recorded_at"],
            **event_context(context),
            accreditation_body_id=accreditation_body_id,
            certification_body_id=certification_body_id,
            standards=standards,
            sector_codes=sector_codes,
            expiry_date=expiry_date,
        )

    def regrant(
        self,
        *,
        standards: list[str],
        sector_codes: list[str],
        expiry_date: date,
        **context: Unpack[ChangeContext],
    ) -> None:
        """A new cycle: after expiry or withdrawal, or renewing the one in effect."""
        self._changed(
            self.Regranted,
            context,
            standards=standards,
            sector_codes=sector_codes,
            expiry_date=expiry_date,
        )

    def change_scope(
        self, *, standards: list[str], sector_codes: list[str], **context: Unpack[ChangeContext]
    ) -> None:
        self._changed(self.ScopeChanged, context, standards=standards, sector_codes=sector_codes)

    def suspend(self, *, reason: str, **context: Unpack[ChangeContext]) -> None:
        self._changed(self.Suspended, context, reason=reason)

    def reinstate(self, **context: Unpack[ChangeContext]) -> None:
        self._changed(self.Reinstated, context)

    def withdraw(self, *, reason: str, **context: Unpack[ChangeContext]) -> None:
        self._changed(self.Withdrawn, context, reason=reason)

    def state_on(self, day: date) -> AccreditationState:
        return fold(self._changes, AccreditationState, _apply, day)

    def days_in_effect(self) -> list[tuple[date, date]]:
        """The spans of days (first, last) on which the accreditation was granted and not
        withdrawn or expired — active or suspended — as this version knows."""
        spans: list[tuple[date, date]] = []
        start: date | None = None
        end: date | None = None
        for change in self._changes:
            kind, day = change["kind"], change["effective_date"]
            if kind in ("Granted", "Regranted"):
                if start is not None and end is not None and end >= day:
                    end = day - timedelta(days=1)  # the old cycle ends where the new begins
                if start is not None and end is not None and start <= end:
                    spans.append((start, end))
                start, end = day, change["expiry_date"]
            elif kind == "Withdrawn" and start is not None and end is not None:
                end = min(end, day - timedelta(days=1))
        if start is not None and end is not None and start <= end:
            spans.append((start, end))
        merged: list[tuple[date, date]] = []
        for first, last in spans:
            if merged and first <= merged[-1][1] + timedelta(days=1):
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        return merged

    def _changed(self, event_class: Any, context: ChangeContext, **own: Any) -> None:
        checked_change(
            self._changes,
            event_class.kind,
            self.version + 1,
            context,
            own,
            AccreditationState,
            _apply,
            _check,
        )
        self.trigger_event(
            event_class, timestamp=context["recorded_at"], **event_context(context), **own
        )
