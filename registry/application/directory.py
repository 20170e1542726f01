"""Use cases of the directory (CBs, ABs) and of accreditations, and what the
certificate writes and the credibility check ask of them.

Each write is saved on its own, in the caller's thread, with its request's answer
beside it (``registry.application.reference``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.application import inputs
from registry.application.reference import ReferenceCommand, ReferenceStore
from registry.application.views import WriteMeta, WriteResult
from registry.domain.accreditation import (
    Accreditation,
    AccreditationState,
    AccreditationStatus,
    accreditation_id,
)
from registry.domain.bodies import (
    AccreditationBody,
    BodyState,
    CertificationBody,
    MlaStatus,
    accreditation_body_id,
    certification_body_id,
)
from registry.domain.changes import ChangeContext
from registry.domain.principals import ADMIN, Principal, Role
from registry.errors import (
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
)
from registry.store.log import LogPoint

if TYPE_CHECKING:
    from registry.application.registry import Registry

A = TypeVar("A", bound=Aggregate)
# A certification body read for a certificate write is trusted this long (a change made
# through this process is seen at once; one made through another within this time).
BODY_CACHE_SECONDS = 1.0


@dataclass(frozen=True)
class BodyView:
    """A CB or an AB on day ``at``, as known at ``as_of``."""

    body_id: str
    state: BodyState
    version: int
    at: date
    as_of: datetime
    log_position: int
    accreditors: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.state.active


@dataclass(frozen=True)
class AccreditationView:
    """An accreditation on day ``at``, as known at ``as_of`` (version 0: never granted)."""

    accreditation_body_id: str
    certification_body_id: str
    status: AccreditationStatus
    state: AccreditationState
    version: int
    at: date
    as_of: datetime
    log_position: int


@dataclass(frozen=True)
class Backing:
    """What stands behind a CB's certificate on a day: the accreditations in effect."""

    accreditations: tuple[AccreditationState, ...]
    signatories: frozenset[str]  # the ABs among them that were IAF MLA signatories that day


class Directory:
    """The directory and accreditation use cases of one Registry."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._reference = ReferenceStore(registry)
        self._lock = threading.Lock()
        self._bodies: dict[str, tuple[float, CertificationBody | None]] = {}

    # Writes: bodies (admin)

    def register_certification_body(
        self, body_id: str, meta: WriteMeta, *, name: str, country: str
    ) -> WriteResult:
        body_id = inputs.identifier(body_id, "certification_body_id")
        fields = {"body_id": body_id, **_details(name, country, required=True)}

        def register(_: Any, context: ChangeContext) -> list[Aggregate]:
            return [CertificationBody.register(**fields, **context)]

        return self._write(
            "register_cb", certification_body_id(body_id), meta, fields, register, creates=True
        )

    def register_accreditation_body(
        self, body_id: str, meta: WriteMeta, *, name: str, country: str
    ) -> WriteResult:
        body_id = inputs.identifier(body_id, "accreditation_body_id")
        fields = {"body_id": body_id, **_details(name, country, required=True)}

        def register(_: Any, context: ChangeContext) -> list[Aggregate]:
            return [AccreditationBody.register(**fields, **context)]

        return self._write(
            "register_ab", accreditation_body_id(body_id), meta, fields, register, creates=True
        )

    def change_body_details(
        self, kind: str, body_id: str, meta: WriteMeta, *, name: str, country: str
    ) -> WriteResult:
        """``kind``: "cb" or "ab"."""
        fields = _details(name, country, required=False)
        if not any(fields.values()):
            raise InvalidInputError("give at least one of name, country")
        return self._change_body(kind, body_id, meta, "change_details", fields)

    def deactivate_body(
        self, kind: str, body_id: str, meta: WriteMeta, *, reason: str
    ) -> WriteResult:
        return self._change_body(
            kind, body_id, meta, "deactivate", {"reason": inputs.reason(reason)}
        )

    def record_mla_status(self, body_id: str, meta: WriteMeta, *, status: MlaStatus) -> WriteResult:
        if not isinstance(status, MlaStatus):
            raise InvalidInputError("status: give SIGNATORY, SUSPENDED or NOT_SIGNATORY")
        return self._change_body("ab", body_id, meta, "record_mla_status", {"status": status})

    def _change_body(
        self, kind: str, body_id: str, meta: WriteMeta, op: str, fields: dict[str, Any]
    ) -> WriteResult:
        body_id = inputs.identifier(body_id, _BODY_FIELD[kind])
        aggregate_id = _BODY_ID[kind](body_id)

        def change(body: Aggregate | None, context: ChangeContext) -> list[Aggregate]:
            getattr(body, op)(**fields, **context)
            assert body is not None
            return [body]

        stored = {k: (v.value if isinstance(v, MlaStatus) else v) for k, v in fields.items()}
        return self._write(f"{kind}_{op}", aggregate_id, meta, stored, change, creates=False)

    # Writes: accreditations (by the AB)

    def grant_accreditation(
        self,
        accreditation_body: str,
        certification_body: str,
        meta: WriteMeta,
        *,
        standards: Sequence[str],
        sector_codes: Sequence[str],
        expiry_date: date | None,
    ) -> WriteResult:
        ab, cb = self._pair(accreditation_body, certification_body)
        fields = {
            **self._scope(standards, sector_codes),
            "expiry_date": inputs.required(expiry_date, "expiry_date"),
        }
        aggregate_id = accreditation_id(ab, cb)
        exists = self._reference.exists(aggregate_id)

        def grant(current: Aggregate | None, context: ChangeContext) -> list[Aggregate]:
            day = context["effective_date"]
            self._require_active(AccreditationBody, accreditation_body_id(ab), ab, day)
            body = self._require_active(CertificationBody, certification_body_id(cb), cb, day)
            if isinstance(current, Accreditation):
                current.regrant(**fields, **context)
                return [current]
            accreditation = Accreditation.grant(
                accreditation_body_id=ab, certification_body_id=cb, **fields, **context
            )
            body.link_accreditation(ab, **context)
            return [accreditation, body]

        return self._write("grant", aggregate_id, meta, fields, grant, creates=not exists)

    def change_accreditation_scope(
        self,
        accreditation_body: str,
        certification_body: str,
        meta: WriteMeta,
        *,
        standards: Sequence[str],
        sector_codes: Sequence[str],
    ) -> WriteResult:
        fields = self._scope(standards, sector_codes)
        return self._change_accreditation(
            accreditation_body, certification_body, meta, "change_scope", fields
        )

    def suspend_accreditation(
        self, accreditation_body: str, certification_body: str, meta: WriteMeta, *, reason: str
    ) -> WriteResult:
        fields = {"reason": inputs.reason(reason)}
        return self._change_accreditation(
            accreditation_body, certification_body, meta, "suspend", fields
        )

    def reinstate_accreditation(
        self, accreditation_body: str, certification_body: str, meta: WriteMeta
    ) -> WriteResult:
        return self._change_accreditation(
            accreditation_body, certification_body, meta, "reinstate", {}
        )

    def withdraw_accreditation(
        self, accreditation_body: str, certification_body: str, meta: WriteMeta, *, reason: str
    ) -> WriteResult:
        fields = {"reason": inputs.reason(reason)}
        return self._change_accreditation(
            accreditation_body, certification_body, meta, "withdraw", fields
        )

    def _change_accreditation(
        self,
        accreditation_body: str,
        certification_body: str,
        meta: WriteMeta,
        op: str,
        fields: dict[str, Any],
    ) -> WriteResult:
        ab, cb = self._pair(accreditation_body, certification_body)

        def change(current: Aggregate | None, context: ChangeContext) -> list[Aggregate]:
            assert current is not None
            getattr(current, op)(**fields, **context)
            return [current]

        return self._write(
            f"accreditation_{op}", accreditation_id(ab, cb), meta, fields, change, creates=False
        )

    # Queries

    def get_certification_body(
        self, body_id: str, *, at: date | None = None, as_of: datetime | None = None
    ) -> BodyView:
        return self._body_view("cb", body_id, at, as_of)

    def get_accreditation_body(
        self, body_id: str, *, at: date | None = None, as_of: datetime | None = None
    ) -> BodyView:
        return self._body_view("ab", body_id, at, as_of)

    def get_accreditation(
        self,
        accreditation_body: str,
        certification_body: str,
        *,
        at: date | None = None,
        as_of: datetime | None = None,
    ) -> AccreditationView:
        ab, cb = self._pair(accreditation_body, certification_body)
        cut, as_of = self._registry.cut(as_of)
        at = at if at is not None else self._registry.now().date()
        accreditation = self._reference.at(Accreditation, accreditation_id(ab, cb), cut)
        state = accreditation.state_on(at) if accreditation else AccreditationState()
        return AccreditationView(
            ab,
            cb,
            state.status_on(at),
            state,
            accreditation.version if accreditation else 0,
            at,
            as_of,
            cut.position if cut else 0,
        )

    def backing(self, certification_body: str, day: date, cut: LogPoint | None) -> Backing:
        """The accreditations of the CB in effect on ``day`` and which of their ABs were IAF
        MLA signatories that day, from the events up to ``cut``."""
        body = self._reference.at(CertificationBody, certification_body_id(certification_body), cut)
        if body is None:
            return Backing((), frozenset())
        states, signatories = [], set()
        for ab in body.accreditors:
            accreditation = self._reference.at(
                Accreditation, accreditation_id(ab, certification_body), cut
            )
            if accreditation is None:
                continue
            state = accreditation.state_on(day)
            if state.status_on(day) is not AccreditationStatus.ACTIVE:
                continue
            states.append(state)
            authority = self._reference.at(AccreditationBody, accreditation_body_id(ab), cut)
            if authority and authority.state_on(day).mla_status is MlaStatus.SIGNATORY:
                signatories.add(ab)
        return Backing(tuple(states), frozenset(signatories))

    def check_may_certify(self, certification_body: str, day: date) -> None:
        """Refuse a certificate change for a CB that is not registered and active on ``day``
        (as the store holds it now, or within ``BODY_CACHE_SECONDS`` of it)."""
        body = self._current_body(certification_body)
        if body is None:
            raise RuleViolationError(
                "certificates-only-for-registered-cb",
                f"no certification body {certification_body!r} is registered",
            )
        state = body.state_on(day)
        if not state.active:
            when = (
                f"was deactivated on {state.deactivated_on}"
                if state.deactivated_on
                else f"is registered only from {body.latest().registered_on}"
            )
            raise RuleViolationError(
                "certificates-only-for-active-cb",
                f"certification body {certification_body!r} {when}; nothing can take effect "
                f"for it on {day}",
            )

    def check_accredited(
        self, certification_body: str, standard: str, sector_codes: Sequence[str], day: date
    ) -> None:
        """Refuse unless an accreditation of the CB in effect on ``day`` covers the standard
        and every sector code (the receiving CB of a transfer)."""
        backing = self.backing(certification_body, day, self._registry.store.last_point())
        for state in backing.accreditations:
            if state.covers(standard) and not state.sector_codes_outside(sector_codes):
                return
        raise RuleViolationError(
            "transfer-receiving-cb-accredited",
            f"certification body {certification_body!r} holds no accreditation in effect on "
            f"{day} covering {standard}"
            + (f" and sector codes {', '.join(sector_codes)}" if sector_codes else ""),
        )

    def principal_for(self, role: Role, body_id: str) -> Principal:
        """The principal a token may be made for: the admin, or a registered CB or AB."""
        if role is Role.ADMIN:
            if body_id.strip():
                raise InvalidInputError("body_id: an admin token names no body")
            return ADMIN
        if role is Role.CERTIFICATION_BODY:
            body_id = inputs.identifier(body_id, "body_id")
            if self._reference.latest(CertificationBody, certification_body_id(body_id)) is None:
                raise NotFoundError(f"no certification body {body_id!r} is registered")
            return Principal(role, body_id)
        if role is Role.ACCREDITATION_BODY:
            body_id = inputs.identifier(body_id, "body_id")
            if self._reference.latest(AccreditationBody, accreditation_body_id(body_id)) is None:
                raise NotFoundError(f"no accreditation body {body_id!r} is registered")
            return Principal(role, body_id)
        raise InvalidInputError("an anonymous caller needs no token")

    def days_accredited(
        self, accreditation_body: str, certification_body: str
    ) -> list[tuple[date, date]]:
        """The spans of days on which the AB's accreditation of the CB was in effect (active
        or suspended), as the store holds it now: what the AB may audit of the CB."""
        accreditation = self._reference.latest(
            Accreditation, accreditation_id(accreditation_body, certification_body)
        )
        return accreditation.days_in_effect() if accreditation is not None else []

    def accredits(self, accreditation_body: str, certification_body: str) -> bool:
        """Whether the AB ever accredited the CB (as the store holds it, within
        ``BODY_CACHE_SECONDS``)."""
        body = self._current_body(certification_body)
        return body is not None and accreditation_body in body.accreditors

    # Helpers

    def _pair(self, accreditation_body: str, certification_body: str) -> tuple[str, str]:
        return (
            inputs.identifier(accreditation_body, "accreditation_body_id"),
            inputs.identifier(certification_body, "certification_body_id"),
        )

    def _scope(self, standards: Sequence[str], sector_codes: Sequence[str]) -> dict[str, Any]:
        named = []
        for given in standards:
            designation = self._registry.standards.get(inputs.standard(given)).designation
            if designation not in named:
                named.append(designation)
        if not named:
            raise InvalidInputError("standards: give at least one standard edition")
        return {"standards": named, "sector_codes": inputs.codes(list(sector_codes))}

    def _body_view(
        self, kind: str, body_id: str, at: date | None, as_of: datetime | None
    ) -> BodyView:
        body_id = inputs.identifier(body_id, _BODY_FIELD[kind])
        cut, as_of = self._registry.cut(as_of)
        at = at if at is not None else self._registry.now().date()
        body = self._reference.at(_BODY_CLASS[kind], _BODY_ID[kind](body_id), cut)
        if body is None:
            raise NotFoundError(f"no {_BODY_NAME[kind]} {body_id!r} is registered")
        state = body.state_on(at)
        if state.registered_on is None:
            state = BodyState(body_id=body_id, name=body.latest().name)
        return BodyView(
            body_id,
            state,
            body.version,
            at,
            as_of,
            cut.position if cut else 0,
            tuple(body.accreditors) if isinstance(body, CertificationBody) else (),
        )

    def _current_body(self, body_id: str) -> CertificationBody | None:
        now = time.monotonic()
        with self._lock:
            cached = self._bodies.get(body_id)
        if cached is not None and now - cached[0] < BODY_CACHE_SECONDS:
            return cached[1]
        body = self._reference.latest(CertificationBody, certification_body_id(body_id))
        with self._lock:
            if len(self._bodies) > 10_000:
                self._bodies.clear()
            self._bodies[body_id] = (now, body)
        return body

    def _forget(self, aggregates: Sequence[Aggregate]) -> None:
        with self._lock:
            for aggregate in aggregates:
                if isinstance(aggregate, CertificationBody):
                    self._bodies.pop(aggregate.latest().body_id, None)

    def _write(
        self,
        op: str,
        aggregate_id: UUID,
        meta: WriteMeta,
        fields: dict[str, Any],
        command: ReferenceCommand,
        *,
        creates: bool,
    ) -> WriteResult:
        return self._reference.write(
            op, aggregate_id, meta, fields, command, creates=creates, saved=self._forget
        )

    def _require_active(self, cls: type[A], aggregate_id: UUID, body_id: str, day: date) -> A:
        body = self._reference.latest(cls, aggregate_id)
        name = "accreditation body" if cls is AccreditationBody else "certification body"
        if body is None:
            raise NotFoundError(f"no {name} {body_id!r} is registered")
        assert isinstance(body, (CertificationBody, AccreditationBody))
        if not body.state_on(day).active:
            raise RuleViolationError(
                "accreditation-between-active-bodies",
                f"the {name} {body_id!r} is not active on {day}",
            )
        return body


_BODY_FIELD = {"cb": "certification_body_id", "ab": "accreditation_body_id"}
_BODY_NAME = {"cb": "certification body", "ab": "accreditation body"}
_BODY_ID: dict[str, Callable[[str], UUID]] = {
    "cb": certification_body_id,
    "ab": accreditation_body_id,
}
_BODY_CLASS: dict[str, type[CertificationBody] | type[AccreditationBody]] = {
    "cb": CertificationBody,
    "ab": AccreditationBody,
}


def _details(name: str, country: str, *, required: bool) -> dict[str, str]:
    return {
        "name": inputs.text(
            name, "name", max_bytes=inputs.MAX_ORGANIZATION_NAME_BYTES, required=required
        ),
        "country": inputs.country(country) if (required or country.strip()) else "",
    }
