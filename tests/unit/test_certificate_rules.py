"""The Certificate aggregate's rules (SPEC 2.2), each at its boundary, with no application."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lifecycle import STANDARDS, TODAY, D, context, holder, issue, refuses, status

from registry.domain.certificate import Certificate
from registry.domain.status import Status, Warning
from registry.errors import NotFoundError

ONE_DAY = timedelta(days=1)

# Issue


def test_a_cycle_of_exactly_three_years_is_accepted():
    certificate = issue("2024-02-29", "2027-02-28")
    assert status(certificate, "2027-02-28") is Status.VALID
    assert status(certificate, "2027-03-01") is Status.EXPIRED


def test_a_cycle_one_day_longer_than_three_years_is_refused():
    refuses("cycle-at-most-3-years", None, lambda: issue("2024-02-29", "2027-03-01"))


def test_an_expiry_on_the_effective_date_is_refused_and_the_day_after_accepted():
    refuses("expiry-after-effective-date", None, lambda: issue("2024-01-10", "2024-01-10"))
    assert status(issue("2024-01-10", "2024-01-11"), "2024-01-11") is Status.VALID


def test_an_issue_90_days_ahead_is_accepted_and_91_refused():
    ahead = TODAY + 90 * ONE_DAY
    assert status(issue(str(ahead), "2029-12-31"), str(ahead)) is Status.VALID
    later = str(ahead + ONE_DAY)
    refuses("future-date-at-most-90-days", None, lambda: issue(later, "2029-12-31"))


def test_the_future_limit_counts_from_the_today_passed_in():
    issue("2030-03-01", "2032-12-31", today=D("2029-12-01"))
    refuses(
        "future-date-at-most-90-days",
        None,
        lambda: issue("2030-03-02", "2032-12-31", today=D("2029-12-01")),
    )


def test_an_edition_can_be_issued_on_its_transition_deadline_but_not_after():
    issue("2025-10-31", "2026-10-30", standard="ISO/IEC 27001:2013")
    refuses(
        "edition-past-transition-deadline",
        None,
        lambda: issue("2025-11-01", "2026-10-31", standard="ISO/IEC 27001:2013"),
    )


def test_a_plain_issue_cannot_name_a_certificate_it_replaces():
    with pytest.raises(TypeError):
        Certificate.issue(  # type: ignore[call-arg]
            **context(D("2024-01-10")),
            certification_body_id="cb-2",
            certificate_number="B-9",
            standard="ISO 9001:2015",
            expiry_date=D("2027-01-09"),
            replaces_certification_body_id="cb-1",
            replaces_certificate_number="Q-1",
            **holder(),
        )


def test_before_its_issue_a_certificate_is_not_yet_valid_but_shows_its_data():
    reading = issue("2024-01-10").reading(D("2024-01-09"), STANDARDS)
    assert reading.status is Status.NOT_YET_VALID
    assert reading.state.organization_name == "Acme GmbH"
    assert reading.warnings == []


# Every change: not before issue, nothing after the end, at most 90 days ahead


def test_a_change_on_the_issue_day_is_accepted_and_the_day_before_refused():
    certificate = issue("2024-01-10")
    refuses(
        "not-before-issue",
        certificate,
        lambda: certificate.record_surveillance(**context(D("2024-01-09"))),
    )
    certificate.record_surveillance(**context(D("2024-01-10")))
    assert certificate.version == 2


@pytest.mark.parametrize("end", ["withdraw", "cancel"])
def test_nothing_takes_effect_on_or_after_an_end_but_before_it_still_may(end):
    certificate = issue()
    getattr(certificate, end)(**context(D("2025-06-01")), reason="ended")
    for day in ("2025-06-01", "2025-06-02"):
        refuses(
            "nothing-after-end",
            certificate,
            lambda day=day: certificate.record_surveillance(**context(D(day))),
        )
    certificate.record_surveillance(**context(D("2025-05-31")))
    assert status(certificate, "2025-05-31") is Status.VALID
    assert status(certificate, "2025-06-01") is not Status.VALID


def test_a_change_90_days_ahead_of_today_is_accepted_and_91_refused():
    certificate = issue("2026-06-01", "2029-05-31")
    certificate.record_surveillance(**context(TODAY + 90 * ONE_DAY))
    refuses(
        "future-date-at-most-90-days",
        certificate,
        lambda: certificate.record_surveillance(**context(TODAY + 91 * ONE_DAY)),
    )


# Suspension and reinstatement


def test_only_a_valid_certificate_can_be_suspended():
    certificate = issue("2021-01-10", "2024-01-09")
    certificate.suspend(**context(D("2023-03-01")), reason="major NC")
    for day in ("2023-03-01", "2023-03-02"):  # already suspended, also the same day
        refuses(
            "suspend-only-valid",
            certificate,
            lambda day=day: certificate.suspend(**context(D(day)), reason="again"),
        )


def test_a_certificate_can_be_suspended_on_its_expiry_day_but_not_the_day_after():
    certificate = issue("2021-01-10", "2024-01-09")
    refuses(
        "suspend-only-valid",
        certificate,
        lambda: certificate.suspend(**context(D("2024-01-10")), reason="late"),
    )
    certificate.suspend(**context(D("2024-01-09")), reason="in time")
    assert status(certificate, "2024-01-09") is Status.SUSPENDED
    assert status(certificate, "2024-01-10") is Status.EXPIRED


def test_a_review_by_date_must_follow_the_suspension():
    certificate = issue()
    refuses(
        "review-by-after-effective-date",
        certificate,
        lambda: certificate.suspend(
            **context(D("2025-03-01")), reason="NC", review_by=D("2025-03-01")
        ),
    )
    certificate.suspend(**context(D("2025-03-01")), reason="NC", review_by=D("2025-03-02"))
    assert certificate.reading(D("2025-03-01"), STANDARDS).state.suspension_review_by == D(
        "2025-03-02"
    )


def test_a_suspension_needs_no_review_by_date():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="NC")
    assert status(certificate, "2025-03-01") is Status.SUSPENDED


def test_only_a_suspended_certificate_can_be_reinstated():
    certificate = issue()
    refuses(
        "reinstate-only-suspended",
        certificate,
        lambda: certificate.reinstate(**context(D("2025-03-01"))),
    )
    certificate.suspend(**context(D("2025-03-01")), reason="NC")
    certificate.reinstate(**context(D("2025-03-01")))
    assert status(certificate, "2025-03-01") is Status.VALID


def test_a_backdated_suspension_that_would_break_a_later_one_is_refused():
    certificate = issue()
    certificate.suspend(**context(D("2025-06-01")), reason="NC")
    certificate.reinstate(**context(D("2025-07-01")))
    message = refuses(
        "suspend-only-valid",
        certificate,
        lambda: certificate.suspend(**context(D("2025-03-01")), reason="earlier"),
    )
    assert "later event v2 Suspended" in message


# Withdrawal and cancellation


@pytest.mark.parametrize(("end", "ended"), [("withdraw", "WITHDRAWN"), ("cancel", "CANCELLED")])
def test_a_valid_certificate_can_be_ended(end, ended):
    certificate = issue()
    getattr(certificate, end)(**context(D("2025-06-01")), reason="ended")
    assert status(certificate, "2025-05-31") is Status.VALID
    assert status(certificate, "2025-06-01") is Status[ended]
    assert status(certificate, "2030-01-01") is Status[ended]


@pytest.mark.parametrize("end", ["withdraw", "cancel"])
def test_a_suspended_certificate_can_be_ended(end):
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="NC")
    getattr(certificate, end)(**context(D("2025-03-01")), reason="not resolved")
    assert status(certificate, "2025-03-01") not in (Status.VALID, Status.SUSPENDED)


@pytest.mark.parametrize("end", ["withdraw", "cancel"])
def test_a_certificate_can_be_ended_on_its_expiry_day_but_not_after(end):
    certificate = issue("2021-01-10", "2024-01-09")
    refuses(
        f"{end}-only-valid-or-suspended",
        certificate,
        lambda: getattr(certificate, end)(**context(D("2024-01-10")), reason="late"),
    )
    getattr(certificate, end)(**context(D("2024-01-09")), reason="in time")


@pytest.mark.parametrize("end", ["withdraw", "cancel"])
def test_a_certificate_past_its_editions_deadline_cannot_be_ended(end):
    certificate = issue(standard="ISO/IEC 27001:2013")
    refuses(
        f"{end}-only-valid-or-suspended",
        certificate,
        lambda: getattr(certificate, end)(**context(D("2025-11-01")), reason="late"),
    )
    getattr(certificate, end)(**context(D("2025-10-31")), reason="in time")


# Surveillance and scope change


def test_surveillance_is_accepted_while_suspended_and_up_to_the_expiry_day():
    certificate = issue("2021-01-10", "2024-01-09")
    certificate.suspend(**context(D("2023-01-01")), reason="NC")
    certificate.record_surveillance(**context(D("2023-02-01")))
    certificate.record_surveillance(**context(D("2024-01-09")))
    refuses(
        "certificate-must-be-in-force",
        certificate,
        lambda: certificate.record_surveillance(**context(D("2024-01-10"))),
    )


def test_a_scope_change_needs_a_certificate_in_force():
    certificate = issue("2021-01-10", "2024-01-09")

    def change(day: str) -> None:
        certificate.change_scope(
            **context(D(day)), scope="less", sites=[{"address": "Berlin"}], sector_codes=["17"]
        )

    refuses("certificate-must-be-in-force", certificate, lambda: change("2024-01-10"))
    change("2024-01-09")
    assert certificate.reading(D("2024-01-09"), STANDARDS).state.scope == "less"
    assert certificate.reading(D("2024-01-08"), STANDARDS).state.scope != "less"


# Renewal


def test_a_renewal_must_set_a_later_expiry():
    certificate = issue()
    refuses(
        "renewal-extends-expiry",
        certificate,
        lambda: certificate.renew(**context(D("2026-11-01")), expiry_date=D("2027-01-09")),
    )
    certificate.renew(**context(D("2026-11-01")), expiry_date=D("2027-01-10"))
    assert status(certificate, "2027-01-10") is Status.VALID


def test_a_renewal_may_set_the_current_expiry_plus_three_years_but_not_a_day_more():
    certificate = issue()
    refuses(
        "renewal-at-most-3-years-after-expiry",
        certificate,
        lambda: certificate.renew(**context(D("2026-11-01")), expiry_date=D("2030-01-10")),
    )
    certificate.renew(**context(D("2026-11-01")), expiry_date=D("2030-01-09"))


def test_an_early_recertification_chains_on_from_the_current_expiry():
    certificate = issue("2024-01-10", "2027-01-09")
    # Effective more than three years before the new expiry (17021-1 9.6.3.2.3).
    certificate.renew(**context(D("2026-10-01")), expiry_date=D("2030-01-09"))
    assert status(certificate, "2026-09-30") is Status.VALID
    assert status(certificate, "2027-01-10") is Status.VALID
    assert status(certificate, "2030-01-09") is Status.VALID
    assert status(certificate, "2030-01-10") is Status.EXPIRED
    state = certificate.reading(D("2027-06-01"), STANDARDS).state
    assert (state.cycle_effective_date, state.original_issue_date) == (
        D("2026-10-01"),
        D("2024-01-10"),
    )


def test_a_restoration_leaves_the_certificate_expired_until_it_takes_effect():
    certificate = issue("2021-01-10", "2024-01-09")
    certificate.renew(**context(D("2024-03-01")), expiry_date=D("2027-01-09"))
    assert status(certificate, "2024-01-09") is Status.VALID
    assert status(certificate, "2024-01-10") is Status.EXPIRED
    assert status(certificate, "2024-02-29") is Status.EXPIRED
    assert status(certificate, "2024-03-01") is Status.VALID
    assert status(certificate, "2027-01-09") is Status.VALID
    assert status(certificate, "2027-01-10") is Status.EXPIRED


def test_nothing_but_a_renewal_is_accepted_in_the_restoration_gap():
    certificate = issue("2021-01-10", "2024-01-09")
    certificate.renew(**context(D("2024-03-01")), expiry_date=D("2027-01-09"))
    refuses(
        "certificate-must-be-in-force",
        certificate,
        lambda: certificate.record_surveillance(**context(D("2024-02-01"))),
    )
    refuses(
        "suspend-only-valid",
        certificate,
        lambda: certificate.suspend(**context(D("2024-02-01")), reason="NC"),
    )


def test_a_restoration_keeps_the_prior_cycle_at_most_old_expiry_plus_three_years():
    certificate = issue("2021-01-10", "2024-01-09")
    refuses(
        "renewal-at-most-3-years-after-expiry",
        certificate,
        lambda: certificate.renew(**context(D("2024-07-01")), expiry_date=D("2027-01-10")),
    )
    certificate.renew(**context(D("2024-07-01")), expiry_date=D("2027-01-09"))


def test_a_restoration_must_expire_after_it_takes_effect():
    certificate = issue("2021-01-10", "2024-01-09")
    refuses(
        "expiry-after-effective-date",
        certificate,
        lambda: certificate.renew(**context(D("2024-05-01")), expiry_date=D("2024-05-01")),
    )


def test_a_certificate_can_be_restored_until_six_months_after_expiry_and_not_later():
    certificate = issue("2021-01-10", "2024-01-09")
    refuses(
        "renewal-within-6-months-of-expiry",
        certificate,
        lambda: certificate.renew(**context(D("2024-07-10")), expiry_date=D("2027-01-09")),
    )
    certificate.renew(**context(D("2024-07-09")), expiry_date=D("2027-01-09"))
    assert status(certificate, "2024-07-08") is Status.EXPIRED
    assert status(certificate, "2024-07-09") is Status.VALID


def test_a_renewal_after_the_editions_deadline_is_refused():
    certificate = issue("2024-01-10", "2025-12-31", standard="ISO/IEC 27001:2013")
    refuses(
        "edition-past-transition-deadline",
        certificate,
        lambda: certificate.renew(**context(D("2025-11-01")), expiry_date=D("2028-10-31")),
    )
    certificate.renew(**context(D("2025-10-31")), expiry_date=D("2026-06-30"))
    assert status(certificate, "2025-11-01") is Status.EXPIRED


# The edition's transition deadline


def test_a_certificate_expires_after_its_editions_transition_deadline():
    certificate = issue("2024-01-10", "2027-01-09", standard="ISO/IEC 27001:2013")
    assert status(certificate, "2025-10-31") is Status.VALID
    assert status(certificate, "2025-11-01") is Status.EXPIRED


def test_expiry_is_warned_of_from_90_days_before_the_transition_deadline():
    certificate = issue("2024-01-10", "2027-01-09", standard="ISO/IEC 27001:2013")
    certificate.record_surveillance(**context(D("2025-01-05")))
    assert certificate.reading(D("2025-08-01"), STANDARDS).warnings == []
    assert certificate.reading(D("2025-08-02"), STANDARDS).warnings == [Warning.EXPIRING_SOON]


# Retraction


def test_a_retracted_change_has_no_effect_and_names_its_retraction():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="wrong certificate")
    certificate.retract(**context(D("2025-03-05")), retracted_version=2, reason="error")
    assert status(certificate, "2025-03-20") is Status.VALID
    assert certificate.retractions() == {2: 3}
    assert certificate.reading(D("2025-03-20"), STANDARDS).version == 3


def test_the_version_before_a_retraction_still_shows_the_retracted_change():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="wrong certificate")
    certificate.retract(**context(D("2025-03-05")), retracted_version=2, reason="error")
    as_then = None
    for event in certificate.pending_events[:2]:
        as_then = event.mutate(as_then)
    assert isinstance(as_then, Certificate)
    assert status(as_then, "2025-03-20") is Status.SUSPENDED
    assert as_then.retractions() == {}


def test_the_issue_cannot_be_retracted():
    certificate = issue()
    certificate.record_surveillance(**context(D("2025-01-05")))
    message = refuses(
        "retract-only-published-changes",
        certificate,
        lambda: certificate.retract(**context(TODAY), retracted_version=1, reason="oops"),
    )
    assert "Issued" in message


def test_a_change_cannot_be_retracted_twice_nor_a_retraction_retracted():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="typo")
    certificate.retract(**context(TODAY), retracted_version=2, reason="wrong certificate")
    again = refuses(
        "retract-only-published-changes",
        certificate,
        lambda: certificate.retract(**context(TODAY), retracted_version=2, reason="again"),
    )
    assert "already retracted" in again
    undo = refuses(
        "retract-only-published-changes",
        certificate,
        lambda: certificate.retract(**context(TODAY), retracted_version=3, reason="undo"),
    )
    assert "Retracted" in undo


def test_retracting_a_version_the_certificate_does_not_have_is_not_found():
    certificate = issue()
    with pytest.raises(NotFoundError):
        certificate.retract(**context(TODAY), retracted_version=2, reason="typo")
    with pytest.raises(NotFoundError):
        certificate.retract(**context(TODAY), retracted_version=0, reason="typo")


def test_retracting_a_change_a_later_one_depends_on_is_refused():
    certificate = issue()
    certificate.suspend(**context(D("2025-03-01")), reason="NC")
    certificate.reinstate(**context(D("2025-04-01")))
    message = refuses(
        "reinstate-only-suspended",
        certificate,
        lambda: certificate.retract(**context(TODAY), retracted_version=2, reason="error"),
    )
    assert "retracting v2 would leave the later event v3 Reinstated" in message


def test_retracting_a_withdrawal_lets_later_changes_take_effect_again():
    certificate = issue()
    certificate.withdraw(**context(D("2025-06-01")), reason="wrong certificate")
    certificate.retract(**context(TODAY), retracted_version=2, reason="error")
    certificate.record_surveillance(**context(D("2025-07-01")))
    assert status(certificate, "2025-07-01") is Status.VALID


# Holder details


def test_holder_details_change_from_their_day_and_keep_what_is_not_given():
    certificate = issue()
    certificate.change_holder_details(**context(D("2025-01-01")), organization_name="Acme AG")
    before = certificate.reading(D("2024-12-31"), STANDARDS).state
    after = certificate.reading(D("2025-01-01"), STANDARDS).state
    assert (before.organization_name, after.organization_name) == ("Acme GmbH", "Acme AG")
    assert after.organization_country == "DE"
