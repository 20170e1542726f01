"""Write a plan's history into a registry, upload by upload, through its use cases.

Each upload (one CB's month-end changes) is begun as one batch
(``Registry.begin_batch``): its writes are checked in order against the rules
and saved together, without a blocking call per write. The registry's clock is
pinned to the upload's instant while it is saved, so the recorded times are the
months the history says, and a backdated correction is recorded months after
the day it takes effect; then the clock is released to the real one.

Before the first upload the directory is written (the ABs, IAF MLA signatories,
and the CBs); each CB's accreditation by its AB is granted in five-year cycles,
each recorded when it begins, so a certificate is backed by an accreditation
on every day of the history, as known then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from registry.application.registry import BegunWrite, Registry
from registry.application.views import CertificateRef, WriteMeta
from registry.demo.data import ACCREDITATION_BODIES, CERTIFICATION_BODIES
from registry.demo.plan import Plan, Step, month_start, upload_instant
from registry.domain.bodies import MlaStatus
from registry.domain.dates import add_years
from registry.domain.principals import ADMIN, accreditation_body, certification_body
from registry.store.log import utc_now

ACCREDITATION_YEARS = 5


# Where a demo registry's clock stands until its history is written: the registry's first
# start (which records the standards catalogue) comes before every upload of the history.
BEFORE_HISTORY = datetime(2000, 1, 1, tzinfo=UTC)


class DemoClock:
    """The registry's clock: pinned to an instant, or the real one once released.

    It starts pinned before the history (``BEFORE_HISTORY``), so what a new registry
    records when it starts is recorded before the uploads; ``real_now`` is the real time
    whatever the pin (the demo's today comes from it)."""

    def __init__(
        self, base: Callable[[], datetime] = utc_now, pinned: datetime | None = BEFORE_HISTORY
    ) -> None:
        self._base = base
        self._pinned = pinned

    def real_now(self) -> datetime:
        return self._base()

    def __call__(self) -> datetime:
        return self._pinned or self._base()

    def pin(self, instant: datetime) -> None:
        self._pinned = instant

    def release(self) -> None:
        self._pinned = None


@dataclass
class BuildReport:
    """What writing the history did: writes accepted, and each refused with its error."""

    written: int = 0
    uploads: int = 0
    refused: list[tuple[Step, BaseException]] = field(default_factory=list)


def begun(step: Step) -> BegunWrite:
    """A step as a write of ``Registry.begin_batch``, sent by the step's CB."""
    return BegunWrite(
        step.use_case,
        CertificateRef(step.cb, step.number),
        WriteMeta(
            request_id=step.request_id,
            effective_date=step.effective,
            actor=str(certification_body(step.cb)),
        ),
        step.fields,
    )


def accreditation_cycles(first: date, today: date) -> list[date]:
    """The starts of consecutive five-year accreditation cycles: the first a year before
    ``first``, the last in effect 90 days after ``today``."""
    starts = [add_years(first, -1)]
    while add_years(starts[-1], ACCREDITATION_YEARS) <= today + timedelta(days=90):
        starts.append(add_years(starts[-1], ACCREDITATION_YEARS))
    return starts


def register_bodies(app: Registry, since: date) -> None:
    """The directory of the demo: its ABs (IAF MLA signatories) and CBs, from ``since``."""
    for ab in ACCREDITATION_BODIES:
        meta = WriteMeta(f"demo-ab-{ab.acronym}", effective_date=since, actor=str(ADMIN))
        app.directory.register_accreditation_body(
            ab.acronym, meta, name=ab.name, country=ab.country
        )
        meta = WriteMeta(f"demo-mla-{ab.acronym}", effective_date=since, actor=str(ADMIN))
        app.directory.record_mla_status(ab.acronym, meta, status=MlaStatus.SIGNATORY)
    for cb in CERTIFICATION_BODIES:
        meta = WriteMeta(f"demo-cb-{cb.id}", effective_date=since, actor=str(ADMIN))
        app.directory.register_certification_body(cb.id, meta, name=cb.name, country=cb.country)


def accredit(app: Registry, start: date) -> None:
    """Each CB's accreditation by its AB for every catalogued standard, for the cycle from
    ``start`` (the first grant, or a regrant)."""
    standards = [edition.designation for edition in app.standards]
    expiry = add_years(start, ACCREDITATION_YEARS) - timedelta(days=1)
    for cb in CERTIFICATION_BODIES:
        meta = WriteMeta(
            f"demo-accreditation-{cb.id}-{start}",
            effective_date=start,
            actor=str(accreditation_body(cb.accredited_by)),
        )
        app.directory.grant_accreditation(
            cb.accredited_by, cb.id, meta, standards=standards, sector_codes=[], expiry_date=expiry
        )


def build(
    app: Registry,
    plan: Plan,
    clock: DemoClock,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Record ``plan``'s history in ``app`` (whose clock is ``clock``), each upload at
    its instant; ``progress(done, total)`` after each upload."""
    report = BuildReport()
    uploads = plan.uploads()
    first = month_start(plan.today, uploads[0][0]) if uploads else plan.today
    cycles = accreditation_cycles(first, plan.today)
    try:
        clock.pin(_start_of(cycles[0]))
        register_bodies(app, cycles[0])
        for n, (month, cb, steps) in enumerate(uploads, 1):
            instant = upload_instant(plan.today, month, cb)
            while cycles and _start_of(cycles[0]) <= instant:
                # An AB grants each cycle when it begins, as the history reaches it.
                clock.pin(max(_start_of(cycles[0]), clock()))
                accredit(app, cycles.pop(0))
            clock.pin(instant)
            futures = app.begin_batch([begun(step) for step in steps])
            for step, future in zip(steps, futures, strict=True):
                error = future.exception()
                if error is None:
                    report.written += 1
                else:
                    report.refused.append((step, error))
            report.uploads += 1
            if progress is not None:
                progress(n, len(uploads))
    finally:
        clock.release()
    for start in cycles:  # the cycles that begin after the last upload, up to today
        accredit(app, start)
    return report


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=UTC)
