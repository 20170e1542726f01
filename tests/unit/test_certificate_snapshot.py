"""A certificate's state is what a library snapshot keeps, and gives the same readings back.

The snapshot goes through the same mapper and JSON transcoder as the store
(tuples would come back as lists, int keys as strings, dates need their
transcoding), so what is restored is exactly what a loaded snapshot holds.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from lifecycle import STANDARDS, D, context, issue

from registry.application.transcodings import DateAsISO
from registry.domain import timeline
from registry.domain.certificate import Certificate, transfer
from registry.errors import NotFoundError, RuleViolationError


def round_trip(certificate: Certificate) -> Certificate:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[object] = Mapper(transcoder=transcoder)
    snapshot = Certificate.Snapshot.take(certificate)
    restored = mapper.to_domain_event(mapper.to_stored_event(snapshot)).mutate(None)
    assert isinstance(restored, Certificate)
    return restored


def lived() -> Certificate:
    """A certificate with every kind of change, a retraction and a restoration gap."""
    certificate = issue("2021-01-10", "2024-01-09")
    certificate.record_surveillance(**context(D("2022-01-05")))
    certificate.change_scope(
        **context(D("2022-06-01")),
        scope="Widgets and gadgets",
        sites=[{"address": "Berlin", "scope": ""}, {"address": "Hamburg", "scope": "gadgets"}],
        sector_codes=["17", "19"],
    )
    certificate.suspend(**context(D("2023-02-01")), reason="major NC", review_by=D("2023-05-01"))
    certificate.reinstate(**context(D("2023-04-01")))
    certificate.change_holder_details(**context(D("2023-06-01")), organization_name="Acme AG")
    certificate.record_surveillance(**context(D("2023-01-05")))
    certificate.retract(**context(D("2023-07-01")), retracted_version=7, reason="wrong date")
    certificate.renew(**context(D("2024-03-01")), expiry_date=D("2027-01-09"))
    certificate.suspend(**context(D("2025-02-01")), reason="late audit", review_by=None)
    return certificate


def days(first: str, last: str) -> list[date]:
    start = D(first)
    return [start + timedelta(days=n) for n in range((D(last) - start).days + 1)]


def test_a_restored_snapshot_holds_exactly_the_same_state():
    certificate = lived()
    certificate.reading(D("2024-01-01"), STANDARDS)  # builds the day segments
    restored = round_trip(certificate)
    assert restored.version == certificate.version == 10
    assert vars(restored) == {**vars(certificate), "_pending_events": []}


def test_a_restored_snapshot_gives_the_same_reading_every_day():
    certificate = lived()
    restored = round_trip(certificate)
    for day in days("2021-01-01", "2027-02-01"):
        assert restored.reading(day, STANDARDS) == certificate.reading(day, STANDARDS), day
    assert restored.retractions() == certificate.retractions() == {7: 8}


def test_a_restored_snapshot_takes_the_next_command_as_the_original_does():
    certificate = lived()
    restored = round_trip(certificate)
    step = context(D("2025-03-01"))
    for copy in (certificate, restored):
        copy.reinstate(**step)
    assert vars(restored) == {**vars(certificate), "_pending_events": restored.pending_events}
    assert restored.reading(D("2025-03-01"), STANDARDS) == certificate.reading(
        D("2025-03-01"), STANDARDS
    )


def test_both_sides_of_a_transfer_survive_a_snapshot():
    old = issue()
    new = transfer(
        old,
        **{**context(D("2025-05-01")), "actor": "cb-2"},
        certification_body_id="cb-2",
        certificate_number="B-9",
        organization_name="Acme GmbH",
        organization_country="DE",
        organization_address="Berlin",
        sites=[],
        standard="ISO 9001:2015",
        scope="widgets",
        sector_codes=[],
        expiry_date=D("2027-01-09"),
    )
    for certificate in (old, new):
        restored = round_trip(certificate)
        reading = restored.reading(D("2025-06-01"), STANDARDS)
        assert reading == certificate.reading(D("2025-06-01"), STANDARDS)
    assert round_trip(old).reading(D("2025-06-01"), STANDARDS).state.transferred_to == (
        "cb-2",
        "B-9",
    )
    assert round_trip(new).reading(D("2025-06-01"), STANDARDS).state.replaces == ("cb-1", "Q-1")


def test_a_snapshot_keeps_no_events_and_no_day_segments():
    certificate = lived()
    certificate.reading(D("2024-01-01"), STANDARDS)
    state = Certificate.Snapshot.take(certificate).state
    assert set(state) == {"_created_on", "_modified_on", "_changes", "_retractions"}
    assert all(isinstance(change, dict) for change in state["_changes"])
    assert [c["version"] for c in state["_changes"]] == [1, 2, 3, 4, 5, 6, 9, 10]


def test_readings_of_a_loaded_certificate_fold_its_timeline_once_then_follow_its_changes(
    monkeypatch: pytest.MonkeyPatch,
):
    certificate = round_trip(lived())
    builds: list[int] = []
    build = timeline.Segments.build.__func__

    def counted(cls: type[timeline.Segments], *args: object) -> timeline.Segments:
        builds.append(1)
        return build(cls, *args)

    monkeypatch.setattr(timeline.Segments, "build", classmethod(counted))
    for day in days("2021-01-01", "2026-12-31"):
        certificate.reading(day, STANDARDS)
    assert len(builds) == 1
    certificate.reinstate(**context(D("2025-03-01")))
    certificate.record_surveillance(**context(D("2024-06-01")))
    assert len(builds) == 1
    folded_afresh = round_trip(certificate)
    for day in days("2021-01-01", "2026-12-31"):
        assert certificate.reading(day, STANDARDS) == folded_afresh.reading(day, STANDARDS)
    assert certificate.periods(STANDARDS) == folded_afresh.periods(STANDARDS)
    assert len(builds) == 2  # the copy's, folded once


COMMANDS = st.lists(
    st.tuples(
        st.sampled_from(
            ["surveil", "suspend", "reinstate", "scope", "holder", "withdraw", "renew", "retract"]
        ),
        st.integers(0, 1500),  # days after 2021-01-01
        st.integers(1, 12),  # the version a retraction takes back
    ),
    max_size=25,
)


def command(certificate: Certificate, kind: str, day: date, version: int) -> None:
    step = context(day)
    match kind:
        case "surveil":
            certificate.record_surveillance(**step)
        case "suspend":
            certificate.suspend(**step, reason="major NC", review_by=None)
        case "reinstate":
            certificate.reinstate(**step)
        case "scope":
            certificate.change_scope(
                **step, scope=f"widgets from {day}", sites=[], sector_codes=["17"]
            )
        case "holder":
            certificate.change_holder_details(**step, organization_name=f"Acme {day}")
        case "withdraw":
            certificate.withdraw(**step, reason="fraud")
        case "renew":
            certificate.renew(**step, expiry_date=day + timedelta(days=3 * 365))
        case "retract":
            certificate.retract(**step, retracted_version=version, reason="in error")


@settings(max_examples=150, deadline=None)
@given(COMMANDS)
def test_day_segments_followed_across_changes_are_those_folded_afresh(commands):
    certificate = issue("2021-01-10", "2024-01-09")
    for kind, offset, version in commands:
        day = D("2021-01-01") + timedelta(days=offset)
        before = certificate.periods(STANDARDS)  # folded: the change is followed from them
        try:
            command(certificate, kind, day, version)
        except (RuleViolationError, NotFoundError):
            assert certificate.periods(STANDARDS) == before
            continue
        after = round_trip(certificate).periods(STANDARDS)
        assert certificate.periods(STANDARDS) == after
        if kind != "retract":
            # What a change effective on a day can change: the periods from the last one
            # starting before it on; the earlier ones are as they were.
            since = certificate.periods(STANDARDS, since=day)
            start = since[0].start
            kept = [p for p in before if start and (p.start is None or p.start < start)]
            assert kept + since == after
