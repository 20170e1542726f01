"""The demo's registry: the same for a seed and a day, every lifecycle kept by the rules.

The plan is made from a today and written through the application (the builder
pins the registry's clock to each month-end upload), on each backend and on
days chosen to stress the calendar: a month's first day, 29 February, a year's
last day. Nothing here reads the real date but through the registry's clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest

from registry import config
from registry.application.registry import Registry
from registry.application.views import CertificateRef
from registry.demo.builder import DemoClock, begun, build
from registry.demo.data import CONFIDENTIAL_REASONS
from registry.demo.plan import Plan, make_plan, month_start, upload_instant
from registry.domain.status import Status
from registry.errors import RuleViolationError

SMALL = 200
CALENDAR_DAYS = [date(2027, 3, 1), date(2028, 2, 29), date(2030, 12, 31)]


def clock_on(day: date) -> DemoClock:
    return DemoClock(base=lambda: datetime.combine(day, time(9), tzinfo=UTC))


@pytest.fixture
def demo_app(db_url: str) -> Iterator[tuple[Registry, DemoClock]]:
    clock = DemoClock()
    app = Registry(config.persistence_env(db_url), clock=clock)
    yield app, clock
    app.close()


def publish_batch(app: Registry, plan: Plan) -> list[BaseException | None]:
    """The month-end batch, as the walk sends it, written at the registry's today."""
    futures = app.begin_batch([begun(step) for step in plan.batch])
    return [future.exception() for future in futures]


def test_the_same_seed_on_the_same_day_makes_the_same_registry():
    day = date(2029, 7, 14)
    assert make_plan(day, certificates=SMALL, seed=7) == make_plan(day, certificates=SMALL, seed=7)
    assert make_plan(day, certificates=SMALL, seed=7) != make_plan(day, certificates=SMALL, seed=8)


def test_lifecycles_include_every_kind_the_demo_shows():
    plan = make_plan(date(2029, 7, 14), certificates=SMALL)
    kinds = plan.kinds()
    for kind in (
        "issue",
        "surveillance",
        "renewal",
        "suspension",
        "backdated-correction",
        "withdrawal",
        "cancellation",
        "transfer",
        "retraction",
    ):
        assert kinds.get(kind, 0) > 0, kind


def test_some_suspensions_are_published_with_a_confidential_reason_and_most_are_not():
    plan = make_plan(date(2029, 7, 14), certificates=SMALL)
    suspensions = [step for step in plan.history if step.use_case == "suspend_certificate"]
    flags = Counter(bool(step.fields.get("confidential")) for step in suspensions)
    assert flags[True] > 0 and flags[False] > flags[True]
    assert all(
        (step.fields["reason"] in CONFIDENTIAL_REASONS) == bool(step.fields.get("confidential"))
        for step in suspensions
    )


def test_a_backdated_correction_is_recorded_months_after_it_takes_effect():
    today = date(2029, 7, 14)
    plan = make_plan(today, certificates=SMALL)
    late = [step for step in plan.history if step.kind == "backdated-correction"]
    assert late
    for step in late:
        assert month_start(today, step.month) > step.effective.replace(day=1)


def test_the_history_is_recorded_before_this_month_and_nothing_takes_effect_after_today():
    today = date(2029, 7, 14)
    plan = make_plan(today, certificates=SMALL)
    assert all(step.month < 0 for step in plan.history)
    assert all(step.effective <= today for step in [*plan.history, *plan.batch])
    assert all(step.month == 0 and step.cb == plan.stories.batch_cb for step in plan.batch)
    assert upload_instant(today, -1, "cb-great-lakes") < datetime.combine(
        month_start(today, 0), time(), tzinfo=UTC
    )


def test_every_write_is_accepted_but_the_batch_s_deliberate_mistake(demo_app):
    app, clock = demo_app
    plan = make_plan(clock.real_now().date(), certificates=SMALL, seed=3)
    report = build(app, plan, clock)
    assert report.refused == []
    assert report.written == len(plan.history)
    errors = publish_batch(app, plan)
    refused = [(step, error) for step, error in zip(plan.batch, errors, strict=True) if error]
    assert [step.refused for step, _ in refused] == [True]
    (_, error) = refused[0]
    assert isinstance(error, RuleViolationError)
    assert error.rule == "reinstate-only-suspended"


@pytest.mark.parametrize("day", CALENDAR_DAYS, ids=str)
def test_the_demo_builds_on_any_day(day):
    clock = clock_on(day)
    app = Registry(config.persistence_env("memory:"), clock=clock)
    try:
        plan = make_plan(day, certificates=SMALL, seed=11)
        report = build(app, plan, clock)
        assert [(s.use_case, s.number, str(e)) for s, e in report.refused] == []
        errors = publish_batch(app, plan)
        assert [step.refused for step, error in zip(plan.batch, errors, strict=True) if error] == [
            True
        ]
    finally:
        app.close()


def test_versions_the_plan_expects_are_the_versions_written(demo_app):
    app, clock = demo_app
    plan = make_plan(clock.real_now().date(), certificates=SMALL, seed=5)
    build(app, plan, clock)
    futures = app.begin_batch([begun(step) for step in plan.batch])
    for step, future in zip(plan.batch, futures, strict=True):
        if not step.refused:
            assert future.result().version == step.version


def test_the_supplier_s_suspension_is_known_today_but_was_not_before_its_upload(demo_app):
    app, clock = demo_app
    today = clock.real_now().date()
    plan = make_plan(today, certificates=SMALL)
    build(app, plan, clock)
    stories = plan.stories
    supplier = CertificateRef(stories.supplier_cb, stories.supplier_number)
    assert app.get_status(supplier).status is Status.VALID
    assert app.get_status(supplier, at=stories.suspended_on).status is Status.SUSPENDED
    upload = upload_instant(today, stories.correction_month, stories.supplier_cb)
    before = app.get_status(supplier, at=stories.suspended_on, as_of=upload.replace(hour=16))
    assert before.status is Status.VALID


def test_uploads_are_recorded_at_their_month_ends(demo_app):
    app, clock = demo_app
    today = clock.real_now().date()
    plan = make_plan(today, certificates=SMALL)
    build(app, plan, clock)
    page = app.read_log(0, limit=len(plan.history) + 100)
    recorded = Counter(
        (event.recorded_at.year, event.recorded_at.month, event.recorded_at.day)
        for event in page.events
    )
    month_ends = {
        (d.year, d.month, d.day)
        for d in (upload_instant(today, step.month, step.cb) for step in plan.history)
    }
    assert set(recorded) == month_ends
