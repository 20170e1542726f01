"""The lifecycle rules of ISO/IEC 17021-1 and IAF MD 2 (SPEC 2.2), each with its name.

``check_change`` gets the state the timeline leaves just before a change, on
the change's effective date, and raises ``RuleViolationError`` naming the rule
the change would break. The certificate runs it on a new change and on every
later one, so a backdated change is checked against what was true on its day
and must not make any later change wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from registry.domain.dates import add_months, add_years
from registry.domain.standards import same_designation
from registry.domain.status import CertificateState, Status
from registry.domain.timeline import Change
from registry.errors import RuleViolationError

MAX_FUTURE_DAYS = 90
MAX_CYCLE_YEARS = 3
RESTORE_WINDOW_MONTHS = 6
NOT_IN_FORCE = (Status.WITHDRAWN, Status.CANCELLED, Status.TRANSFERRED, Status.EXPIRED)


def check_change(state: CertificateState, change: Change, issued_on: date) -> None:
    """Every rule ``change`` must keep, given ``state`` just before it."""
    if change["kind"] != "Issued":
        _check_within_life(state, change, issued_on)
    _CHECKS[change["kind"]](state, change)


def check_not_too_far_ahead(effective: date, today: date) -> None:
    latest = today + timedelta(days=MAX_FUTURE_DAYS)
    if effective > latest:
        raise RuleViolationError(
            "future-date-at-most-90-days",
            f"effective date {effective} is more than {MAX_FUTURE_DAYS} days ahead "
            f"(latest allowed {latest})",
        )


def check_edition_current(standard: str, deadline: date | None, day: date) -> None:
    if deadline is not None and day > deadline:
        raise RuleViolationError(
            "edition-past-transition-deadline",
            f"certificates to {standard} are no longer valid after {deadline}; "
            "certify to the current edition",
        )


def check_transfer(
    replaced: CertificateState,
    day: date,
    *,
    certification_body_id: str,
    standard: str,
    expiry_date: date,
) -> None:
    """IAF MD 2: what a transfer needs of the certificate it replaces, on the transfer day."""
    if certification_body_id == replaced.certification_body_id:
        raise RuleViolationError(
            "transfer-from-another-cb",
            f"a transfer moves a certificate from another certification body; "
            f"{replaced.certificate_number} is already {certification_body_id}'s",
        )
    if not same_designation(standard, replaced.standard):
        raise RuleViolationError(
            "transfer-same-standard",
            f"the replaced certificate is to {replaced.standard}, not {standard}",
        )
    check_transferable(replaced, day)
    assert replaced.expiry_date is not None  # a valid certificate has an expiry date
    if expiry_date > replaced.expiry_date:
        raise RuleViolationError(
            "transfer-expiry-at-most-replaced-expiry",
            f"a transfer continues the cycle: the expiry {expiry_date} must not be later "
            f"than the replaced certificate's {replaced.expiry_date} (renew it afterwards)",
        )


def check_transferable(state: CertificateState, day: date) -> None:
    status = state.status_on(day)
    if status is Status.SUSPENDED:
        raise RuleViolationError(
            "no-transfer-while-suspended",
            f"a suspended certificate cannot be transferred (IAF MD 2); it is suspended on {day}",
        )
    if status is not Status.VALID:
        raise RuleViolationError(
            "transfer-only-valid",
            f"only a valid certificate can be transferred; on {day} it is {status.value}",
        )


def _check_within_life(state: CertificateState, change: Change, issued_on: date) -> None:
    day = change["effective_date"]
    if day < issued_on:
        raise RuleViolationError(
            "not-before-issue",
            f"{change['kind']} effective {day} is before the certificate's issue on {issued_on}",
        )
    if state.ended is not None:
        raise RuleViolationError(
            "nothing-after-end",
            f"{change['kind']} effective {day} follows the certificate's "
            f"{state.ended.value.lower()} status from {state.ended_on}",
        )


def _check_issued(state: CertificateState, change: Change) -> None:
    effective, expiry = change["effective_date"], change["expiry_date"]
    _check_expiry_after(effective, expiry, "issue")
    limit = add_years(effective, MAX_CYCLE_YEARS)
    if expiry > limit:
        raise RuleViolationError(
            "cycle-at-most-3-years",
            f"the issue's expiry {expiry} is more than {MAX_CYCLE_YEARS} years after "
            f"{effective} (latest allowed {limit})",
        )


def _check_in_force(what: str) -> Callable[[CertificateState, Change], None]:
    def check(state: CertificateState, change: Change) -> None:
        day = change["effective_date"]
        status = state.status_on(day)
        if status in NOT_IN_FORCE:
            raise RuleViolationError(
                "certificate-must-be-in-force",
                f"a {what} needs a certificate that is not withdrawn, cancelled, transferred "
                f"or expired; on {day} it is {status.value}",
            )

    return check


def _check_suspended(state: CertificateState, change: Change) -> None:
    day, review_by = change["effective_date"], change["review_by"]
    status = state.status_on(day)
    if status is not Status.VALID:
        raise RuleViolationError(
            "suspend-only-valid",
            f"only a valid certificate can be suspended; on {day} it is {status.value}",
        )
    if review_by is not None and review_by <= day:
        raise RuleViolationError(
            "review-by-after-effective-date",
            f"a suspension's review-by date {review_by} must be after its effective date {day}",
        )


def _check_reinstated(state: CertificateState, change: Change) -> None:
    day = change["effective_date"]
    status = state.status_on(day)
    if status is not Status.SUSPENDED:
        raise RuleViolationError(
            "reinstate-only-suspended",
            f"only a suspended certificate can be reinstated; on {day} it is {status.value}",
        )


def _check_ends_in_force(verb: str, done: str) -> Callable[[CertificateState, Change], None]:
    def check(state: CertificateState, change: Change) -> None:
        day = change["effective_date"]
        status = state.status_on(day)
        if status not in (Status.VALID, Status.SUSPENDED):
            raise RuleViolationError(
                f"{verb}-only-valid-or-suspended",
                f"only a valid or suspended certificate can be {done}; on {day} it is "
                f"{status.value}",
            )

    return check


def _check_renewed(state: CertificateState, change: Change) -> None:
    """17021-1 9.6.3.2: the new cycle's expiry is based on the current one's.

    Decided before expiry, it chains on: at most current expiry + 3 years. Up
    to 6 months after expiry the certificate may be restored, EXPIRED until the
    renewal's effective date, with the same limit; later it must be issued anew.
    """
    day, expiry = change["effective_date"], change["expiry_date"]
    check_edition_current(state.standard, state.standard_deadline, day)
    current = state.expiry_date
    assert current is not None  # set by Issued, which comes first
    restorable_until = add_months(current + timedelta(days=1), RESTORE_WINDOW_MONTHS)
    if day >= restorable_until:
        raise RuleViolationError(
            "renewal-within-6-months-of-expiry",
            f"the certificate expired after {current} and could be restored until the day "
            f"before {restorable_until} ({RESTORE_WINDOW_MONTHS} months); on {day} it must be "
            "issued anew",
        )
    if expiry <= current:
        raise RuleViolationError(
            "renewal-extends-expiry",
            f"the new expiry {expiry} must be later than the current {current}",
        )
    _check_expiry_after(day, expiry, "renewal")
    limit = add_years(current, MAX_CYCLE_YEARS)
    if expiry > limit:
        raise RuleViolationError(
            "renewal-at-most-3-years-after-expiry",
            f"the renewal's expiry {expiry} is more than {MAX_CYCLE_YEARS} years after the "
            f"current expiry {current} (latest allowed {limit})",
        )


def _check_transferred_out(state: CertificateState, change: Change) -> None:
    check_transferable(state, change["effective_date"])


def _no_rule(state: CertificateState, change: Change) -> None:
    """Only the rules every change keeps."""


def _check_expiry_after(effective: date, expiry: date, what: str) -> None:
    if expiry <= effective:
        raise RuleViolationError(
            "expiry-after-effective-date",
            f"the {what}'s expiry {expiry} must be after its effective date {effective}",
        )


_CHECKS: dict[str, Callable[[CertificateState, Change], None]] = {
    "Issued": _check_issued,
    "SurveillancePassed": _check_in_force("surveillance"),
    "ScopeChanged": _check_in_force("scope change"),
    "Suspended": _check_suspended,
    "Reinstated": _check_reinstated,
    "Withdrawn": _check_ends_in_force("withdraw", "withdrawn"),
    "Cancelled": _check_ends_in_force("cancel", "cancelled"),
    "Renewed": _check_renewed,
    "TransferredOut": _check_transferred_out,
    "HolderDetailsChanged": _no_rule,
}
