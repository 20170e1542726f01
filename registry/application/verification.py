"""The credibility check as a use case: one certificate, or a supplier list, on a day.

The steps and the verdict are the domain's (``registry.domain.credibility``); this
module reads what they need from one cut of the log: the certificate's reading on
the day, its CB's accreditations in effect that day and their ABs' IAF MLA status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from registry.application import inputs
from registry.application.directory import Backing
from registry.application.views import CertificateRef
from registry.domain.credibility import Claims, StepResult, Verdict, judge
from registry.domain.status import Status
from registry.errors import InvalidInputError, RegistryError
from registry.store.log import LogPoint

if TYPE_CHECKING:
    from registry.application.registry import Registry

MAX_ITEMS = 1000
NO_CLAIMS = Claims()


@dataclass(frozen=True)
class VerificationItem:
    """One certificate of a supplier list, its day (default: the list's) and its claims."""

    certificate: CertificateRef
    at: date | None = None
    claims: Claims = NO_CLAIMS


@dataclass(frozen=True)
class VerificationView:
    certificate: CertificateRef
    verdict: Verdict
    steps: tuple[StepResult, ...]
    status: Status
    accreditation_body_id: str
    at: date
    as_of: datetime
    log_position: int


class Verifier:
    """Answers the credibility check from one registry's store."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def verify(
        self,
        certificate: CertificateRef,
        *,
        at: date | None = None,
        as_of: datetime | None = None,
        claims: Claims = NO_CLAIMS,
    ) -> VerificationView:
        cut, as_of = self._registry.cut(as_of)
        day = at if at is not None else self._registry.now().date()
        return self._verify(certificate, day, claims, cut, as_of, {})

    def verify_many(
        self,
        items: Sequence[VerificationItem],
        *,
        at: date | None = None,
        as_of: datetime | None = None,
    ) -> tuple[list[VerificationView | RegistryError], datetime, int]:
        """Each item's answer (or why it could not be checked), all from one cut; the cut's
        instant and position."""
        if not 1 <= len(items) <= MAX_ITEMS:
            raise InvalidInputError(f"items: give 1 to {MAX_ITEMS}, got {len(items)}")
        cut, as_of = self._registry.cut(as_of)
        default = at if at is not None else self._registry.now().date()
        backings: dict[tuple[str, date], Backing] = {}
        results: list[VerificationView | RegistryError] = []
        for item in items:
            try:
                day = item.at if item.at is not None else default
                results.append(
                    self._verify(item.certificate, day, item.claims, cut, as_of, backings)
                )
            except RegistryError as error:
                results.append(error)
        return results, as_of, cut.position if cut else 0

    def backing(self, certification_body: str, day: date, cut: LogPoint | None) -> Backing:
        return self._registry.directory.backing(certification_body, day, cut)

    def _verify(
        self,
        certificate: CertificateRef,
        day: date,
        claims: Claims,
        cut: LogPoint | None,
        as_of: datetime,
        backings: dict[tuple[str, date], Backing],
    ) -> VerificationView:
        ref = inputs.ref(certificate)
        claims = checked_claims(claims)
        reading = self._registry.reading_at(ref, day, cut)
        if reading is None or reading.status is Status.UNKNOWN:
            judgement = judge(Status.UNKNOWN, None, day, claims, (), frozenset())
            status = Status.UNKNOWN
        else:
            key = (ref.certification_body_id, day)
            if key not in backings:
                backings[key] = self.backing(ref.certification_body_id, day, cut)
            backing = backings[key]
            judgement = judge(
                reading.status,
                reading.state,
                day,
                claims,
                backing.accreditations,
                backing.signatories,
            )
            status = reading.status
        return VerificationView(
            ref,
            judgement.verdict,
            judgement.steps,
            status,
            judgement.accreditation_body_id,
            day,
            as_of,
            cut.position if cut else 0,
        )


def checked_claims(claims: Claims) -> Claims:
    """The claims normalised and within their limits (empty: not claimed)."""
    return Claims(
        standard=inputs.text(
            claims.standard,
            "claimed_standard",
            max_bytes=inputs.MAX_STANDARD_BYTES,
            required=False,
        ),
        organization_name=inputs.text(
            claims.organization_name,
            "claimed_organization_name",
            max_bytes=inputs.MAX_ORGANIZATION_NAME_BYTES,
            required=False,
        ),
        site=inputs.text(
            claims.site, "claimed_site", max_bytes=inputs.MAX_ADDRESS_BYTES, required=False
        ),
        scope=inputs.text(
            claims.scope,
            "claimed_scope",
            max_bytes=inputs.MAX_SCOPE_BYTES,
            multiline=True,
            required=False,
        ),
    )
