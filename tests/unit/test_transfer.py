"""A transfer (IAF MD 2): one command for the receiving CB, checked on both certificates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from lifecycle import STANDARDS, TODAY, D, context, holder, issue, refuses, status

from registry.domain.certificate import Certificate, transfer
from registry.domain.status import Status


def move(
    old: Certificate,
    day: str = "2025-05-01",
    expiry: str = "2027-01-09",
    *,
    cb: str = "cb-2",
    number: str = "B-9",
    standard: str = "ISO 9001:2015",
    **overrides: Any,
) -> Certificate:
    """``old`` transferred to ``cb``'s certificate ``number`` from ``day``."""
    fields = {
        **context(D(day)),
        "actor": cb,
        "certification_body_id": cb,
        "certificate_number": number,
        "standard": standard,
        "expiry_date": D(expiry),
        **holder(),
        **overrides,
    }
    return transfer(old, **fields)


def test_a_transfer_ends_the_old_certificate_and_starts_the_new_on_the_same_day():
    old = issue()
    new = move(old, "2025-05-01")
    assert (status(old, "2025-04-30"), status(old, "2025-05-01")) == (
        Status.VALID,
        Status.TRANSFERRED,
    )
    assert (status(new, "2025-04-30"), status(new, "2025-05-01")) == (
        Status.NOT_YET_VALID,
        Status.VALID,
    )
    assert new.id != old.id


def test_both_histories_name_each_other():
    old = issue()
    new = move(old)
    transferred_out = old.pending_events[-1]
    assert isinstance(transferred_out, Certificate.TransferredOut)
    assert (
        transferred_out.to_certification_body_id,
        transferred_out.to_certificate_number,
    ) == ("cb-2", "B-9")
    (issued,) = new.pending_events
    assert isinstance(issued, Certificate.Issued)
    assert (issued.replaces_certification_body_id, issued.replaces_certificate_number) == (
        "cb-1",
        "Q-1",
    )
    assert old.reading(D("2025-06-01"), STANDARDS).state.transferred_to == ("cb-2", "B-9")
    assert new.reading(D("2025-06-01"), STANDARDS).state.replaces == ("cb-1", "Q-1")


def test_the_new_certificate_may_keep_the_old_expiry_but_not_go_past_it():
    old = issue()
    refuses("transfer-expiry-at-most-replaced-expiry", old, lambda: move(old, expiry="2027-01-10"))
    assert status(move(old, expiry="2027-01-09"), "2027-01-09") is Status.VALID


def test_the_cycle_continues_from_a_renewal_in_effect_on_the_transfer_day():
    old = issue()
    old.renew(**context(D("2025-04-01")), expiry_date=D("2028-01-09"))
    new = move(old, "2025-05-01", "2028-01-09")
    assert status(new, "2028-01-09") is Status.VALID


def test_the_new_certificate_must_expire_after_the_transfer_day():
    old = issue()
    refuses(
        "expiry-after-effective-date",
        old,
        lambda: move(old, "2025-05-01", "2025-05-01"),
    )


def test_the_usual_issue_rules_apply_to_the_new_certificate():
    old = issue()
    old.renew(**context(D("2026-12-01")), expiry_date=D("2030-01-09"))
    refuses(
        "cycle-at-most-3-years",
        old,
        lambda: move(old, "2026-12-15", "2030-01-09"),
    )
    move(old, "2026-12-15", "2029-12-15")


def test_a_transfer_from_the_same_cb_is_refused():
    old = issue()
    refuses("transfer-from-another-cb", old, lambda: move(old, cb="cb-1", number="Q-2"))


def test_a_transfer_to_another_standard_is_refused():
    old = issue()
    refuses("transfer-same-standard", old, lambda: move(old, standard="ISO 14001:2015"))


def test_a_transfer_to_the_same_edition_spelled_otherwise_is_accepted():
    new = move(issue(), standard="  iso 9001:2015")
    assert new.reading(D("2025-06-01"), STANDARDS).state.standard == "ISO 9001:2015"


def test_a_suspended_certificate_cannot_be_transferred_until_reinstated():
    old = issue()
    old.suspend(**context(D("2025-03-01")), reason="NC")
    refuses("no-transfer-while-suspended", old, lambda: move(old, "2025-03-10"))
    old.reinstate(**context(D("2025-04-01")))
    refuses("no-transfer-while-suspended", old, lambda: move(old, "2025-03-31"))
    move(old, "2025-04-01")


def test_a_certificate_can_be_transferred_on_its_last_valid_day_but_not_once_expired():
    old = issue("2021-01-10", "2024-01-09")
    refuses("transfer-only-valid", old, lambda: move(old, "2024-01-10", "2024-01-11"))
    move(old, "2024-01-08", "2024-01-09")


@pytest.mark.parametrize("end", ["withdraw", "cancel"])
def test_an_ended_certificate_cannot_be_transferred(end):
    old = issue()
    getattr(old, end)(**context(D("2025-03-01")), reason="ended")
    refuses("transfer-only-valid", old, lambda: move(old, "2025-03-01"))


def test_a_certificate_cannot_be_transferred_twice():
    old = issue()
    move(old, "2025-05-01")
    refuses("transfer-only-valid", old, lambda: move(old, "2025-06-01", cb="cb-3"))


def test_a_backdated_transfer_must_not_leave_a_later_change_after_the_end():
    old = issue()
    old.record_surveillance(**context(D("2025-06-01")))
    message = refuses("nothing-after-end", old, lambda: move(old, "2025-05-01"))
    assert "later event v2 SurveillancePassed" in message
    move(old, "2025-06-01")


def test_a_transfer_before_the_old_certificate_was_issued_is_refused():
    old = issue("2024-01-10")
    refuses("transfer-only-valid", old, lambda: move(old, "2024-01-09"))


def test_a_transfer_takes_effect_at_most_90_days_ahead_of_today():
    old = issue("2026-06-01", "2029-05-31")
    ahead = TODAY + timedelta(days=90)
    refuses(
        "future-date-at-most-90-days",
        old,
        lambda: move(old, str(ahead + timedelta(days=1)), "2029-05-31"),
    )
    move(old, str(ahead), "2029-05-31")
