"""The global log read as typed views: each event with its position and what it is about.

An event names its aggregate only by id (a uuid5 that cannot be reversed): a
certificate's CB and number are in its ``Issued`` event, an accreditation's AB
and CB in its ``Granted``, a body's id in its ``Registered``. Readers of the
global log (the feed, the audit index, export) resolve them through ``Refs``:
first events seen pass tell it directly, others are read once from the
aggregate's version 1 and kept (bounded, least recently used). What a first
event names never changes, so a kept ref is never stale.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification, OperationalError

from registry.application.history import event_view
from registry.application.views import (
    CertificateRef,
    LogView,
    ReferenceEventView,
    Source,
)
from registry.domain.accreditation import Accreditation
from registry.domain.bodies import AccreditationBody, CertificationBody
from registry.domain.catalogue import Catalogue
from registry.domain.certificate import Certificate
from registry.domain.changes import EVENT_COMMON_FIELDS
from registry.errors import UnavailableError

DEFAULT_SIZE = 100_000

R = TypeVar("R")
Decode = Callable[[Notification], object]
ReadFirst = Callable[[UUID], Aggregate.Event | None]
Parties = tuple[str, str]
"""What a reference aggregate is about: (accreditation body, certification body), each
"" when not."""

_PARTY_FIELDS = frozenset({"accreditation_body_id", "certification_body_id", "body_id"})


class Refs(Generic[R]):
    """A bounded map of aggregate id → what its first event names (``name_of`` it)."""

    def __init__(
        self,
        read_first: ReadFirst,
        name_of: Callable[[Any], R | None],
        size: int = DEFAULT_SIZE,
    ) -> None:
        self._read_first = read_first
        self._name_of = name_of
        self.size = size
        self._kept: OrderedDict[UUID, R] = OrderedDict()
        self._lock = threading.Lock()

    def learn(self, first: Aggregate.Event) -> R | None:
        """What ``first`` (an aggregate's first event) names; None if it is not one."""
        ref = self._name_of(first)
        if ref is not None:
            self._keep(first.originator_id, ref)
        return ref

    def of(self, event: Aggregate.Event) -> R:
        """What ``event``'s aggregate is about: learnt from it if it is the first."""
        ref = self.learn(event) if event.originator_version == 1 else None
        return ref if ref is not None else self.get(event.originator_id)

    def get(self, aggregate_id: UUID) -> R:
        with self._lock:
            ref = self._kept.get(aggregate_id)
            if ref is not None:
                self._kept.move_to_end(aggregate_id)
                return ref
        first = self._read_first(aggregate_id)
        ref = self.learn(first) if first is not None else None
        if ref is None:
            raise LookupError(f"no first event names aggregate {aggregate_id}")
        return ref

    def _keep(self, aggregate_id: UUID, ref: R) -> None:
        with self._lock:
            self._kept[aggregate_id] = ref
            self._kept.move_to_end(aggregate_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


def certificate_of(first: object) -> CertificateRef | None:
    """The certificate an ``Issued`` event names."""
    if isinstance(first, Certificate.Issued):
        return CertificateRef(first.certification_body_id, first.certificate_number)
    return None


def parties_of(first: object) -> Parties | None:
    """The parties a reference aggregate's first event names."""
    match first:
        case Accreditation.Granted():
            return (first.accreditation_body_id, first.certification_body_id)
        case CertificationBody.Registered():
            return ("", first.body_id)
        case AccreditationBody.Registered():
            return (first.body_id, "")
    return None


REFERENCE_SOURCES: tuple[tuple[type[Aggregate.Event], Source], ...] = (
    (Accreditation.Event, Source.ACCREDITATION),
    (CertificationBody.Event, Source.CERTIFICATION_BODY),
    (AccreditationBody.Event, Source.ACCREDITATION_BODY),
    (Catalogue.Event, Source.CATALOGUE),
)


def log_views(
    notifications: Sequence[Notification],
    decode: Decode,
    refs: Refs[CertificateRef],
    parties: Refs[Parties],
) -> list[LogView]:
    """The notifications as views with position, and the certificate or parties each is
    about."""
    views: list[LogView] = []
    try:
        for notification in notifications:
            event = decode(notification)
            if isinstance(event, Certificate.Event):
                ref = refs.of(event)
                views.append(event_view(event, None, notification.id, certificate=ref))
                continue
            source = next((s for cls, s in REFERENCE_SOURCES if isinstance(event, cls)), None)
            if source is None:
                continue  # not a domain event the log serves
            assert isinstance(event, Aggregate.Event)
            views.append(_reference_view(event, source, notification.id, parties))
    except OperationalError as error:
        raise UnavailableError(f"the event store is unavailable: {error}") from None
    return views


def _reference_view(
    event: Any, source: Source, position: int, parties: Refs[Parties]
) -> ReferenceEventView:
    ab, cb = ("", "") if source is Source.CATALOGUE else parties.of(event)
    return ReferenceEventView(
        source=source,
        type=type(event).__name__,
        version=event.originator_version,
        effective_date=event.effective_date,
        recorded_at=event.timestamp,
        actor=event.actor,
        request_id=event.request_id,
        global_position=position,
        fields={name: getattr(event, name) for name in _own_fields(type(event))},
        accreditation_body_id=ab,
        certification_body_id=cb,
    )


def _own_fields(event_class: type) -> tuple[str, ...]:
    """The fields an event class records besides the common ones (and, for an aggregate's
    first event, the parties it names: the view carries them)."""
    own = _OWN_FIELDS.get(event_class)
    if own is None:
        left_out = EVENT_COMMON_FIELDS
        if issubclass(event_class, Aggregate.Created):
            left_out |= _PARTY_FIELDS
        own = _OWN_FIELDS[event_class] = tuple(
            field.name for field in dataclasses.fields(event_class) if field.name not in left_out
        )
    return own


_OWN_FIELDS: dict[type, tuple[str, ...]] = {}
