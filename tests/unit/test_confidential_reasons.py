"""A reason the CB marks confidential: kept by the events and the fold, read back from
events and snapshots stored before the flag existed (SPEC 3.2).

Who may read a confidential reason is decided at the server; here the reason is
always whole, with its flag beside it.
"""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)
from lifecycle import STANDARDS, D, context, issue

from registry.application.transcodings import DateAsISO
from registry.domain.certificate import Certificate


def mapper() -> Mapper[Any]:
    """The store's mapping of events to stored state and back (JSON, as the store's)."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def as_stored_before_the_flag(stored: StoredEvent, edit: Any) -> StoredEvent:
    """``stored`` with its state as the registry wrote it before the flag: ``edit``
    changes the decoded state, which is then encoded again."""
    codec = mapper().transcoder
    state = codec.decode(stored.state)
    edit(state)
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=codec.encode(state),
    )


ENDS = [("withdraw", "Withdrawn"), ("cancel", "Cancelled")]


def test_a_confidential_suspension_reason_is_kept_whole_with_its_flag():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="fraud inquiry", confidential=True)
    state = certificate.reading(D("2025-03-02"), STANDARDS).state
    assert state.suspension_reason == "fraud inquiry"
    assert state.suspension_reason_confidential is True


def test_a_suspension_reason_is_public_unless_marked():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="major NC")
    state = certificate.reading(D("2025-03-02"), STANDARDS).state
    assert (state.suspension_reason, state.suspension_reason_confidential) == ("major NC", False)


def test_reinstating_clears_the_flag_with_the_reason():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="fraud inquiry", confidential=True)
    certificate.reinstate(**context(D("2025-04-01")))
    state = certificate.reading(D("2025-04-02"), STANDARDS).state
    assert (state.suspension_reason, state.suspension_reason_confidential) == ("", False)


def test_a_later_public_suspension_replaces_an_earlier_confidential_one():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="fraud inquiry", confidential=True)
    certificate.reinstate(**context(D("2025-04-01")))
    certificate.suspend(**context(D("2025-05-01")), reason="late audit")
    state = certificate.reading(D("2025-05-02"), STANDARDS).state
    assert (state.suspension_reason, state.suspension_reason_confidential) == ("late audit", False)
    earlier = certificate.reading(D("2025-03-02"), STANDARDS).state
    assert earlier.suspension_reason_confidential is True


@pytest.mark.parametrize(("command", "kind"), ENDS)
def test_a_confidential_end_reason_is_kept_whole_with_its_flag(command, kind):
    certificate = issue()
    getattr(certificate, command)(
        **context(D("2025-03-01")), reason="client insolvent", confidential=True
    )
    state = certificate.reading(D("2025-03-02"), STANDARDS).state
    assert (state.end_reason, state.end_reason_confidential) == ("client insolvent", True)
    assert certificate.reading(D("2025-02-28"), STANDARDS).state.end_reason_confidential is False


@pytest.mark.parametrize(("command", "kind"), ENDS)
def test_an_end_reason_is_public_unless_marked(command, kind):
    certificate = issue()
    getattr(certificate, command)(**context(D("2025-03-01")), reason="end of contract")
    state = certificate.reading(D("2025-03-02"), STANDARDS).state
    assert state.end_reason_confidential is False


def test_the_flag_is_one_of_the_events_stored_fields_and_of_its_change():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="fraud inquiry", confidential=True)
    event = certificate.collect_events()[-1]
    assert isinstance(event, Certificate.Suspended)
    assert event.change()["confidential"] is True
    state = mapper().transcoder.decode(mapper().to_stored_event(event).state)
    assert state["confidential"] is True
    assert state["class_version"] == 2


@pytest.mark.parametrize(
    ("command", "fields"),
    [
        ("suspend", {"reason": "major NC", "review_by": D("2025-06-01")}),
        ("withdraw", {"reason": "misuse of the mark"}),
        ("cancel", {"reason": "end of contract"}),
    ],
)
def test_an_event_stored_before_the_flag_reads_back_as_public(command, fields):
    certificate = issue()
    getattr(certificate, command)(**context(D("2025-03-01")), **fields, confidential=True)
    stored = mapper().to_stored_event(certificate.collect_events()[-1])

    def version_1(state: dict[str, Any]) -> None:
        del state["confidential"], state["class_version"]

    old = as_stored_before_the_flag(stored, version_1)
    assert b"confidential" not in old.state and b"class_version" not in old.state
    event = mapper().to_domain_event(old)
    assert isinstance(event, Certificate.Event)
    assert event.confidential is False
    assert event.reason == fields["reason"]
    assert event.change()["confidential"] is False


def test_a_snapshot_taken_before_the_flag_restores_public_reasons():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="major NC")
    certificate.reinstate(**context(D("2025-04-01")))
    certificate.withdraw(**context(D("2025-05-01")), reason="misuse of the mark")
    stored = mapper().to_stored_event(Certificate.Snapshot.take(certificate))

    def without_flags(state: dict[str, Any]) -> None:
        for change in state["state"]["_changes"]:
            change.pop("confidential", None)

    old = as_stored_before_the_flag(stored, without_flags)
    assert b"confidential" not in old.state
    restored = mapper().to_domain_event(old).mutate(None)
    assert isinstance(restored, Certificate)
    suspended = restored.reading(D("2025-03-02"), STANDARDS).state
    assert (suspended.suspension_reason, suspended.suspension_reason_confidential) == (
        "major NC",
        False,
    )
    ended = restored.reading(D("2025-05-02"), STANDARDS).state
    assert (ended.end_reason, ended.end_reason_confidential) == ("misuse of the mark", False)
    assert restored.reading(D("2025-05-02"), STANDARDS) == certificate.reading(
        D("2025-05-02"), STANDARDS
    )
