"""The Registry application on each backend (memory and SQLite file)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from authority import prepare_in_process, register_in_process

from registry.application.log_reader import Refs, certificate_of, parties_of
from registry.application.registry import Registry
from registry.application.views import (
    CertificateRef,
    Organization,
    ReferenceEventView,
    Site,
    Source,
    WriteMeta,
)
from registry.domain.certificate import certificate_id
from registry.domain.status import Status
from registry.errors import (
    AlreadyExistsError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
)

REF = CertificateRef("cb-1", "Q-1")
D = date.fromisoformat


def issue(app: Registry, ref: CertificateRef = REF, request_id: str = "issue") -> int:
    return app.issue_certificate(
        ref,
        WriteMeta(request_id, D("2024-01-10")),
        organization=Organization("Acme GmbH", "de", "Berlin"),
        sites=[Site("Berlin", "")],
        standard="ISO 9001:2015",
        scope="widgets",
        sector_codes=["17"],
        expiry_date=D("2027-01-09"),
    ).version


def test_a_certificate_is_identified_by_its_cb_and_number():
    assert certificate_id("cb-1", "Q-1") == certificate_id("cb-1", "Q-1")
    assert certificate_id("cb-1", "Q-1") != certificate_id("cb-2", "Q-1")
    assert certificate_id("cb-1", "Q-1") != certificate_id("cb-1", "Q-2")


def test_the_same_number_of_another_cb_is_another_certificate(app):
    issue(app)
    assert issue(app, CertificateRef("cb-2", "Q-1"), request_id="other") == 1


def test_issuing_the_same_number_twice_already_exists(app):
    issue(app)
    with pytest.raises(AlreadyExistsError):
        issue(app, request_id="second")


def test_input_is_normalised_before_it_is_stored(app):
    issue(app)
    details = app.get_status(REF, at=D("2025-01-01")).details
    assert details is not None
    assert details.organization.country == "DE"
    assert details.standard == "ISO 9001:2015"


def test_a_retry_returns_the_first_result_even_when_the_rules_would_now_refuse_it(app):
    issue(app)
    first = app.suspend_certificate(REF, WriteMeta("s", D("2025-03-01")), reason="NC")
    again = app.suspend_certificate(REF, WriteMeta("s", D("2025-03-01")), reason="NC")
    assert again == first
    with pytest.raises(RuleViolationError):
        app.suspend_certificate(REF, WriteMeta("s2", D("2025-03-01")), reason="NC")


def test_request_ids_are_scoped_to_the_principal(app):
    issue(app)
    app.record_surveillance(REF, WriteMeta("same", D("2025-01-05"), actor="cb-1"))
    other = app.record_surveillance(REF, WriteMeta("same", D("2025-02-05"), actor="cb-9"))
    assert other.version == 3


def test_a_reused_request_id_with_other_content_is_invalid(app):
    issue(app)
    app.record_surveillance(REF, WriteMeta("r", D("2025-01-05")))
    with pytest.raises(InvalidInputError):
        app.record_surveillance(REF, WriteMeta("r", D("2025-01-06")))


def test_recorded_times_strictly_increase(app):
    issue(app)
    stamps = [
        app.record_surveillance(REF, WriteMeta(f"r{i}", D("2025-01-05"))).recorded_at
        for i in range(20)
    ]
    assert all(a < b for a, b in itertools.pairwise(stamps))


class Switchable:
    """A clock whose source the test replaces."""

    def __init__(self, source: Callable[[], datetime]) -> None:
        self.source = source

    def __call__(self) -> datetime:
        return self.source()


def test_a_recorded_time_never_goes_back_when_the_clock_does():
    # The first write reads noon (once to check it, once to record it); then the clock
    # is set back an hour.
    noon = datetime(2026, 5, 1, 12, tzinfo=UTC)
    readings = itertools.chain([noon] * 2, itertools.repeat(datetime(2026, 5, 1, 11, tzinfo=UTC)))
    clock = Switchable(lambda: datetime(2026, 5, 1, 10, tzinfo=UTC))
    app = Registry(clock=clock)
    register_in_process(app, "cb-1")  # recorded at ten, before the first write
    clock.source = lambda: next(readings)
    first = issue(app)
    assert first == 1
    later = app.record_surveillance(REF, WriteMeta("s", D("2025-01-05")))
    assert later.recorded_at == datetime(2026, 5, 1, 12, 0, 0, 1, tzinfo=UTC)


def test_concurrent_writers_on_one_certificate_all_land_in_order(app):
    issue(app)
    errors: list[Exception] = []

    def worker(n: int) -> None:
        for i in range(10):
            try:
                app.change_holder_details(
                    REF,
                    WriteMeta(f"w{n}-{i}", D("2025-01-01")),
                    organization=Organization(f"Acme {n}-{i}", "", ""),
                )
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    history = app.get_history(REF, limit=1000)
    assert [e.version for e in history.events] == list(range(1, 82))


def test_a_stale_expected_version_conflicts(app):
    issue(app)
    app.record_surveillance(REF, WriteMeta("a", D("2025-01-05"), expected_version=1))
    with pytest.raises(ConflictError):
        app.record_surveillance(REF, WriteMeta("b", D("2025-01-06"), expected_version=1))


def test_commands_on_an_unknown_certificate_are_not_found(app):
    with pytest.raises(NotFoundError):
        app.reinstate_certificate(REF, WriteMeta("x", D("2025-02-01")))


def test_status_defaults_to_the_registry_today_and_everything_committed(db_url):
    from registry import config

    noon = datetime(2026, 5, 1, 12, tzinfo=UTC)
    app = prepare_in_process(Registry(config.persistence_env(db_url), clock=lambda: noon))
    try:
        issue(app)
        written = app.record_surveillance(REF, WriteMeta("s", D("2025-01-05")))
        view = app.get_status(REF)
        head = app.store.last_point()
    finally:
        app.close()
    assert view.at == noon.date()
    # The cut is the log as committed (the last write's recorded time), not the clock.
    assert view.as_of == written.recorded_at
    assert head is not None and view.log_position == head.position
    assert view.status is Status.VALID


def test_a_certificate_written_by_a_process_whose_clock_runs_ahead_keeps_its_order(tmp_path):
    from registry import config

    env = config.persistence_env(f"sqlite:///{tmp_path / 'shared.db'}")
    ahead = Registry(env, clock=lambda: datetime(2026, 5, 1, 12, 0, 5, tzinfo=UTC))
    behind = Registry(env, clock=lambda: datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC))
    try:
        register_in_process(behind, "cb-1")
        first = issue(ahead)
        assert first == 1
        issued = ahead.store.last_point()
        assert issued is not None and issued.recorded_at >= datetime(
            2026, 5, 1, 12, 0, 5, tzinfo=UTC
        )
        later = behind.record_surveillance(REF, WriteMeta("s", D("2025-01-05")))
        assert later.recorded_at > issued.recorded_at
        as_of_issue = behind.get_status(REF, at=D("2025-02-01"), as_of=issued.recorded_at)
        assert as_of_issue.version == 1
    finally:
        ahead.close()
        behind.close()


def test_an_as_of_just_after_a_write_in_flight_waits_for_it_and_never_changes(app):
    """A write holding the log's lock has its recorded time but is not committed yet: a read
    asking as of an instant after that time must wait for it, or its answer would change."""
    issue(app)
    stamped, release = threading.Event(), threading.Event()
    append = app.store.append

    def held_append(stamp):
        def stamp_and_hold(floor):
            batch = stamp(floor)
            stamped.set()
            release.wait(10)
            return batch

        return append(stamp_and_hold)

    app.store.append = held_append
    writer = threading.Thread(
        target=lambda: app.suspend_certificate(REF, WriteMeta("s", D("2025-03-01")), reason="NC")
    )
    writer.start()
    assert stamped.wait(10)
    as_of = app.now()
    answers = []
    reader = threading.Thread(
        target=lambda: answers.append(app.get_status(REF, at=D("2025-06-01"), as_of=as_of))
    )
    reader.start()
    reader.join(0.3)  # a reader that does not wait would answer here, without the suspension
    release.set()
    writer.join(10)
    reader.join(10)
    assert answers[0].status is Status.SUSPENDED
    assert app.get_status(REF, at=D("2025-06-01"), as_of=as_of) == answers[0]


def test_begin_answers_a_write_in_a_future_once_it_is_durable_and_a_retry_with_the_first(app):
    issue(app)
    meta = WriteMeta("begun", D("2025-01-05"))
    pending = app.begin("record_surveillance", REF, meta)
    result = pending.result(10)
    assert result.version == 2
    assert app.get_status(REF).version == 2
    again = app.begin("record_surveillance", REF, meta)
    assert again.result(10) == result
    assert app.get_status(REF).version == 2  # the retry appended nothing
    refused = app.begin("reinstate_certificate", REF, WriteMeta("r", D("2025-02-01")))
    with pytest.raises(RuleViolationError):
        refused.result(10)
    with pytest.raises(InvalidInputError):  # malformed input is refused before any future
        app.begin("record_surveillance", REF, WriteMeta("", D("2025-01-05")))


def test_the_global_log_reads_as_events_with_their_position_and_certificate(app):
    other = CertificateRef("cb-2", "Q-9")
    issue(app)
    issue(app, other, request_id="other")
    app.suspend_certificate(REF, WriteMeta("suspend", D("2024-03-01")), reason="audit missed")
    # Forget what was learnt: read it back from each aggregate's first event.
    app.refs = Refs(app._first_event, certificate_of)
    app.parties = Refs(app._first_event, parties_of)
    # Before these three, the log holds the directory's events (the CBs registered).
    p = app.store.last_point().position - 3
    suspended = app.read_log(p + 2).events
    assert [(e.global_position, e.certificate) for e in suspended] == [(p + 3, REF)]
    page = app.read_log(p)
    assert [(e.global_position, e.certificate, e.type) for e in page.events] == [
        (p + 1, REF, "Issued"),
        (p + 2, other, "Issued"),
        (p + 3, REF, "Suspended"),
    ]
    assert page.last_position == p + 3
    rest = app.read_log(p + 1, limit=1)
    assert [(e.global_position, e.certificate) for e in rest.events] == [(p + 2, other)]
    assert app.read_log(0).events[0].global_position == p + 1
    assert app.read_log(p + 3).events == [] and app.read_log(p + 3).last_position == p + 3
    # The whole log as views: the catalogue's seed, the directory's entries, then these.
    every = app.log_views(app.recorder.select_notifications(start=1, limit=p + 3))
    assert [view.global_position for view in every] == list(range(1, p + 4))
    first = every[0]
    assert isinstance(first, ReferenceEventView) and first.source is Source.CATALOGUE
    assert first.type == "Seeded" and first.fields["editions"]
    entries = [view for view in every[1:p] if isinstance(view, ReferenceEventView)]
    assert {(view.source, view.type) for view in entries} >= {
        (Source.CERTIFICATION_BODY, "Registered")
    }
    assert {view.certification_body_id for view in entries} >= {"cb-1", "cb-2"}
