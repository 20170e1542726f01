"""Confidential reasons through the application, on each backend: the use cases take the
flag, the status and history views carry it beside the whole reason, and events stored
before the flag existed read back as public."""

from __future__ import annotations

from datetime import date

import pytest

from registry.application.registry import Registry
from registry.application.views import (
    CancelledPayload,
    CertificateRef,
    Organization,
    Site,
    SuspendedPayload,
    WithdrawnPayload,
    WriteMeta,
)
from registry.domain.certificate import Certificate, certificate_id
from registry.domain.status import Status
from registry.errors import InvalidInputError

REF = CertificateRef("cb-1", "Q-1")
D = date.fromisoformat


def issue(app: Registry, ref: CertificateRef = REF) -> None:
    app.issue_certificate(
        ref,
        WriteMeta(f"issue-{ref.certificate_number}", D("2024-01-10")),
        organization=Organization("Acme GmbH", "DE", "Berlin"),
        sites=[Site("Berlin", "")],
        standard="ISO 9001:2015",
        scope="widgets",
        sector_codes=["17"],
        expiry_date=D("2027-01-09"),
    )


def test_a_confidential_suspension_shows_its_reason_and_flag_in_the_status_view(app):
    issue(app)
    app.suspend_certificate(
        REF, WriteMeta("s", D("2025-03-01")), reason="fraud inquiry", confidential=True
    )
    view = app.get_status(REF, at=D("2025-03-02"))
    assert view.status is Status.SUSPENDED
    assert view.details is not None
    assert view.details.suspension_reason == "fraud inquiry"
    assert view.details.suspension_reason_confidential is True


def test_a_suspension_not_marked_is_public_in_the_status_view(app):
    issue(app)
    app.suspend_certificate(REF, WriteMeta("s", D("2025-03-01")), reason="major NC")
    details = app.get_status(REF, at=D("2025-03-02")).details
    assert details is not None
    assert (details.suspension_reason, details.suspension_reason_confidential) == (
        "major NC",
        False,
    )


@pytest.mark.parametrize("use_case", ["withdraw_certificate", "cancel_certificate"])
@pytest.mark.parametrize("confidential", [True, False])
def test_an_end_reason_carries_the_flag_it_was_given(app, use_case, confidential):
    issue(app)
    getattr(app, use_case)(
        REF, WriteMeta("e", D("2025-03-01")), reason="client insolvent", confidential=confidential
    )
    details = app.get_status(REF, at=D("2025-03-02")).details
    assert details is not None
    assert (details.end_reason, details.end_reason_confidential) == (
        "client insolvent",
        confidential,
    )


def test_history_payloads_carry_the_flag_beside_the_whole_reason(app):
    issue(app)
    issue(app, CertificateRef("cb-1", "Q-2"))
    app.suspend_certificate(
        REF, WriteMeta("s", D("2025-03-01")), reason="fraud inquiry", confidential=True
    )
    app.withdraw_certificate(REF, WriteMeta("w", D("2025-04-01")), reason="misuse of the mark")
    app.cancel_certificate(
        CertificateRef("cb-1", "Q-2"),
        WriteMeta("c", D("2025-04-01")),
        reason="client insolvent",
        confidential=True,
    )
    _, suspended, withdrawn = app.get_history(REF).events
    _, cancelled = app.get_history(CertificateRef("cb-1", "Q-2")).events
    assert suspended.payload == SuspendedPayload("fraud inquiry", None, confidential=True)
    assert withdrawn.payload == WithdrawnPayload("misuse of the mark", confidential=False)
    assert cancelled.payload == CancelledPayload("client insolvent", confidential=True)


def test_the_global_log_keeps_the_flag(app):
    issue(app)
    app.suspend_certificate(
        REF, WriteMeta("s", D("2025-03-01")), reason="fraud inquiry", confidential=True
    )
    payloads = [view.payload for view in app.read_log(0, 500).events]
    assert SuspendedPayload("fraud inquiry", None, confidential=True) in payloads


def test_a_retry_is_recognised_only_with_the_same_flag(app):
    issue(app)
    meta = WriteMeta("s", D("2025-03-01"))
    first = app.suspend_certificate(REF, meta, reason="fraud inquiry", confidential=True)
    assert app.suspend_certificate(REF, meta, reason="fraud inquiry", confidential=True) == first
    with pytest.raises(InvalidInputError, match="request_id was already used"):
        app.suspend_certificate(REF, meta, reason="fraud inquiry")


def test_a_suspension_stored_before_the_flag_reads_back_as_public(app):
    """An event of class version 1 (no ``confidential``, no ``class_version`` in its
    state), put into the store through the recorder, as an earlier registry wrote it."""
    issue(app)
    event = Certificate.Suspended(
        originator_id=certificate_id(REF.certification_body_id, REF.certificate_number),
        originator_version=2,
        timestamp=app.now(),
        effective_date=D("2025-03-01"),
        actor="cb:cb-1",
        request_id="old-suspension",
        reason="major NC",
        review_by=D("2025-06-01"),
        confidential=True,
    )
    stored = app.mapper.to_stored_event(event)
    codec = app.mapper.transcoder
    state = codec.decode(stored.state)
    del state["confidential"], state["class_version"]
    stored = type(stored)(stored.originator_id, 2, stored.topic, codec.encode(state))
    app.recorder.insert_events([stored])

    details = app.get_status(REF, at=D("2025-03-02")).details
    assert details is not None
    assert (details.suspension_reason, details.suspension_reason_confidential) == (
        "major NC",
        False,
    )
    assert app.get_history(REF).events[-1].payload == SuspendedPayload(
        "major NC", D("2025-06-01"), confidential=False
    )
    app.reinstate_certificate(REF, WriteMeta("r", D("2025-04-01")))  # writes go on from it
    assert app.get_status(REF, at=D("2025-04-02")).status is Status.VALID
