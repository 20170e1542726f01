"""The standards catalogue on two clocks, on every backend: a deadline moved changes the
answers from the recorded time of the change on, and every earlier as_of answer stays."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from authority import register_in_process
from eventsourcing.persistence import OperationalError

from registry import config
from registry.application.queries import Queries, SearchCriteria
from registry.application.reference import ReferenceStore
from registry.application.registry import Registry
from registry.application.views import CertificateRef, Organization, Site, WriteMeta
from registry.domain.catalogue import CATALOGUE_ID
from registry.domain.standards import Standard, StandardsCatalogue
from registry.domain.status import Status, Warning
from registry.errors import ConflictError, InvalidInputError, RuleViolationError
from registry.projections.setup import open_index

D = date.fromisoformat
START = datetime(2029, 3, 2, 9, 0, tzinfo=UTC)
CERT = CertificateRef("cb-1", "Q-1")
DAY = D("2031-06-01")


class Clock:
    """Today is 2029-03-02; each reading is a millisecond later."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def admin(request_id: str) -> WriteMeta:
    return WriteMeta(request_id, actor="admin")


@pytest.fixture
def registry(db_url: str) -> Iterator[Registry]:
    app = Registry(config.persistence_env(db_url), clock=Clock())
    register_in_process(app, "cb-1")
    yield app
    app.close()


def issue(app: Registry, ref: CertificateRef = CERT, standard: str = "ISO 9001:2015") -> None:
    app.issue_certificate(
        ref,
        WriteMeta(f"issue-{ref.certificate_number}", D("2029-01-10"), actor="cb:cb-1"),
        organization=Organization("Acme GmbH", "DE", "1 Main Street"),
        sites=[Site("1 Main Street", "")],
        standard=standard,
        scope="widgets",
        sector_codes=["17"],
        expiry_date=D("2032-01-09"),
    )


def move_deadline(app: Registry, request_id: str = "deadline") -> None:
    app.catalogue.set_transition_deadline(
        admin(request_id), designation="ISO 9001:2015", transition_deadline=D("2030-12-31")
    )


def catalogue_events(app: Registry) -> int:
    return len(app.recorder.select_events(CATALOGUE_ID))


def test_a_moved_deadline_changes_answers_from_then_on_and_earlier_answers_stay(
    registry: Registry,
) -> None:
    issue(registry)
    before = registry.get_status(CERT, at=DAY)
    assert before.status is Status.VALID

    move_deadline(registry)

    after = registry.get_status(CERT, at=DAY)
    assert after.status is Status.EXPIRED
    assert registry.get_status(CERT, at=D("2030-12-31")).status is Status.VALID
    assert registry.get_status(CERT, at=DAY, as_of=before.as_of) == before


def test_the_deadline_moved_warns_of_the_expiry_it_brings(registry: Registry) -> None:
    issue(registry)
    move_deadline(registry)
    warned = registry.get_status(CERT, at=D("2030-11-01"))
    assert warned.status is Status.VALID
    assert Warning.EXPIRING_SOON in warned.warnings
    assert Warning.EXPIRING_SOON not in registry.get_status(CERT, at=D("2030-06-01")).warnings


def test_verification_reads_the_catalogue_as_of_its_instant(registry: Registry) -> None:
    issue(registry)
    before = registry.now()
    move_deadline(registry)
    assert registry.verifier.verify(CERT, at=DAY).status is Status.EXPIRED
    assert registry.verifier.verify(CERT, at=DAY, as_of=before).status is Status.VALID


def test_the_listing_as_of_before_and_after_the_change(registry: Registry) -> None:
    before = registry.catalogue.list_standards(at=DAY)
    move_deadline(registry)
    after = registry.catalogue.list_standards(at=DAY)

    def edition(listing, designation):
        return next(e for e in listing.editions if e.designation == designation)

    assert edition(before, "ISO 9001:2015").transition_deadline is None
    assert edition(before, "ISO 9001:2015").valid_on_at
    assert edition(after, "ISO 9001:2015").transition_deadline == D("2030-12-31")
    assert not edition(after, "ISO 9001:2015").valid_on_at
    assert after.version == before.version + 1
    assert registry.catalogue.list_standards(at=DAY, as_of=before.as_of) == before
    assert not edition(after, "ISO/IEC 27001:2013").valid_on_at  # the shipped deadline


def test_an_added_edition_can_be_issued_to(registry: Registry) -> None:
    with pytest.raises(InvalidInputError, match="unknown standard"):
        issue(registry, CertificateRef("cb-1", "N-0"), "ISO 9001:2026")
    registry.catalogue.add_standard_edition(
        admin("add"), code="ISO 9001", edition="2026", title="Quality management systems"
    )
    issue(registry, CertificateRef("cb-1", "N-1"), "iso 9001:2026")
    status = registry.get_status(CertificateRef("cb-1", "N-1"), at=D("2029-06-01"))
    assert status.status is Status.VALID
    assert status.details is not None and status.details.standard == "ISO 9001:2026"


def test_an_edition_is_added_once(registry: Registry) -> None:
    with pytest.raises(RuleViolationError) as refused:
        registry.catalogue.add_standard_edition(
            admin("again"), code="iso 9001", edition="2015", title="Quality"
        )
    assert refused.value.rule == "edition-added-once"


def test_a_deadline_of_an_edition_not_catalogued_is_refused(registry: Registry) -> None:
    events = catalogue_events(registry)
    with pytest.raises(RuleViolationError) as refused:
        registry.catalogue.set_transition_deadline(
            admin("unknown"), designation="ISO 9001:1987", transition_deadline=D("2030-01-01")
        )
    assert refused.value.rule == "deadline-for-a-catalogued-edition"
    assert catalogue_events(registry) == events


def test_malformed_editions_are_refused(registry: Registry) -> None:
    with pytest.raises(InvalidInputError, match="colon"):
        registry.catalogue.add_standard_edition(
            admin("colon"), code="ISO 9001", edition="2015:2026", title="Quality"
        )
    with pytest.raises(InvalidInputError, match="title is required"):
        registry.catalogue.add_standard_edition(
            admin("title"), code="ISO 9001", edition="2026", title=" "
        )


def test_a_retried_change_is_answered_once(registry: Registry) -> None:
    first = registry.catalogue.set_transition_deadline(
        admin("once"), designation="ISO 9001:2015", transition_deadline=D("2030-12-31")
    )
    events = catalogue_events(registry)
    again = registry.catalogue.set_transition_deadline(
        admin("once"), designation="ISO 9001:2015", transition_deadline=D("2030-12-31")
    )
    assert again == first
    assert catalogue_events(registry) == events


def test_a_change_at_an_unexpected_catalogue_version_conflicts(registry: Registry) -> None:
    version = registry.catalogue.list_standards().version
    registry.catalogue.add_standard_edition(
        WriteMeta("first", expected_version=version, actor="admin"),
        code="ISO 9001",
        edition="2026",
        title="Quality",
    )
    with pytest.raises(ConflictError):
        registry.catalogue.set_transition_deadline(
            WriteMeta("second", expected_version=version, actor="admin"),
            designation="ISO 9001:2026",
            transition_deadline=D("2032-01-01"),
        )


def test_a_search_as_known_now_finds_the_certificate_expired_and_a_report_as_of_before_valid(
    registry: Registry,
) -> None:
    index = open_index(registry)
    runner = index.runner().start()
    try:
        queries = Queries(registry, index.reader, wait=10)
        issue(registry)
        issue(registry, CertificateRef("cb-1", "Q-2"), "ISO 14001:2015")
        expired = SearchCriteria(status=Status.EXPIRED)
        assert queries.search(expired, at=DAY).results == []
        before = registry.now()

        move_deadline(registry)

        found = queries.search(expired, at=DAY).results
        assert [r.certificate for r in found] == [CERT]
        valid = queries.search(SearchCriteria(status=Status.VALID), at=DAY).results
        assert [r.certificate.certificate_number for r in valid] == ["Q-2"]
        then = queries.issuance_report("cb-1", at=DAY, as_of=before)
        assert then.by_status == {Status.VALID: 2}
        now = queries.issuance_report("cb-1", at=DAY)
        assert now.by_status == {Status.VALID: 1, Status.EXPIRED: 1}
    finally:
        runner.stop()
        index.close()


def test_a_store_is_seeded_once_whichever_registry_starts_first(
    durable_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Registry(config.persistence_env(durable_db_url), clock=Clock())
    # The second registry looks before the first one's catalogue is there (a race):
    # the event store refuses its copy, and the first one's is the catalogue.
    monkeypatch.setattr(ReferenceStore, "exists", lambda self, aggregate_id: False)
    second = Registry(config.persistence_env(durable_db_url), clock=Clock())
    monkeypatch.undo()
    third = Registry(config.persistence_env(durable_db_url), clock=Clock())
    try:
        assert catalogue_events(third) == 1
        assert third.summary().events == 1
        assert second.standards.get("ISO 9001:2015").transition_deadline is None
    finally:
        for app in (first, second, third):
            app.close()


def test_a_change_through_one_registry_is_answered_by_another_on_the_store(
    durable_db_url: str,
) -> None:
    one = Registry(config.persistence_env(durable_db_url), clock=Clock())
    other = Registry(config.persistence_env(durable_db_url), clock=Clock())
    try:
        register_in_process(one, "cb-1")
        issue(one)
        assert other.get_status(CERT, at=DAY).status is Status.VALID
        move_deadline(one)
        assert other.get_status(CERT, at=DAY).status is Status.EXPIRED
        assert other.catalogue.list_standards(at=DAY).version == 2
    finally:
        one.close()
        other.close()


def test_the_seed_is_the_catalogue_given_or_the_file_named(db_url: str, tmp_path: Path) -> None:
    given = StandardsCatalogue([Standard("ISO 9001", "2015", "Quality", D("2030-06-30"))])
    app = Registry(config.persistence_env(db_url), clock=Clock(), standards=given)
    try:
        assert [e.designation for e in app.catalogue.list_standards().editions] == ["ISO 9001:2015"]
        assert app.standards.deadline_of("ISO 9001:2015") == D("2030-06-30")
    finally:
        app.close()
    if db_url == "memory:":
        path = tmp_path / "standards.json"
        rows = [{"code": "ISO 50001", "edition": "2018", "title": "Energy"}]
        path.write_text(json.dumps({"standards": rows}), "utf-8")
        env = {**config.persistence_env(db_url), "STANDARDS_FILE": str(path)}
        app = Registry(env, clock=Clock())
        try:
            assert [s.designation for s in app.standards] == ["ISO 50001:2018"]
        finally:
            app.close()


def test_a_store_seeded_keeps_its_catalogue_whatever_a_later_start_is_given(
    durable_db_url: str,
) -> None:
    Registry(config.persistence_env(durable_db_url), clock=Clock()).close()
    other = StandardsCatalogue([Standard("ISO 9001", "2015", "Quality", D("2030-06-30"))])
    app = Registry(config.persistence_env(durable_db_url), clock=Clock(), standards=other)
    try:
        assert app.standards.deadline_of("ISO 9001:2015") is None
        assert len(list(app.standards)) > 1
    finally:
        app.close()


def test_one_catalogue_version_is_one_object_for_every_reader(registry: Registry) -> None:
    cut, _ = registry.cut(None)
    assert registry.catalogue.at(cut) is registry.standards
    move_deadline(registry)
    assert registry.catalogue.at(cut) is not registry.standards
    assert registry.catalogue.at(registry.cut(None)[0]) is registry.standards


def test_the_index_of_a_new_store_begins_with_the_seeded_catalogue(db_url: str) -> None:
    app = Registry(config.persistence_env(db_url), clock=Clock())
    index = open_index(app)
    try:
        index.projection.process(app.recorder.select_notifications(start=1, limit=10))
        assert index.projection.position() == 1
    finally:
        index.close()
        app.close()


def test_the_index_is_the_same_whether_a_deadline_comes_in_one_batch_or_alone() -> None:
    app = Registry(config.persistence_env("memory:"), clock=Clock())
    register_in_process(app, "cb-1")
    issue(app)
    issue(app, CertificateRef("cb-1", "Q-2"))
    move_deadline(app)
    app.suspend_certificate(
        CERT, WriteMeta("suspend", D("2029-02-01"), actor="cb:cb-1"), reason="r"
    )
    notifications = app.recorder.select_notifications(start=1, limit=100)
    together, alone = open_index(app), open_index(app)
    try:
        together.projection.process(notifications)
        for notification in notifications:
            alone.projection.process([notification])
        assert together.reader.rows() == alone.reader.rows()
        queries = Queries(app, together.reader, wait=0)
        expired = queries.search(SearchCriteria(status=Status.EXPIRED), at=DAY).results
        assert [r.certificate.certificate_number for r in expired] == ["Q-1", "Q-2"]
    finally:
        together.close()
        alone.close()
        app.close()


@dataclass
class FailingView:
    """An index view whose ``fail_at``-th transaction without a position fails."""

    view: Any
    fail_at: int
    unpositioned: int = 0

    def apply(self, update: Any, tracking: Any) -> None:
        if tracking is None:
            self.unpositioned += 1
            if self.unpositioned == self.fail_at:
                raise OperationalError("the store went away")
        self.view.apply(update, tracking)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.view, name)


def test_a_deadline_is_applied_a_chunk_of_certificates_at_a_time_and_resumes_after_a_failure(
    registry: Registry,
) -> None:
    numbers = [f"Q-{n}" for n in range(5)]
    for number in numbers:
        issue(registry, CertificateRef("cb-1", number))
    move_deadline(registry)
    notifications = registry.recorder.select_notifications(start=1, limit=1000)
    deadline_at = notifications[-1].id
    index = open_index(registry, recatalogue_chunk=2)
    try:
        queries = Queries(registry, index.reader, wait=0)
        expired = SearchCriteria(status=Status.EXPIRED)
        failing = FailingView(index.view, fail_at=2)
        index.projection.view = cast(Any, failing)
        with pytest.raises(OperationalError):
            index.projection.process(notifications)
        # The first chunk is in the tables, its position is not: the deadline is to come.
        assert index.projection.position() == deadline_at - 1
        assert len(queries.search(expired, at=DAY).results) == 2
        index.projection.view = index.view
        after = index.projection.position()
        index.projection.process([n for n in notifications if n.id > after])
        assert index.projection.position() == deadline_at
        found = queries.search(expired, at=DAY).results
        assert sorted(r.certificate.certificate_number for r in found) == numbers
        # The same rows as the index built again in one go.
        resumed = index.reader.rows()
        index.view.clear()
        index.projection.reset()
        index.projection.process(notifications)
        assert index.reader.rows() == resumed
    finally:
        index.close()
