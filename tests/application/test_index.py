"""The index projection on each backend: search, a CB's events, issuance reports."""

from __future__ import annotations

import contextlib
import itertools
import logging
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from authority import prepare_in_process
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import config
from registry.application.queries import Queries, SearchCriteria
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
from registry.errors import InvalidInputError, NotFoundError, RuleViolationError
from registry.projections.index import AFTER_LAST_DAY, FIRST_DAY
from registry.projections.rows import EVENTS
from registry.projections.runner import renew_if_older
from registry.projections.setup import Index, index_lag, open_index
from registry.store.log import META

D = date.fromisoformat
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@pytest.fixture
def indexed(db_url: str) -> Iterator[tuple[Registry, Index, Queries]]:
    app = prepare_in_process(Registry(config.persistence_env(db_url), clock=Clock()))
    index = open_index(app)
    runner = index.runner().start()
    yield app, index, Queries(app, index.reader, wait=10)
    runner.stop()
    index.close()
    app.close()


def issue(
    app: Registry,
    cb: str,
    number: str,
    name: str,
    *,
    country: str = "DE",
    standard: str = "ISO 9001:2015",
    sectors: tuple[str, ...] = ("17",),
    effective: str = "2025-01-10",
    expiry: str = "2028-01-09",
) -> None:
    app.issue_certificate(
        CertificateRef(cb, number),
        WriteMeta(f"issue-{cb}-{number}", D(effective)),
        organization=Organization(name, country, "1 Main Street"),
        sites=[Site("1 Main Street", "")],
        standard=standard,
        scope="widgets",
        sector_codes=list(sectors),
        expiry_date=D(expiry),
    )


def refs(page) -> list[tuple[str, str]]:
    return [(r.certificate.certification_body_id, r.certificate.certificate_number) for r in page]


def test_names_are_found_by_folded_word_prefixes(indexed):
    app, _, queries = indexed
    issue(app, "cb-1", "A-1", "Łódź Zakłady Mechaniczne")
    issue(app, "cb-1", "A-2", "Ørsted Wind A/S", country="DK")
    issue(app, "cb-2", "B-1", "Straße & Söhne GmbH")
    issue(app, "cb-2", "B-2", "Ærø Færgeri")
    day = D("2026-01-01")
    for query, expected in [
        ("lodz", [("cb-1", "A-1")]),
        ("zaklady lod", [("cb-1", "A-1")]),
        ("orsted", [("cb-1", "A-2")]),
        ("oersted wind", [("cb-1", "A-2")]),
        ("strasse", [("cb-2", "B-1")]),
        ("sohne", [("cb-2", "B-1")]),
        ("aeroe", [("cb-2", "B-2")]),
        ("wind lodz", []),
    ]:
        page = queries.search(SearchCriteria(organization_name=query), at=day)
        assert refs(page.results) == expected, query


def test_the_status_on_the_day_asked_changes_with_time_alone(indexed):
    app, _, queries = indexed
    issue(app, "cb-1", "Q-1", "Acme", expiry="2026-06-30")
    issue(app, "cb-1", "Q-2", "Acme Two", expiry="2027-06-30")
    app.suspend_certificate(
        CertificateRef("cb-1", "Q-2"), WriteMeta("s", D("2026-02-01")), reason="audit missed"
    )

    def statuses(day: str, status: Status | None = None) -> dict[str, Status]:
        criteria = SearchCriteria(certification_body_id="cb-1", status=status)
        page = queries.search(criteria, at=D(day))
        return {r.certificate.certificate_number: r.status for r in page.results}

    assert statuses("2026-01-15") == {"Q-1": Status.VALID, "Q-2": Status.VALID}
    assert statuses("2026-06-30") == {"Q-1": Status.VALID, "Q-2": Status.SUSPENDED}
    assert statuses("2026-07-01") == {"Q-1": Status.EXPIRED, "Q-2": Status.SUSPENDED}
    assert statuses("2026-07-01", Status.VALID) == {}
    assert statuses("2026-06-30", Status.VALID) == {"Q-1": Status.VALID}
    assert statuses("2024-12-31") == {"Q-1": Status.NOT_YET_VALID, "Q-2": Status.NOT_YET_VALID}


def test_criteria_combine_and_pages_follow_a_stable_order(indexed):
    app, _, queries = indexed
    for n in range(7):
        issue(app, f"cb-{n % 2}", f"N-{n}", f"Widget Works {n}", country="FR" if n < 3 else "DE")
    issue(app, "cb-9", "N-1", "Other Holder", standard="ISO 14001:2015", sectors=("28",))
    day = D("2026-01-01")
    numbers = refs(queries.search(SearchCriteria(certificate_number="N-1"), at=day).results)
    assert sorted(numbers) == [("cb-1", "N-1"), ("cb-9", "N-1")]
    assert refs(queries.search(SearchCriteria(standard="iso 14001"), at=day).results) == [
        ("cb-9", "N-1")
    ]
    assert refs(queries.search(SearchCriteria(sector_code="28"), at=day).results) == [
        ("cb-9", "N-1")
    ]
    french = queries.search(SearchCriteria(organization_name="widget", country="fr"), at=day)
    assert sorted(refs(french.results)) == [("cb-0", "N-0"), ("cb-0", "N-2"), ("cb-1", "N-1")]
    seen, key = [], 0
    while True:
        page = queries.search(
            SearchCriteria(organization_name="works"), at=day, after_key=key, limit=3
        )
        seen += refs(page.results)
        if page.next_key is None:
            break
        key = page.next_key
    assert sorted(seen) == sorted((f"cb-{n % 2}", f"N-{n}") for n in range(7))
    assert len(seen) == 7


def test_a_search_sees_every_acknowledged_write(indexed):
    app, _, queries = indexed
    for n in range(20):
        issue(app, "cb-1", f"R-{n}", f"Fresh {n}")
        page = queries.search(SearchCriteria(certificate_number=f"R-{n}"), at=D("2026-01-01"))
        assert refs(page.results) == [("cb-1", f"R-{n}")]
        assert page.log_position == app.store.last_point().position


def test_bad_criteria_are_refused(indexed):
    _, _, queries = indexed
    with pytest.raises(InvalidInputError, match="standard"):
        queries.search(SearchCriteria(standard="ISO 99999"))
    with pytest.raises(InvalidInputError, match="country"):
        queries.search(SearchCriteria(country="Germany"))
    with pytest.raises(InvalidInputError, match="organization_name"):
        queries.search(SearchCriteria(organization_name="x" * 600))


def test_a_cbs_events_in_a_recorded_time_window(indexed):
    app, _, queries = indexed
    p = app.store.last_point().position  # the directory's events come first
    issue(app, "cb-1", "E-1", "Alpha")
    issue(app, "cb-2", "E-2", "Beta")
    middle = app.store.last_point().recorded_at
    ref = CertificateRef("cb-1", "E-1")
    app.suspend_certificate(ref, WriteMeta("s1", D("2025-03-01")), reason="r")
    app.reinstate_certificate(ref, WriteMeta("r1", D("2025-04-01")))
    certificates = [Source.CERTIFICATE]
    whole = queries.list_events("cb-1", sources=certificates)
    assert [(e.type, e.certificate) for e in whole.events] == [
        ("Issued", ref),
        ("Suspended", ref),
        ("Reinstated", ref),
    ]
    assert [e.global_position for e in whole.events] == [p + 1, p + 3, p + 4]
    later = queries.list_events("cb-1", recorded_after=middle, sources=certificates)
    assert [e.type for e in later.events] == ["Suspended", "Reinstated"]
    before = queries.list_events("cb-1", recorded_before=middle, sources=certificates)
    assert [e.type for e in before.events] == ["Issued"]
    typed = queries.list_events("cb-1", types=["Reinstated"])
    assert [e.type for e in typed.events] == ["Reinstated"]
    first = queries.list_events("cb-1", limit=2, sources=certificates)
    assert [e.global_position for e in first.events] == [p + 1, p + 3]
    rest = queries.list_events(
        "cb-1",
        after_position=first.next_position,
        until_position=first.until_position,
        sources=certificates,
    )
    assert [e.global_position for e in rest.events] == [p + 4] and rest.next_position is None
    # By default the CB's list holds its directory entry's events too, in log order.
    everything = queries.list_events("cb-1")
    entry = [e for e in everything.events if isinstance(e, ReferenceEventView)]
    assert entry and all(e.certification_body_id == "cb-1" for e in entry)
    assert entry[0].source is Source.CERTIFICATION_BODY and entry[0].type == "Registered"
    positions = [e.global_position for e in everything.events]
    assert positions == sorted(positions) and positions[-3:] == [p + 1, p + 3, p + 4]
    directory = queries.list_events("cb-1", sources=[Source.CERTIFICATION_BODY])
    assert [e.global_position for e in directory.events] == [e.global_position for e in entry]


def test_an_issuance_report_on_a_day_as_known_at_an_instant(indexed):
    app, _, queries = indexed
    issue(app, "cb-1", "P-1", "One")
    issue(app, "cb-1", "P-2", "Two", standard="ISO 14001:2015")
    issue(app, "cb-1", "P-3", "Three", effective="2026-02-01")
    before_suspension = app.store.last_point().recorded_at
    app.suspend_certificate(
        CertificateRef("cb-1", "P-1"), WriteMeta("s", D("2025-06-01")), reason="r"
    )
    now = queries.issuance_report("cb-1", at=D("2025-12-31"))
    assert now.total == 2
    assert now.by_status == {Status.SUSPENDED: 1, Status.VALID: 1}
    assert now.by_standard == {
        "ISO 9001:2015": {Status.SUSPENDED: 1},
        "ISO 14001:2015": {Status.VALID: 1},
    }
    then = queries.issuance_report("cb-1", at=D("2025-12-31"), as_of=before_suspension)
    assert then.by_status == {Status.VALID: 2}
    assert queries.issuance_report("cb-1", at=D("2026-03-01")).total == 3


def test_name_candidates_are_found_whether_matches_are_dense_or_sparse(indexed, monkeypatch):
    """PostgreSQL tests a window of names in key order first, and asks the GIN index only
    when the window holds few matches: with tiny windows both ways are taken here."""
    from registry.projections import postgres

    monkeypatch.setattr(postgres, "DENSE_WINDOW", 4)
    monkeypatch.setattr(postgres, "DENSE_HITS", 2)
    app, _, queries = indexed
    names = [f"Alpha Works {n}" if n % 5 else f"Zeta Rare {n}" for n in range(23)]
    for n, name in enumerate(names):
        issue(app, "cb-1", f"D-{n}", name)
    day = D("2026-01-01")
    for query, expected in [
        ("alpha", [n for n in range(23) if n % 5]),  # dense: most windows hold matches
        ("zeta", [n for n in range(23) if n % 5 == 0]),  # sparse: the GIN index
        ("rare ze", [n for n in range(23) if n % 5 == 0]),
        ("works 1", [n for n in range(23) if n % 5 and str(n).startswith("1")]),
    ]:
        seen, key = [], 0
        while True:
            page = queries.search(
                SearchCriteria(organization_name=query), at=day, after_key=key, limit=3
            )
            seen += [int(r.certificate.certificate_number[2:]) for r in page.results]
            if page.next_key is None:
                break
            key = page.next_key
        assert sorted(seen) == expected, query


CHANGES = st.lists(
    st.tuples(
        st.sampled_from(
            ["surveil", "suspend", "reinstate", "scope", "holder", "withdraw", "renew", "retract"]
        ),
        st.integers(0, 880),  # days after 2024-01-01 (at most 90 days after today)
        st.integers(2, 14),  # the version a retraction takes back
    ),
    max_size=14,
)
_numbers = itertools.count()


def change(app: Registry, ref: CertificateRef, kind: str, day: date, version: int) -> None:
    meta = WriteMeta(f"{ref.certificate_number}-{next(_numbers)}", day)
    match kind:
        case "surveil":
            app.record_surveillance(ref, meta)
        case "suspend":
            app.suspend_certificate(ref, meta, reason="major NC")
        case "reinstate":
            app.reinstate_certificate(ref, meta)
        case "scope":
            app.change_scope(ref, meta, scope=f"widgets from {day}", sites=[], sector_codes=["28"])
        case "holder":
            app.change_holder_details(ref, meta, organization=Organization(f"Acme {day}", "", ""))
        case "withdraw":
            app.withdraw_certificate(ref, meta, reason="fraud")
        case "renew":
            app.renew_certificate(ref, meta, expiry_date=day + timedelta(days=3 * 365))
        case "retract":
            app.retract_event(ref, meta, version=version, reason="in error")


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(changes=CHANGES)
def test_the_periods_of_a_certificate_give_its_status_every_day_after_any_changes(indexed, changes):
    """Each change re-derives only the periods from its day on: together they still give,
    for every day, the status and the state a reading gives."""
    app, index, _ = indexed
    ref = CertificateRef("cb-1", f"M-{next(_numbers)}")
    issue(app, "cb-1", ref.certificate_number, "Acme", effective="2024-01-10", expiry="2027-01-09")
    for kind, offset, version in changes:
        with contextlib.suppress(RuleViolationError, NotFoundError):  # refused: no change
            change(app, ref, kind, D("2024-01-01") + timedelta(days=offset), version)
    deadline = time.monotonic() + 10
    while index_lag(index).positions and time.monotonic() < deadline:
        time.sleep(0.01)
    rows = index.view.current_periods(certificate_id("cb-1", ref.certificate_number))
    assert rows[0].start == FIRST_DAY and rows[-1].end == AFTER_LAST_DAY
    assert all(a.end == b.start for a, b in itertools.pairwise(rows))
    for row in rows:
        for ordinal in {max(row.start, D("2023-12-01").toordinal()), row.end - 1}:
            day = date.fromordinal(min(ordinal, D("2031-01-01").toordinal()))
            view = app.get_status(ref, at=day)
            assert view.details is not None
            assert (
                row.status,
                row.organization_name,
                row.scope,
                row.sector_codes,
                row.expiry,
            ) == (
                view.status.value,
                view.details.organization.name,
                view.details.scope,
                tuple(view.details.sector_codes),
                view.details.expiry_date.toordinal() if view.details.expiry_date else FIRST_DAY,
            ), day


def test_an_index_built_by_an_earlier_projection_is_built_again_when_it_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The audit rows of directory events came with version 2: an index an earlier
    registry kept lacks them, and is emptied to be built again from the log, once."""
    db = tmp_path / "registry.db"
    app = prepare_in_process(Registry(config.persistence_env(f"sqlite:///{db}"), clock=Clock()))
    index = open_index(app)
    try:
        issue(app, "cb-1", "E-1", "Alpha")

        def catch_up() -> dict[str, list[tuple[Any, ...]]]:
            """Run the index's runner (which first renews an older index) to the head."""
            runner = index.runner().start()
            try:
                head = app.store.last_point().position
                Queries(app, index.reader, wait=30)._caught_up(head)
                assert index.projection.position() == head
                return index.reader.rows()
            finally:
                runner.stop()

        def older_index(*, version_recorded: bool) -> None:
            """The directory's audit rows gone, as in an index of version 1."""
            with contextlib.closing(sqlite3.connect(db)) as connection, connection:
                connection.execute(f"DELETE FROM {EVENTS} WHERE type LIKE 'certification_body.%'")
                if not version_recorded:
                    connection.execute(f"DELETE FROM {META} WHERE key = 'index.version.2'")

        built = catch_up()
        registered = "certification_body.Registered"
        assert any(row[4] == registered for row in built[EVENTS])
        older_index(version_recorded=True)  # the version recorded is this one: kept
        assert renew_if_older(app, index.projection) is False
        assert not any(row[4] == registered for row in index.reader.rows()[EVENTS])
        older_index(version_recorded=False)
        with caplog.at_level(logging.WARNING):
            assert renew_if_older(app, index.projection) is True
        assert "built by an earlier version" in caplog.text
        assert index.projection.position() == 0
        assert renew_if_older(app, index.projection) is False  # once
        assert catch_up() == built
    finally:
        index.close()
        app.close()
