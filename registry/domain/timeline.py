"""A certificate's timeline: the changes in effect, in (effective date, version) order.

The aggregate keeps each change in effect in a compact form, a dict of plain
values that a snapshot stores and restores as it is::

    {"kind": "Suspended", "version": 3, "effective_date": date(2025, 3, 1),
     "reason": "major nonconformity", "review_by": None, "confidential": False}

that is the event's kind, version and effective date and the event's own
fields, without who sent it or when it was recorded (the stored event keeps
those). A retracted change leaves the timeline; a retraction is no change.
A field added to an event later is missing from the changes of snapshots
taken before: the fold reads it with its default (``confidential``: False).

Folding the changes in order gives the state on any day. ``Segments`` folds
them once and keeps the state as of each day on which a change takes effect,
so the state on a day is then found by bisection. A change inserted later
leaves the segments of the days before its own as they were: only its day and
the later ones are folded again (``Segments.inserting``), and a check of the
timeline with it starts from the state those earlier days leave.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from registry.domain.standards import StandardsCatalogue
from registry.domain.status import CertificateState, Status
from registry.errors import RuleViolationError

Change = dict[str, Any]
"""One change in effect: ``kind``, ``version``, ``effective_date`` and its own fields."""

Check = Callable[[CertificateState, Change, date], None]
"""Raises ``RuleViolationError`` if a change may not follow a state; gets the issue date."""


def position(change: Change) -> tuple[date, int]:
    """Where a change sits in the timeline: by effective date, then by version."""
    return (change["effective_date"], change["version"])


def with_change(changes: Sequence[Change], change: Change) -> list[Change]:
    """A copy of ``changes`` with ``change`` inserted at its position."""
    timeline = list(changes)
    insort(timeline, change, key=position)
    return timeline


def issue_date(changes: Sequence[Change]) -> date:
    """The effective date of the timeline's ``Issued`` change."""
    issued: date = next(c["effective_date"] for c in changes if c["kind"] == "Issued")
    return issued


def check_timeline(
    changes: Sequence[Change],
    standards: StandardsCatalogue,
    *,
    check_from: tuple[date, int],
    check: Check,
    changed: str,
    resume: tuple[int, CertificateState] | None = None,
) -> None:
    """Fold ``changes`` in order and ``check`` each one at or after ``check_from``.

    The change at ``check_from`` is the one being made (or the first one after
    a retracted change); a breach by a later change is reported as the
    consequence of ``changed``. ``resume``: ``(index, state)`` to fold from
    ``changes[index]`` on, ``state`` (folded on in place) being what the changes
    before it leave; by default the fold starts at the first change.
    """
    start, state = resume if resume is not None else (0, CertificateState())
    issued_on = issue_date(changes)
    for index in range(start, len(changes)):
        change = changes[index]
        if position(change) >= check_from:
            try:
                check(state, change, issued_on)
            except RuleViolationError as error:
                if position(change) == check_from:
                    raise
                raise RuleViolationError(
                    error.rule,
                    f"{changed} would leave the later event v{change['version']} "
                    f"{change['kind']} effective {change['effective_date']} in breach: "
                    f"{error.detail}",
                ) from None
        evolve(state, change, standards)


ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Days ``start`` (None: from the first day) to before ``end`` (None: every later day)
    on which a certificate has one ``status`` and one ``state`` (shared: do not change it)."""

    start: date | None
    end: date | None
    status: Status
    state: CertificateState


@dataclass(frozen=True)
class Segments:
    """The state as of each day on which a change takes effect, for look-up by day.

    ``days`` are increasing; ``states[i]`` is the state from ``days[i]`` until
    the day before ``days[i + 1]``. Before the first day (the issue date) the
    certificate's data is what its issue said.
    """

    days: list[date]
    states: list[CertificateState]
    before_issue: CertificateState

    @classmethod
    def build(cls, changes: Sequence[Change], standards: StandardsCatalogue) -> Segments:
        days: list[date] = []
        states: list[CertificateState] = []
        _fold(changes, 0, CertificateState(), standards, days, states)
        before_issue = CertificateState()
        evolve(before_issue, next(c for c in changes if c["kind"] == "Issued"), standards)
        return cls(days, states, before_issue)

    def inserting(
        self, changes: Sequence[Change], index: int, standards: StandardsCatalogue
    ) -> Segments:
        """The segments of ``changes``, these being those of ``changes`` without
        ``changes[index]``: the days before its day are kept, its day and the later ones
        folded again (from the state its day's other changes leave, if it is the last
        change of its day, as a new event's change is)."""
        change = changes[index]
        if change["kind"] == "Issued":
            return Segments.build(changes, standards)
        day = change["effective_date"]
        kept = bisect_left(self.days, day)  # the segments of earlier days
        last_of_day = index + 1 == len(changes) or changes[index + 1]["effective_date"] != day
        if last_of_day and kept < len(self.days) and self.days[kept] == day:
            start, state = index, self.states[kept]
        else:
            start = bisect_left(changes, (day, 0), key=position)
            state = self.states[kept - 1] if kept else CertificateState()
        days, states = self.days[:kept], self.states[:kept]
        _fold(changes, start, replace(state), standards, days, states)
        return Segments(days, states, self.before_issue)

    def state_through(self, day: date) -> CertificateState:
        """A copy of the state every change effective on or before ``day`` leaves (a new
        state before the first day): what a fold of the timeline goes on from."""
        index = bisect_right(self.days, day) - 1
        return replace(self.states[index]) if index >= 0 else CertificateState()

    def periods(self, since: date | None = None) -> list[Period]:
        """The whole calendar cut into periods of one status and one state, in order.

        The first starts on no day (before the issue: NOT_YET_VALID), the last ends on
        none. Within a segment only expiry (the expiry date or the edition's transition
        deadline passing) changes the status, so a segment is one period or two.

        ``since``: only the periods from the last segment that starts before that day
        on: every period a change effective that day can change, the others being
        the same with or without it (all of them if no segment starts before it).
        """
        first = bisect_left(self.days, since) - 1 if since is not None else -1
        periods = []
        if first < 0:
            periods.append(Period(None, self.days[0], Status.NOT_YET_VALID, self.before_issue))
        for index in range(max(first, 0), len(self.days)):
            day, state = self.days[index], self.states[index]
            end = self.days[index + 1] if index + 1 < len(self.days) else None
            status = state.status_on(day)
            last = state.last_valid_day()
            expires_within = (
                state.ended is None
                and last is not None
                and day <= last
                and (end is None or last + ONE_DAY < end)
            )
            if expires_within:
                assert last is not None
                periods.append(Period(day, last + ONE_DAY, status, state))
                periods.append(Period(last + ONE_DAY, end, Status.EXPIRED, state))
            else:
                periods.append(Period(day, end, status, state))
        return periods

    def state_on(self, day: date) -> CertificateState:
        """The state the changes in effect on ``day`` leave (shared: do not change it)."""
        index = bisect_right(self.days, day) - 1
        return self.states[index] if index >= 0 else self.before_issue


def _fold(
    changes: Sequence[Change],
    start: int,
    state: CertificateState,
    standards: StandardsCatalogue,
    days: list[date],
    states: list[CertificateState],
) -> None:
    """Fold ``changes[start:]`` into ``state``, adding a day and a copy of the state at
    the last change of each day."""
    for index in range(start, len(changes)):
        change = changes[index]
        evolve(state, change, standards)
        day = change["effective_date"]
        if index + 1 == len(changes) or changes[index + 1]["effective_date"] != day:
            days.append(day)
            states.append(replace(state))


def evolve(state: CertificateState, change: Change, standards: StandardsCatalogue) -> None:
    """Fold ``change`` into ``state``."""
    _EVOLVE[change["kind"]](state, change, standards)


Evolve = Callable[[CertificateState, Change, StandardsCatalogue], None]


def _issued(state: CertificateState, change: Change, standards: StandardsCatalogue) -> None:
    state.certification_body_id = change["certification_body_id"]
    state.certificate_number = change["certificate_number"]
    state.organization_name = change["organization_name"]
    state.organization_country = change["organization_country"]
    state.organization_address = change["organization_address"]
    state.sites = list(change["sites"])
    state.standard = change["standard"]
    state.standard_deadline = standards.deadline_of(change["standard"])
    state.scope = change["scope"]
    state.sector_codes = list(change["sector_codes"])
    state.original_issue_date = change["effective_date"]
    state.cycle_effective_date = change["effective_date"]
    state.last_audit_date = change["effective_date"]
    state.expiry_date = change["expiry_date"]
    replaced = (change["replaces_certification_body_id"], change["replaces_certificate_number"])
    state.replaces = replaced if replaced[1] else None


def _surveillance_passed(
    state: CertificateState, change: Change, standards: StandardsCatalogue
) -> None:
    state.last_audit_date = change["effective_date"]


def _scope_changed(state: CertificateState, change: Change, standards: StandardsCatalogue) -> None:
    state.scope = change["scope"]
    state.sites = list(change["sites"])
    state.sector_codes = list(change["sector_codes"])


def _suspended(state: CertificateState, change: Change, standards: StandardsCatalogue) -> None:
    state.suspended_since = change["effective_date"]
    state.suspension_reason = change["reason"]
    state.suspension_reason_confidential = change.get("confidential", False)
    state.suspension_review_by = change["review_by"]


def _reinstated(state: CertificateState, change: Change, standards: StandardsCatalogue) -> None:
    state.suspended_since = None
    state.suspension_reason = ""
    state.suspension_reason_confidential = False
    state.suspension_review_by = None


def _ended(status: Status) -> Evolve:
    def end(state: CertificateState, change: Change, standards: StandardsCatalogue) -> None:
        state.ended = status
        state.ended_on = change["effective_date"]
        state.end_reason = change.get("reason", "")
        state.end_reason_confidential = change.get("confidential", False)

    return end


def _renewed(state: CertificateState, change: Change, standards: StandardsCatalogue) -> None:
    state.expiry_date = change["expiry_date"]
    state.cycle_effective_date = change["effective_date"]
    state.last_audit_date = change["effective_date"]


def _transferred_out(
    state: CertificateState, change: Change, standards: StandardsCatalogue
) -> None:
    _ended(Status.TRANSFERRED)(state, change, standards)
    state.transferred_to = (change["to_certification_body_id"], change["to_certificate_number"])


def _holder_details_changed(
    state: CertificateState, change: Change, standards: StandardsCatalogue
) -> None:
    state.organization_name = change["organization_name"] or state.organization_name
    state.organization_country = change["organization_country"] or state.organization_country
    state.organization_address = change["organization_address"] or state.organization_address


_EVOLVE: dict[str, Evolve] = {
    "Issued": _issued,
    "SurveillancePassed": _surveillance_passed,
    "ScopeChanged": _scope_changed,
    "Suspended": _suspended,
    "Reinstated": _reinstated,
    "Withdrawn": _ended(Status.WITHDRAWN),
    "Cancelled": _ended(Status.CANCELLED),
    "Renewed": _renewed,
    "TransferredOut": _transferred_out,
    "HolderDetailsChanged": _holder_details_changed,
}
