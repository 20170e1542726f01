"""Write a plan's history into a registry, upload by upload, through its use cases.

Each upload (one CB's month-end changes) is begun as one batch
(``Registry.begin_batch``): its writes are checked in order against the rules
and saved together, without a blocking call per write. The registry's clock is
pinned to the upload's instant while it is saved, so the recorded times are the
months the history says, and a backdated correction is recorded months after
the day it takes effect; then the clock is released to the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from registry.application.registry import BegunWrite, Registry
from registry.application.views import CertificateRef, WriteMeta
from registry.demo.plan import Plan, Step, upload_instant
from registry.store.log import utc_now


class DemoClock:
    """The registry's clock: the real one, unless pinned to an instant."""

    def __init__(self, base: Callable[[], datetime] = utc_now) -> None:
        self._base = base
        self._pinned: datetime | None = None

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
    """A step as a write of ``Registry.begin_batch``."""
    return BegunWrite(
        step.use_case,
        CertificateRef(step.cb, step.number),
        WriteMeta(request_id=step.request_id, effective_date=step.effective),
        step.fields,
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
    try:
        for n, (month, cb, steps) in enumerate(uploads, 1):
            clock.pin(upload_instant(plan.today, month, cb))
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
    return report
