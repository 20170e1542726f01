"""Warnings beside the status, at their boundaries."""

from __future__ import annotations

from datetime import date

from registry.domain.status import CertificateState, Status, Warning


def state(**changes: object) -> CertificateState:
    base = CertificateState(
        original_issue_date=date(2024, 1, 10),
        cycle_effective_date=date(2024, 1, 10),
        last_audit_date=date(2024, 1, 10),
        expiry_date=date(2027, 1, 9),
    )
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def test_surveillance_is_overdue_the_day_after_twelve_months():
    assert Warning.SURVEILLANCE_OVERDUE not in state().warnings_on(date(2025, 1, 10))
    assert Warning.SURVEILLANCE_OVERDUE in state().warnings_on(date(2025, 1, 11))


def test_a_suspension_is_overdue_after_six_months():
    suspended = state(suspended_since=date(2025, 3, 1), last_audit_date=date(2025, 1, 5))
    assert suspended.status_on(date(2025, 9, 1)) is Status.SUSPENDED
    assert Warning.SUSPENSION_OVERDUE not in suspended.warnings_on(date(2025, 9, 1))
    assert Warning.SUSPENSION_OVERDUE in suspended.warnings_on(date(2025, 9, 2))


def test_expiry_is_warned_of_from_90_days_ahead():
    assert Warning.EXPIRING_SOON not in state().warnings_on(date(2026, 10, 10))
    assert Warning.EXPIRING_SOON in state().warnings_on(date(2026, 10, 11))


def test_an_ended_or_expired_certificate_has_no_warnings():
    assert state().warnings_on(date(2027, 1, 10)) == []
    ended = state(ended=Status.WITHDRAWN, ended_on=date(2025, 1, 1))
    assert ended.warnings_on(date(2026, 12, 1)) == []


def test_a_transition_deadline_before_the_expiry_is_warned_of_from_90_days_ahead():
    deadline = state(standard_deadline=date(2025, 10, 31))
    assert Warning.EXPIRING_SOON not in deadline.warnings_on(date(2025, 8, 1))
    assert Warning.EXPIRING_SOON in deadline.warnings_on(date(2025, 8, 2))
    assert deadline.status_on(date(2025, 10, 31)) is Status.VALID
    assert deadline.status_on(date(2025, 11, 1)) is Status.EXPIRED


def test_a_transition_deadline_after_the_expiry_changes_nothing():
    later = state(standard_deadline=date(2028, 1, 1))
    assert Warning.EXPIRING_SOON not in later.warnings_on(date(2026, 10, 10))
    assert Warning.EXPIRING_SOON in later.warnings_on(date(2026, 10, 11))
