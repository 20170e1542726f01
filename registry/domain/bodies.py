"""The directory: certification bodies and accreditation bodies (SPEC 2.3), on two clocks.

A body is registered, has its details changed, and is deactivated, each from an
effective date; an accreditation body also carries its IAF MLA signatory status
as a timeline (``MlaStatusRecorded``). A certification body lists the
accreditation bodies that ever accredited it (``AccreditationLinked``, saved
with the first grant of each pair), so its accreditations are found without a
scan. Only an admin writes here; the rules are the same as elsewhere: nothing
takes effect before the registration or more than 90 days ahead, and only an
active body changes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.domain.changes import (
    Change,
    ChangeContext,
    change_of,
    check_not_too_far_ahead,
    checked_change,
    event_context,
    fold,
    insert,
    named_id,
)
from registry.errors import RuleViolationError

_NAMESPACE = UUID("6f1c9a52-55d4-4b8e-9d0c-2f4b8a1e7c31")


def certification_body_id(body_id: str) -> UUID:
    """The aggregate id of the certification body registered as ``body_id``."""
    return named_id(_NAMESPACE, "certification-body", body_id)


def accreditation_body_id(body_id: str) -> UUID:
    """The aggregate id of the accreditation body registered as ``body_id``."""
    return named_id(_NAMESPACE, "accreditation-body", body_id)


class MlaStatus(enum.Enum):
    """An accreditation body's standing in the IAF multilateral recognition arrangement."""

    SIGNATORY = "SIGNATORY"
    SUSPENDED = "SUSPENDED"
    NOT_SIGNATORY = "NOT_SIGNATORY"


@dataclass(frozen=True)
class BodyState:
    """A body on one day: whether it is registered and active then, and its details."""

    body_id: str = ""
    name: str = ""
    country: str = ""
    registered_on: date | None = None
    deactivated_on: date | None = None
    deactivation_reason: str = ""
    mla_status: MlaStatus = MlaStatus.NOT_SIGNATORY
    mla_status_since: date | None = None

    @property
    def active(self) -> bool:
        return self.registered_on is not None and self.deactivated_on is None


def _apply(state: BodyState, change: Change) -> BodyState:
    kind, day = change["kind"], change["effective_date"]
    if kind == "Registered":
        return replace(
            state,
            body_id=change["body_id"],
            name=change["name"],
            country=change["country"],
            registered_on=day,
        )
    if kind == "DetailsChanged":
        return replace(
            state, name=change["name"] or state.name, country=change["country"] or state.country
        )
    if kind == "Deactivated":
        return replace(state, deactivated_on=day, deactivation_reason=change["reason"])
    if kind == "MlaStatusRecorded":
        return replace(state, mla_status=MlaStatus(change["status"]), mla_status_since=day)
    return state


def _check(state: BodyState, change: Change) -> None:
    kind, day = change["kind"], change["effective_date"]
    if kind == "Registered":
        return
    if state.registered_on is None:
        raise RuleViolationError(
            "body-changes-after-registration",
            f"{kind} on {day} is before the body was registered",
        )
    if state.deactivated_on is not None:
        raise RuleViolationError(
            "body-changes-while-active",
            f"the body was deactivated on {state.deactivated_on}; {kind} on {day} is refused",
        )
    if kind == "MlaStatusRecorded" and MlaStatus(change["status"]) is state.mla_status:
        raise RuleViolationError(
            "mla-status-changes",
            f"the body's IAF MLA status on {day} is already {state.mla_status.value}",
        )


class _Body(Aggregate):
    """What both kinds of body share: a timeline of changes and its rules."""

    _changes: list[Change]

    def state_on(self, day: date) -> BodyState:
        return fold(self._changes, BodyState, _apply, day)

    def latest(self) -> BodyState:
        """The state after every change this version knows, whatever its date."""
        return fold(self._changes, BodyState, _apply, date.max)

    def _changed(self, event_class: Any, context: ChangeContext, **own: Any) -> None:
        checked_change(
            self._changes,
            event_class.kind,
            self.version + 1,
            context,
            own,
            BodyState,
            _apply,
            _check,
        )
        self.trigger_event(
            event_class, timestamp=context["recorded_at"], **event_context(context), **own
        )


class CertificationBody(_Body):
    """A certification body in the directory; certificates are written only for an active one."""

    class Event(Aggregate.Event):
        effective_date: date
        actor: str
        request_id: str

        kind: ClassVar[str] = "Event"
        own: ClassVar[tuple[str, ...]] = ()

        def apply(self, aggregate: CertificationBody) -> None:
            aggregate._changes = insert(aggregate._changes, change_of(self))

    class Registered(Aggregate.Created, Event):
        body_id: str
        name: str
        country: str

        kind: ClassVar[str] = "Registered"
        own: ClassVar[tuple[str, ...]] = ("body_id", "name", "country")

    class DetailsChanged(Event):
        name: str
        country: str

        kind: ClassVar[str] = "DetailsChanged"
        own: ClassVar[tuple[str, ...]] = ("name", "country")

    class Deactivated(Event):
        reason: str

        kind: ClassVar[str] = "Deactivated"
        own: ClassVar[tuple[str, ...]] = ("reason",)

    class AccreditationLinked(Event):
        """An accreditation body granted this body its first accreditation."""

        accreditation_body_id: str

        kind: ClassVar[str] = "AccreditationLinked"

        def apply(self, aggregate: CertificationBody) -> None:
            aggregate._accreditors = [*aggregate._accreditors, self.accreditation_body_id]

    def __init__(self) -> None:
        self._changes = []
        self._accreditors: list[str] = []

    @classmethod
    def register(
        cls, *, body_id: str, name: str, country: str, **context: Unpack[ChangeContext]
    ) -> CertificationBody:
        check_not_too_far_ahead(context["effective_date"], context["today"])
        return cls._create(
            cls.Registered,
            id=certification_body_id(body_id),
            timestamp=context["recorded_at"],
            **event_context(context),
            body_id=body_id,
            name=name,
            country=country,
        )

    def change_details(self, *, name: str, country: str, **context: Unpack[ChangeContext]) -> None:
        """Change what is given; an empty value keeps the current one."""
        self._changed(self.DetailsChanged, context, name=name, country=country)

    def deactivate(self, *, reason: str, **context: Unpack[ChangeContext]) -> None:
        self._changed(self.Deactivated, context, reason=reason)

    def link_accreditation(self, accreditation_body: str, **context: Unpack[ChangeContext]) -> None:
        """Record that ``accreditation_body`` accredits this body (once per AB)."""
        if accreditation_body in self._accreditors:
            return
        self.trigger_event(
            self.AccreditationLinked,
            timestamp=context["recorded_at"],
            **event_context(context),
            accreditation_body_id=accreditation_body,
        )

    @property
    def accreditors(self) -> list[str]:
        """The accreditation bodies that ever accredited this body, as this version knows."""
        return list(self._accreditors)


class AccreditationBody(_Body):
    """An accreditation body in the directory, with its IAF MLA status over time."""

    class Event(Aggregate.Event):
        effective_date: date
        actor: str
        request_id: str

        kind: ClassVar[str] = "Event"
        own: ClassVar[tuple[str, ...]] = ()

        def apply(self, aggregate: AccreditationBody) -> None:
            aggregate._changes = insert(aggregate._changes, change_of(self))

    class Registered(Aggregate.Created, Event):
        body_id: str
        name: str
        country: str

        kind: ClassVar[str] = "Registered"
        own: ClassVar[tuple[str, ...]] = ("body_id", "name", "country")

    class DetailsChanged(Event):
        name: str
        country: str

        kind: ClassVar[str] = "DetailsChanged"
        own: ClassVar[tuple[str, ...]] = ("name", "country")

    class Deactivated(Event):
        reason: str

        kind: ClassVar[str] = "Deactivated"
        own: ClassVar[tuple[str, ...]] = ("reason",)

    class MlaStatusRecorded(Event):
        status: str

        kind: ClassVar[str] = "MlaStatusRecorded"
        own: ClassVar[tuple[str, ...]] = ("status",)

    def __init__(self) -> None:
        self._changes = []

    @classmethod
    def register(
        cls, *, body_id: str, name: str, country: str, **context: Unpack[ChangeContext]
    ) -> AccreditationBody:
        check_not_too_far_ahead(context["effective_date"], context["today"])
        return cls._create(
            cls.Registered,
            id=accreditation_body_id(body_id),
            timestamp=context["recorded_at"],
            **event_context(context),
            body_id=body_id,
            name=name,
            country=country,
        )

    def change_details(self, *, name: str, country: str, **context: Unpack[ChangeContext]) -> None:
        self._changed(self.DetailsChanged, context, name=name, country=country)

    def deactivate(self, *, reason: str, **context: Unpack[ChangeContext]) -> None:
        self._changed(self.Deactivated, context, reason=reason)

    def record_mla_status(self, *, status: MlaStatus, **context: Unpack[ChangeContext]) -> None:
        self._changed(self.MlaStatusRecorded, context, status=status.value)
