"""The credibility check (SPEC 2.4): how a buyer is told to judge a certification claim.

For one certificate on one day, in order:
1. it exists, and 2. it is ``VALID`` that day;
3. each claim given matches what is certified that day: the standard ("ISO 9001"
   for any edition, or one edition), the organisation's name and a site's
   address (case, accents and letters typed two ways folded), the scope (every
   word of the claim is a word of the certified scope);
4. an accreditation of its CB in effect that day covers its standard and every
   one of its sector codes;
5. the AB of such an accreditation was an IAF MLA signatory that day.

Every step is answered passed or failed with its reason. The verdict: ``UNKNOWN``
if it does not exist; ``NOT_VALID`` if it is not valid or a claim does not
match; ``NOT_ACCREDITED`` if steps 4 or 5 fail; else ``CREDIBLE``. Nothing is
stored: a CB losing its accreditation turns its certificates ``NOT_ACCREDITED``
from that day on in every answer, and earlier ``as_of`` answers stay as they were.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from registry.domain.accreditation import AccreditationState
from registry.domain.folding import same_name, words
from registry.domain.standards import same_designation
from registry.domain.status import CertificateState, Status


class Verdict(enum.Enum):
    CREDIBLE = "CREDIBLE"
    NOT_ACCREDITED = "NOT_ACCREDITED"
    NOT_VALID = "NOT_VALID"
    UNKNOWN = "UNKNOWN"


class Step(enum.Enum):
    EXISTS = "EXISTS"
    VALID = "VALID"
    CLAIMED_STANDARD = "CLAIMED_STANDARD"
    CLAIMED_ORGANIZATION_NAME = "CLAIMED_ORGANIZATION_NAME"
    CLAIMED_SITE = "CLAIMED_SITE"
    CLAIMED_SCOPE = "CLAIMED_SCOPE"
    ACCREDITED = "ACCREDITED"
    MLA_SIGNATORY = "MLA_SIGNATORY"


@dataclass(frozen=True)
class Claims:
    """What a supplier claims of its certificate; empty fields are not checked."""

    standard: str = ""
    organization_name: str = ""
    site: str = ""
    scope: str = ""


@dataclass(frozen=True)
class StepResult:
    step: Step
    passed: bool
    reason: str


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    steps: tuple[StepResult, ...]
    accreditation_body_id: str = ""


def judge(
    status: Status,
    state: CertificateState | None,
    day: date,
    claims: Claims,
    accreditations: Sequence[AccreditationState],
    signatories: frozenset[str],
) -> Judgement:
    """The steps and verdict for a certificate of ``status`` and ``state`` on ``day``.

    ``accreditations``: its CB's accreditations in effect on ``day``; ``signatories``: the
    ABs that were IAF MLA signatories that day.
    """
    if status is Status.UNKNOWN or state is None:
        missing = StepResult(Step.EXISTS, False, "the registry holds no such certificate")
        return Judgement(Verdict.UNKNOWN, (missing,))
    steps = [
        StepResult(
            Step.EXISTS,
            True,
            f"certificate {state.certificate_number} of {state.certification_body_id}",
        ),
        StepResult(
            Step.VALID,
            status is Status.VALID,
            f"its status on {day} is {status.value}",
        ),
        *_claims(state, claims),
    ]
    backing, accreditation = _accredited(state, day, accreditations)
    steps.append(backing)
    signatory = _signatory(accreditations, state, day, signatories)
    steps.append(signatory)
    if not all(s.passed for s in steps[:-2]):
        verdict = Verdict.NOT_VALID
    elif not (backing.passed and signatory.passed):
        verdict = Verdict.NOT_ACCREDITED
    else:
        verdict = Verdict.CREDIBLE
    chosen = _chosen(accreditations, state, signatories)
    return Judgement(
        verdict,
        tuple(steps),
        chosen.accreditation_body_id if chosen else accreditation,
    )


def verdict_of(
    status: Status,
    standard: str,
    sector_codes: Sequence[str],
    accreditations: Sequence[AccreditationState],
    signatories: frozenset[str],
) -> Verdict:
    """The verdict without claims (as ``judge`` gives it when none is made): for a search
    result, which has its status, standard and sector codes on the day."""
    if status is Status.UNKNOWN:
        return Verdict.UNKNOWN
    if status is not Status.VALID:
        return Verdict.NOT_VALID
    for accreditation in accreditations:
        if (
            accreditation.covers(standard)
            and not accreditation.sector_codes_outside(sector_codes)
            and accreditation.accreditation_body_id in signatories
        ):
            return Verdict.CREDIBLE
    return Verdict.NOT_ACCREDITED


def _claims(state: CertificateState, claims: Claims) -> list[StepResult]:
    results = []
    if claims.standard:
        claimed = claims.standard
        certified_code = state.standard.rsplit(":", 1)[0]
        passed = same_designation(claimed, state.standard) or same_designation(
            claimed, certified_code
        )
        results.append(
            StepResult(
                Step.CLAIMED_STANDARD,
                passed,
                f"certified to {state.standard}; claimed {claimed}",
            )
        )
    if claims.organization_name:
        passed = same_name(claims.organization_name, state.organization_name)
        results.append(
            StepResult(
                Step.CLAIMED_ORGANIZATION_NAME,
                passed,
                f"certified organisation {state.organization_name!r}"
                + ("" if passed else f", not {claims.organization_name!r}"),
            )
        )
    if claims.site:
        claimed_words = set(words(claims.site))
        addresses = [site["address"] for site in state.sites] or [state.organization_address]
        match = next((a for a in addresses if claimed_words <= set(words(a))), None)
        results.append(
            StepResult(
                Step.CLAIMED_SITE,
                match is not None and bool(claimed_words),
                f"certified site {match!r}"
                if match is not None
                else f"no certified site matches {claims.site!r} "
                f"({len(addresses)} site(s) certified)",
            )
        )
    if claims.scope:
        missing = [w for w in words(claims.scope) if w not in set(words(state.scope))]
        results.append(
            StepResult(
                Step.CLAIMED_SCOPE,
                not missing and bool(words(claims.scope)),
                "the claimed scope is within the certified scope"
                if not missing
                else "the certified scope does not cover: " + ", ".join(missing[:10]),
            )
        )
    return results


def _covering(
    accreditations: Sequence[AccreditationState], state: CertificateState
) -> list[AccreditationState]:
    return [
        a
        for a in accreditations
        if a.covers(state.standard) and not a.sector_codes_outside(state.sector_codes)
    ]


def _chosen(
    accreditations: Sequence[AccreditationState],
    state: CertificateState,
    signatories: frozenset[str],
) -> AccreditationState | None:
    covering = _covering(accreditations, state)
    for accreditation in covering:
        if accreditation.accreditation_body_id in signatories:
            return accreditation
    return covering[0] if covering else None


def _accredited(
    state: CertificateState, day: date, accreditations: Sequence[AccreditationState]
) -> tuple[StepResult, str]:
    cb = state.certification_body_id
    covering = _covering(accreditations, state)
    if covering:
        abs_ = ", ".join(a.accreditation_body_id for a in covering)
        return (
            StepResult(
                Step.ACCREDITED,
                True,
                f"{cb} was accredited by {abs_} on {day} for {state.standard}"
                + (
                    f" and sector codes {', '.join(state.sector_codes)}"
                    if state.sector_codes
                    else ""
                ),
            ),
            covering[0].accreditation_body_id,
        )
    if not accreditations:
        return StepResult(
            Step.ACCREDITED, False, f"{cb} held no accreditation in effect on {day}"
        ), ""
    standard_ok = [a for a in accreditations if a.covers(state.standard)]
    if not standard_ok:
        reason = f"no accreditation of {cb} in effect on {day} covers {state.standard}"
    else:
        outside = sorted(
            {code for a in standard_ok for code in a.sector_codes_outside(state.sector_codes)}
        )
        reason = (
            f"the accreditation of {cb} for {state.standard} on {day} does not cover "
            f"sector code(s) {', '.join(outside)}"
        )
    return StepResult(Step.ACCREDITED, False, reason), ""


def _signatory(
    accreditations: Sequence[AccreditationState],
    state: CertificateState,
    day: date,
    signatories: frozenset[str],
) -> StepResult:
    covering = _covering(accreditations, state)
    if not covering:
        return StepResult(
            Step.MLA_SIGNATORY, False, "no accreditation covering the certificate to judge"
        )
    for accreditation in covering:
        if accreditation.accreditation_body_id in signatories:
            return StepResult(
                Step.MLA_SIGNATORY,
                True,
                f"{accreditation.accreditation_body_id} was an IAF MLA signatory on {day}",
            )
    names = ", ".join(a.accreditation_body_id for a in covering)
    return StepResult(Step.MLA_SIGNATORY, False, f"{names} was not an IAF MLA signatory on {day}")
