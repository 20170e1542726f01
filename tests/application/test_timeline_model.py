"""The registry's status timeline against a small reference model of SPEC 2.1 and 2.2.

Hypothesis plays random command sequences (backdated, same-day, future-dated,
retractions, renewals before and after expiry, editions with a transition
deadline) against the ``Registry``
application and against the model written below, which knows nothing of the
registry's code: it keeps the published events, decides each command from the
rules as the SPEC states them, and works out a status by walking the calendar
day by day. The two must accept the same commands, and then answer the same
status for every day, as known at every recorded instant.

Transfers involve two certificates and are left to the unit tests of
``registry.domain.certificate.transfer``.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from authority import prepare_in_process
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.application.registry import Registry
from registry.application.views import CertificateRef, Organization, WriteMeta, WriteResult
from registry.domain.certificate import certificate_id
from registry.domain.status import Status
from registry.errors import AlreadyExistsError, NotFoundError, RuleViolationError

START = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
TODAY = START.date()
DEADLINES = {"ISO 9001:2015": None, "ISO/IEC 27001:2013": date(2025, 10, 31)}
T = TypeVar("T")
REF = CertificateRef("cb-model", "C-0001")
ONE_DAY = timedelta(days=1)
ENDED = {"Withdrawn": Status.WITHDRAWN, "Cancelled": Status.CANCELLED}
ENDING_VERB = {"Withdrawn": "withdraw", "Cancelled": "cancel"}
NOT_IN_FORCE = {Status.WITHDRAWN, Status.CANCELLED, Status.EXPIRED}
# The kinds of change, each as often as it appears: the terminal ones are rarer.
KINDS = [
    *["SurveillancePassed", "Suspended", "Reinstated", "Renewed", "Retracted"] * 3,
    *["ScopeChanged", "HolderDetailsChanged"] * 2,
    *["Withdrawn", "Cancelled", "Issued"],
]


# The reference model


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def months_later(day: date, months: int) -> date:
    year = day.year + (day.month - 1 + months) // 12
    month = (day.month - 1 + months) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Command:
    kind: str
    effective: date
    standard: str = ""
    expiry: date | None = None
    target: int = 0
    review_by: date | None = None


@dataclass(frozen=True)
class Published:
    """An event the model holds: the command that made it, its version and recorded time."""

    command: Command
    version: int
    recorded: datetime

    @property
    def kind(self) -> str:
        return self.command.kind

    @property
    def effective(self) -> date:
        return self.command.effective

    @property
    def position(self) -> tuple[date, int]:
        return (self.command.effective, self.version)


@dataclass
class State:
    """What the events applied so far say, and the status it gives on a day."""

    issued_on: date | None = None
    expiry: date | None = None
    deadline: date | None = None
    ended: Status | None = None
    suspended: bool = False

    def apply(self, event: Published) -> None:
        command = event.command
        if command.kind == "Issued":
            self.issued_on = command.effective
            self.expiry = command.expiry
            self.deadline = DEADLINES[command.standard]
        elif command.kind == "Renewed":
            self.expiry = command.expiry
        elif command.kind == "Suspended":
            self.suspended = True
        elif command.kind == "Reinstated":
            self.suspended = False
        elif command.kind in ENDED:
            self.ended = ENDED[command.kind]

    def status(self, day: date) -> Status:
        if self.issued_on is None or day < self.issued_on:
            return Status.NOT_YET_VALID
        if self.ended is not None:
            return self.ended
        assert self.expiry is not None
        if day > self.expiry or (self.deadline is not None and day > self.deadline):
            return Status.EXPIRED
        if self.suspended:
            return Status.SUSPENDED
        return Status.VALID


def broken_rules(event: Published, before: State) -> set[str]:
    """Every rule ``event`` breaks, given the state just before it on its day."""
    command, day = event.command, event.effective
    status = before.status(day)
    broken = set()
    if command.kind != "Issued":
        if before.issued_on is None or day < before.issued_on:
            broken.add("not-before-issue")
        if before.ended is not None:
            broken.add("nothing-after-end")
    if command.kind in ("Issued", "Renewed"):
        assert command.expiry is not None
        if command.expiry <= day:
            broken.add("expiry-after-effective-date")
        if command.kind == "Issued" and command.expiry > years_later(day, 3):
            broken.add("cycle-at-most-3-years")
        deadline = DEADLINES[command.standard] if command.kind == "Issued" else before.deadline
        if deadline is not None and day > deadline:
            broken.add("edition-past-transition-deadline")
    if command.kind == "Renewed" and before.expiry is not None:
        assert command.expiry is not None
        if day > before.expiry and day >= months_later(before.expiry + ONE_DAY, 6):
            broken.add("renewal-within-6-months-of-expiry")
        if command.expiry <= before.expiry:
            broken.add("renewal-extends-expiry")
        # An early renewal chains on, a restoration keeps the prior cycle: the cap is
        # counted from the current expiry, whatever the renewal's own date.
        if command.expiry > years_later(before.expiry, 3):
            broken.add("renewal-at-most-3-years-after-expiry")
    if command.kind in ("SurveillancePassed", "ScopeChanged") and status in NOT_IN_FORCE:
        broken.add("certificate-must-be-in-force")
    if command.kind == "Suspended" and status is not Status.VALID:
        broken.add("suspend-only-valid")
    if command.kind == "Suspended" and command.review_by and command.review_by <= day:
        broken.add("review-by-after-effective-date")
    if command.kind == "Reinstated" and status is not Status.SUSPENDED:
        broken.add("reinstate-only-suspended")
    if command.kind in ENDED and status not in (Status.VALID, Status.SUSPENDED):
        broken.add(f"{ENDING_VERB[command.kind]}-only-valid-or-suspended")
    return broken


def first_breach(timeline: Iterable[Published], check_from: tuple[date, int]) -> set[str]:
    """The rules broken by the first event at or after ``check_from`` that breaks any."""
    before = State()
    for event in sorted(timeline, key=lambda e: e.position):
        if event.position >= check_from:
            broken = broken_rules(event, before)
            if broken:
                return broken
        before.apply(event)
    return set()


@dataclass
class Model:
    """The published events of one certificate, and what the SPEC makes of them."""

    events: list[Published] = field(default_factory=list)

    def in_effect(self, as_of: datetime | None = None) -> list[Published]:
        known = [e for e in self.events if as_of is None or e.recorded <= as_of]
        retracted = {e.command.target for e in known if e.kind == "Retracted"}
        return [e for e in known if e.kind != "Retracted" and e.version not in retracted]

    def refusals(self, command: Command, today: date) -> set[str]:
        """Empty if the registry must accept ``command``; else each acceptable refusal."""
        refusals = set()
        if command.effective > today + timedelta(days=90):
            refusals.add("future-date-at-most-90-days")
        if command.kind == "Issued":
            if self.events:
                return refusals | {"AlreadyExistsError"}
            candidate = Published(command, 1, START)
            return refusals | first_breach([candidate], candidate.position)
        if not self.events:
            return refusals | {"NotFoundError"}
        if command.kind == "Retracted":
            if not 1 <= command.target <= len(self.events):
                return refusals | {"NotFoundError"}
            target = self.events[command.target - 1]
            if target.kind in ("Issued", "Retracted") or target not in self.in_effect():
                return refusals | {"retract-only-published-changes"}
            remaining = [e for e in self.in_effect() if e is not target]
            return refusals | first_breach(remaining, target.position)
        candidate = Published(command, len(self.events) + 1, START)
        return refusals | first_breach([*self.in_effect(), candidate], candidate.position)

    def statuses(self, as_of: datetime, days: list[date]) -> dict[date, Status]:
        """The status of each day in ``days`` (consecutive), walking the calendar."""
        if not [e for e in self.events if e.recorded <= as_of]:
            return dict.fromkeys(days, Status.UNKNOWN)
        waiting = sorted(self.in_effect(as_of), key=lambda e: e.position)
        state, answers = State(), {}
        for day in days:
            while waiting and waiting[0].effective <= day:
                state.apply(waiting.pop(0))
            answers[day] = state.status(day)
        return answers


# Driving the registry


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def send(app: Registry, command: Command, request_id: str) -> WriteResult | str:
    """Run ``command``; the write's result, or the name of the rule or error refusing it."""
    meta = WriteMeta(request_id, command.effective)
    calls: dict[str, Callable[[], WriteResult]] = {
        "Issued": lambda: app.issue_certificate(
            REF,
            meta,
            organization=Organization("Acme Ltd", "DE", "1 Main Street"),
            sites=[],
            standard=command.standard,
            scope="Design and manufacture of widgets",
            sector_codes=["17"],
            expiry_date=command.expiry,
        ),
        "SurveillancePassed": lambda: app.record_surveillance(REF, meta),
        "ScopeChanged": lambda: app.change_scope(
            REF, meta, scope="Manufacture of widgets", sites=[], sector_codes=["17"]
        ),
        "Suspended": lambda: app.suspend_certificate(
            REF, meta, reason="major nonconformity", review_by=command.review_by
        ),
        "Reinstated": lambda: app.reinstate_certificate(REF, meta),
        "Withdrawn": lambda: app.withdraw_certificate(REF, meta, reason="misuse of the mark"),
        "Cancelled": lambda: app.cancel_certificate(REF, meta, reason="contract ended"),
        "Renewed": lambda: app.renew_certificate(REF, meta, expiry_date=command.expiry),
        "HolderDetailsChanged": lambda: app.change_holder_details(
            REF, meta, organization=Organization("Acme Holdings Ltd", "", "")
        ),
        "Retracted": lambda: app.retract_event(
            REF, meta, version=command.target, reason="published in error"
        ),
    }
    try:
        return calls[command.kind]()
    except RuleViolationError as error:
        return error.rule
    except (NotFoundError, AlreadyExistsError) as error:
        return type(error).__name__


# Drawing commands that often hit the rules' edges


def often(common: st.SearchStrategy[T], rare: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """Three draws in four from ``common``."""
    return st.sampled_from([common, common, common, rare]).flatmap(lambda strategy: strategy)


def near(days: Iterable[date]) -> st.SearchStrategy[date]:
    return st.sampled_from(sorted(set(days))).flatmap(
        lambda day: st.integers(-2, 2).map(lambda n: day + timedelta(days=n))
    )


def between(low: date, high: date) -> st.SearchStrategy[date]:
    return st.integers(0, (high - low).days).map(lambda n: low + timedelta(days=n))


def expiry_after(day: date) -> st.SearchStrategy[date]:
    return often(between(day + ONE_DAY, day + 900 * ONE_DAY), near([day, years_later(day, 3)]))


def draw_command(data: st.DataObject, model: Model, today: date) -> Command:
    commands = [e.command for e in model.events]
    expiries = [c.expiry for c in commands if c.expiry is not None]
    restore_ends = [months_later(day + ONE_DAY, 6) for day in expiries]
    edges = [
        today + timedelta(days=90),
        *(day for day in DEADLINES.values() if day is not None),
        *(c.effective for c in commands),
        *expiries,
        *restore_ends,
    ]
    kinds = st.sampled_from(KINDS)
    kind = data.draw(kinds if commands else often(st.just("Issued"), kinds), label="kind")
    if kind == "Issued" and not commands:
        effective = data.draw(often(between(today - 400 * ONE_DAY, today), near(edges)))
        standard = data.draw(st.sampled_from(sorted(DEADLINES)), label="standard")
        expiry = data.draw(expiry_after(effective), label="expiry")
        return Command("Issued", effective, standard=standard, expiry=expiry)
    issued_on = commands[0].effective if commands else today
    anywhere = between(issued_on, today + 95 * ONE_DAY)
    suspensions = [c.effective for c in commands if c.kind == "Suspended"]
    if kind == "Reinstated" and suspensions:  # mostly while a suspension lasts
        anywhere = st.sampled_from(suspensions).flatmap(
            lambda day: between(day, day + 60 * ONE_DAY)
        )
    if kind == "Renewed" and expiries:  # mostly around an expiry or its restore window's end
        anywhere = often(near([*expiries, *restore_ends]), anywhere)
    effective = data.draw(often(anywhere, near(edges)), label="effective")
    if kind == "Issued":
        standard = data.draw(st.sampled_from(sorted(DEADLINES)), label="standard")
        return Command(kind, effective, standard=standard, expiry=effective + 365 * ONE_DAY)
    if kind == "Renewed":  # half the time around the cap: a current expiry + 3 years
        anything = st.sampled_from([effective, *expiries]).flatmap(expiry_after)
        caps = near(years_later(day, 3) for day in expiries)
        expiry = data.draw(st.one_of(anything, caps) if expiries else anything, label="expiry")
        return Command(kind, effective, expiry=expiry)
    if kind == "Suspended":
        review_by = data.draw(
            often(
                st.none(),
                st.sampled_from([-1, 0, 1, 30, 180]).map(lambda n: effective + n * ONE_DAY),
            ),
            label="review by",
        )
        return Command(kind, effective, review_by=review_by)
    if kind == "Retracted":
        changes = [e.version for e in model.events if e.kind not in ("Issued", "Retracted")]
        any_version = st.integers(1, len(commands) + 1)
        target = data.draw(
            often(st.sampled_from(changes), any_version) if changes else any_version,
            label="target version",
        )
        return Command(kind, effective, target=target)
    return Command(kind, effective)


@dataclass
class Run:
    app: Registry
    model: Model
    refusals_seen: list[tuple[Command, str, set[str]]]


def play(data: st.DataObject, max_commands: int) -> Run:
    """Send random commands to a fresh registry and the model; they must agree on each."""
    clock = FakeClock()
    app = prepare_in_process(Registry(clock=clock))
    model, refusals_seen = Model(), []
    for number in range(data.draw(st.integers(1, max_commands), label="commands")):
        clock.now += timedelta(
            days=data.draw(st.sampled_from([0, 0, 0, 0, 1, 20, 75]), label="days later"),
            seconds=1,
        )
        command = draw_command(data, model, clock.now.date())
        expected = model.refusals(command, clock.now.date())
        outcome = send(app, command, f"request-{number}")
        if isinstance(outcome, WriteResult):
            assert not expected, f"{command} was accepted; the model refuses it: {expected}"
            assert outcome == WriteResult(len(model.events) + 1, clock.now)
            model.events.append(Published(command, outcome.version, outcome.recorded_at))
        else:
            assert expected, f"{command} was refused ({outcome}); the model accepts it"
            refusals_seen.append((command, outcome, expected))
    return Run(app, model, refusals_seen)


# The properties


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_each_refusal_names_a_rule_the_reference_model_finds_broken(
    data: st.DataObject,
) -> None:
    run = play(data, max_commands=14)
    for command, outcome, expected in run.refusals_seen:
        assert outcome in expected, f"{command} was refused for {outcome}, expected {expected}"


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_every_days_status_matches_the_reference_model_at_every_as_of(
    data: st.DataObject,
) -> None:
    run = play(data, max_commands=12)
    model = run.model
    instants = [START - timedelta(seconds=1), *(e.recorded for e in model.events)]
    edges = {day for e in model.events for day in (e.effective, e.command.expiry) if day}
    edges |= {day for day in DEADLINES.values() if day}
    first, last = min(edges, default=TODAY) - 3 * ONE_DAY, max(edges, default=TODAY) + 3 * ONE_DAY
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    # A status can change only on an event's effective date, or the day after an
    # expiry or a deadline: the days around those stand for every other day.
    turning_points = sorted({d + timedelta(days=n) for d in edges for n in (-1, 0, 1)})
    for as_of in instants:
        expected = model.statuses(as_of, days)
        checked = days if as_of == instants[-1] else turning_points
        actual = {day: run.app.get_status(REF, at=day, as_of=as_of).status for day in checked}
        wrong = {
            day: (actual[day], expected[day]) for day in checked if actual[day] != expected[day]
        }
        assert not wrong, f"as of {as_of}, (registry, model) differ on {wrong}"


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_status_periods_cover_every_day_with_that_days_reading(data: st.DataObject) -> None:
    """The periods a read model stores give, for every day, the status and state a reading
    of that day gives, at every version of the certificate."""
    run = play(data, max_commands=12)
    cert_id = certificate_id(REF.certification_body_id, REF.certificate_number)
    if not run.model.events:
        return
    for version in range(1, len(run.model.events) + 1):
        certificate = run.app.repository.get(cert_id, version=version)
        periods = certificate.periods(run.app.standards)
        assert periods[0].start is None and periods[-1].end is None
        assert all(a.end == b.start for a, b in itertools.pairwise(periods))
        # Every day a status or a state can change on (an effective date, the day after
        # an expiry or a deadline), the days around them, and each period's bounds.
        edges = {e.effective for e in run.model.events} | {day for day in DEADLINES.values() if day}
        edges |= {day for p in periods for day in (p.start, p.end) if day}
        edges |= {e.command.expiry for e in run.model.events if e.command.expiry}
        days = sorted({d + n * ONE_DAY for d in edges for n in (-1, 0, 1)})
        for day in days:
            period = next(
                p
                for p in periods
                if (p.start is None or p.start <= day) and (p.end is None or day < p.end)
            )
            reading = certificate.reading(day, run.app.standards)
            assert (period.status, period.state) == (reading.status, reading.state), (version, day)
