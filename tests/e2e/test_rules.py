"""Every lifecycle rule of SPEC 2.2, accepted and rejected over the wire.

Each rejection is FAILED_PRECONDITION naming the rule, and appends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import grpc
import pytest

from registry.client import RegistryClient, RegistryClientError
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat


def version_of(client: RegistryClient, number: str = "Q-1") -> int:
    return int(client.get_certificate_status("cb-1", number).version)


def status_on(client: RegistryClient, day: str, number: str = "Q-1") -> str:
    status = client.get_certificate_status("cb-1", number, at=D(day)).status
    return pb.CertificateStatus.Name(status).removeprefix("CERTIFICATE_STATUS_")


def assert_rejected(
    client: RegistryClient, rule: str, call: Callable[[], object], number: str = "Q-1"
) -> None:
    before = version_of(client, number)
    with pytest.raises(RegistryClientError) as caught:
        call()
    assert caught.value.code is grpc.StatusCode.FAILED_PRECONDITION
    assert rule in caught.value.message
    assert version_of(client, number) == before, "a rejected command appended an event"


def test_issuing_with_a_cycle_of_exactly_three_years_is_accepted(client, issue):
    assert issue(effective="2024-02-29", expiry="2027-02-28") == 1


def test_issuing_with_a_cycle_longer_than_three_years_is_rejected(client):
    with pytest.raises(RegistryClientError) as caught:
        client.issue_certificate(
            "cb-1",
            "Q-1",
            organization=pb.Organization(name="Acme", country="DE", address="Berlin"),
            standard="ISO 9001:2015",
            scope="widgets",
            expiry_date=D("2027-01-11"),
            effective_date=D("2024-01-10"),
        )
    assert caught.value.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "cycle-at-most-3-years" in caught.value.message
    assert client.get_certificate_status("cb-1", "Q-1").status == pb.CERTIFICATE_STATUS_UNKNOWN


def test_issuing_with_expiry_on_the_effective_date_is_rejected(client):
    with pytest.raises(RegistryClientError) as caught:
        client.issue_certificate(
            "cb-1",
            "Q-1",
            organization=pb.Organization(name="Acme", country="DE", address="Berlin"),
            standard="ISO 9001:2015",
            scope="widgets",
            expiry_date=D("2024-01-10"),
            effective_date=D("2024-01-10"),
        )
    assert caught.value.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "expiry-after-effective-date" in caught.value.message


def test_a_change_on_the_issue_day_is_accepted_and_the_day_before_rejected(client, issue):
    issue()
    assert_rejected(
        client,
        "not-before-issue",
        lambda: client.record_surveillance("cb-1", "Q-1", effective_date=D("2024-01-09")),
    )
    client.record_surveillance("cb-1", "Q-1", effective_date=D("2024-01-10"))
    assert version_of(client) == 2


def test_nothing_takes_effect_after_a_withdrawal_but_before_it_still_may(client, issue):
    issue()
    client.withdraw_certificate("cb-1", "Q-1", reason="fraud", effective_date=D("2025-06-01"))
    assert_rejected(
        client,
        "nothing-after-end",
        lambda: client.record_surveillance("cb-1", "Q-1", effective_date=D("2025-06-02")),
    )
    client.record_surveillance("cb-1", "Q-1", effective_date=D("2025-01-05"))
    assert status_on(client, "2025-05-31") == "VALID"
    assert status_on(client, "2025-06-01") == "WITHDRAWN"


def test_nothing_takes_effect_after_a_cancellation(client, issue):
    issue()
    client.cancel_certificate(
        "cb-1", "Q-1", reason="contract ended", effective_date=D("2025-06-01")
    )
    assert_rejected(
        client,
        "nothing-after-end",
        lambda: client.suspend_certificate(
            "cb-1", "Q-1", reason="late", effective_date=D("2025-07-01")
        ),
    )
    assert status_on(client, "2025-07-01") == "CANCELLED"


def test_nothing_takes_effect_after_a_transfer(client, issue):
    issue()
    client.transfer_certificate(
        "cb-2",
        "B-9",
        from_certification_body_id="cb-1",
        from_certificate_number="Q-1",
        organization=pb.Organization(name="Acme GmbH", country="DE", address="Berlin"),
        standard="ISO 9001:2015",
        scope="widgets",
        expiry_date=D("2027-01-09"),
        effective_date=D("2025-06-01"),
    )
    assert_rejected(
        client,
        "nothing-after-end",
        lambda: client.change_holder_details(
            "cb-1", "Q-1", name="Acme AG", effective_date=D("2025-06-10")
        ),
    )
    assert status_on(client, "2025-06-01") == "TRANSFERRED"


def test_only_a_valid_certificate_can_be_suspended(client, issue):
    issue()
    client.suspend_certificate("cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"))
    assert_rejected(
        client,
        "suspend-only-valid",
        lambda: client.suspend_certificate(
            "cb-1", "Q-1", reason="again", effective_date=D("2025-03-05")
        ),
    )
    assert_rejected(
        client,
        "suspend-only-valid",
        lambda: client.suspend_certificate(
            "cb-1", "Q-1", reason="same day", effective_date=D("2025-03-01")
        ),
    )


def test_an_expired_certificate_cannot_be_suspended(client, issue):
    issue(effective="2021-01-10", expiry="2024-01-09")
    assert_rejected(
        client,
        "suspend-only-valid",
        lambda: client.suspend_certificate(
            "cb-1", "Q-1", reason="late", effective_date=D("2024-01-10")
        ),
    )
    client.suspend_certificate("cb-1", "Q-1", reason="in time", effective_date=D("2024-01-09"))


def test_only_a_suspended_certificate_can_be_reinstated(client, issue):
    issue()
    assert_rejected(
        client,
        "reinstate-only-suspended",
        lambda: client.reinstate_certificate("cb-1", "Q-1", effective_date=D("2025-03-01")),
    )
    client.suspend_certificate("cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"))
    client.reinstate_certificate("cb-1", "Q-1", effective_date=D("2025-03-01"))
    assert status_on(client, "2025-03-01") == "VALID"


def test_surveillance_and_scope_change_need_a_certificate_in_force(client, issue):
    issue(effective="2021-01-10", expiry="2024-01-09")
    client.suspend_certificate("cb-1", "Q-1", reason="NC", effective_date=D("2023-01-01"))
    client.record_surveillance("cb-1", "Q-1", effective_date=D("2023-02-01"))  # suspended is fine
    assert_rejected(
        client,
        "certificate-must-be-in-force",
        lambda: client.record_surveillance("cb-1", "Q-1", effective_date=D("2024-01-10")),
    )
    assert_rejected(
        client,
        "certificate-must-be-in-force",
        lambda: client.change_scope("cb-1", "Q-1", scope="less", effective_date=D("2024-01-10")),
    )


def test_renewal_must_extend_the_expiry_within_three_years_of_the_current_one(client, issue):
    issue()
    assert_rejected(
        client,
        "renewal-extends-expiry",
        lambda: client.renew_certificate(
            "cb-1", "Q-1", expiry_date=D("2027-01-09"), effective_date=D("2026-11-01")
        ),
    )
    assert_rejected(
        client,
        "renewal-at-most-3-years-after-expiry",
        lambda: client.renew_certificate(
            "cb-1", "Q-1", expiry_date=D("2030-01-10"), effective_date=D("2026-11-01")
        ),
    )
    # An early recertification chains on from the current expiry (17021-1 9.6.3.2.3).
    client.renew_certificate(
        "cb-1", "Q-1", expiry_date=D("2030-01-09"), effective_date=D("2026-11-01")
    )
    assert status_on(client, "2030-01-09") == "VALID"


def test_an_expired_certificate_is_restored_within_six_months_with_a_gap(client, issue):
    issue(effective="2021-01-10", expiry="2024-01-09")
    client.renew_certificate(
        "cb-1", "Q-1", expiry_date=D("2027-01-09"), effective_date=D("2024-07-09")
    )
    assert status_on(client, "2024-01-09") == "VALID"
    assert status_on(client, "2024-03-01") == "EXPIRED"
    assert status_on(client, "2024-07-09") == "VALID"


def test_a_certificate_expired_more_than_six_months_cannot_be_renewed(client, issue):
    issue(effective="2021-01-10", expiry="2024-01-09")
    assert_rejected(
        client,
        "renewal-within-6-months-of-expiry",
        lambda: client.renew_certificate(
            "cb-1", "Q-1", expiry_date=D("2027-01-09"), effective_date=D("2024-07-10")
        ),
    )


def test_effective_dates_may_lie_at_most_90_days_ahead(client, issue):
    today = datetime.now(UTC).date()
    issue(effective=str(today - timedelta(days=30)), expiry=str(today + timedelta(days=700)))
    assert_rejected(
        client,
        "future-date-at-most-90-days",
        lambda: client.record_surveillance(
            "cb-1", "Q-1", effective_date=today + timedelta(days=91)
        ),
    )
    client.record_surveillance("cb-1", "Q-1", effective_date=today + timedelta(days=90))
    assert version_of(client) == 2


def test_an_edition_past_its_transition_deadline_expires_and_cannot_be_issued(client, issue):
    issue(standard="ISO/IEC 27001:2013", effective="2024-01-10", expiry="2027-01-09")
    assert status_on(client, "2025-10-31") == "VALID"
    assert status_on(client, "2025-11-01") == "EXPIRED"
    with pytest.raises(RegistryClientError) as caught:
        issue("Q-2", standard="ISO/IEC 27001:2013", effective="2025-11-01", expiry="2028-10-31")
    assert caught.value.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "edition-past-transition-deadline" in caught.value.message


def test_a_backdated_change_that_would_break_a_later_event_is_rejected(client, issue):
    issue()
    client.suspend_certificate("cb-1", "Q-1", reason="NC", effective_date=D("2025-06-01"))
    client.reinstate_certificate("cb-1", "Q-1", effective_date=D("2025-07-01"))
    # Suspending from March would make the June suspension suspend a suspended certificate.
    assert_rejected(
        client,
        "suspend-only-valid",
        lambda: client.suspend_certificate(
            "cb-1", "Q-1", reason="earlier", effective_date=D("2025-03-01")
        ),
    )


def test_the_issue_and_a_retraction_cannot_be_retracted_nor_an_event_twice(client, issue):
    issue()
    client.suspend_certificate("cb-1", "Q-1", reason="typo", effective_date=D("2025-03-01"))
    assert_rejected(
        client,
        "retract-only-published-changes",
        lambda: client.retract_event("cb-1", "Q-1", event_version=1, reason="oops"),
    )
    client.retract_event("cb-1", "Q-1", event_version=2, reason="wrong certificate")
    assert_rejected(
        client,
        "retract-only-published-changes",
        lambda: client.retract_event("cb-1", "Q-1", event_version=2, reason="again"),
    )
    assert_rejected(
        client,
        "retract-only-published-changes",
        lambda: client.retract_event("cb-1", "Q-1", event_version=3, reason="undo"),
    )


def test_retracting_an_event_a_later_one_depends_on_is_rejected(client, issue):
    issue()
    client.suspend_certificate("cb-1", "Q-1", reason="NC", effective_date=D("2025-03-01"))
    client.reinstate_certificate("cb-1", "Q-1", effective_date=D("2025-04-01"))
    assert_rejected(
        client,
        "reinstate-only-suspended",
        lambda: client.retract_event("cb-1", "Q-1", event_version=2, reason="error"),
    )
