"""Reading and writing the reference aggregates: bodies, accreditations, the catalogue.

These aggregates are written rarely (by an admin or an AB), so each write is
saved on its own, in the caller's thread, through the same ordered log as the
certificates (its recorded time is assigned where the log's order is decided),
with its request's answer beside it: a retry returns the first answer, a lost
race is tried again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, OperationalError

from registry.application import inputs
from registry.application.committer import PendingRequest
from registry.application.views import WriteMeta, WriteResult
from registry.domain.changes import ChangeContext
from registry.errors import (
    AlreadyExistsError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RegistryError,
    UnavailableError,
)
from registry.store.log import LogPoint

if TYPE_CHECKING:
    from registry.application.registry import Registry

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 5

ReferenceCommand = Callable[[Aggregate | None, ChangeContext], list[Aggregate]]
"""Given the aggregate as stored now (None for one it creates) and the context of the
change, the changed aggregates, the one the request answers for first."""


class ReferenceStore:
    """Reads reference aggregates of one registry's store and writes them one at a time."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def write(
        self,
        op: str,
        aggregate_id: UUID,
        meta: WriteMeta,
        fields: dict[str, Any],
        command: ReferenceCommand,
        *,
        creates: bool,
        missing: str = "no such body or accreditation",
        saved: Callable[[Sequence[Aggregate]], None] | None = None,
    ) -> WriteResult:
        """Run ``command`` on the aggregate and save what it changed with the request's
        answer, in one transaction; a retry gets the first answer. ``missing`` is the
        NotFoundError's message for an aggregate not there; ``saved`` is told what was
        saved."""
        request_id = inputs.request_id(meta.request_id)
        if meta.expected_version is not None and meta.expected_version < 0:
            raise InvalidInputError("expected_version must not be negative")
        fingerprint = _fingerprint(op, aggregate_id, meta, fields)
        for _ in range(MAX_ATTEMPTS):
            try:
                current = None if creates else self.latest(Aggregate, aggregate_id)
                if creates and self.exists(aggregate_id):
                    raise AlreadyExistsError("it is already registered")
                if not creates and current is None:
                    raise NotFoundError(missing)
                version = current.version if current is not None else 0
                if meta.expected_version is not None and meta.expected_version != version:
                    raise ConflictError(
                        f"expected version {meta.expected_version}, it is at version {version}"
                    )
                now = self._registry.now()
                context: ChangeContext = {
                    "today": now.date(),
                    "recorded_at": now,
                    "effective_date": meta.effective_date or now.date(),
                    "actor": meta.actor,
                    "request_id": request_id,
                }
                changed = command(current, context)
                first = changed[0]
                pending = PendingRequest(
                    meta.actor, request_id, fingerprint, first.id, first.version
                )
                try:
                    self._registry.save(*changed, requests=[pending])
                except IntegrityError:
                    continue  # lost a race: the next round sees the winner
                except OperationalError as error:
                    raise UnavailableError(f"the event store is unavailable: {error}") from None
            except RegistryError:
                answered = self.first_answer(meta.actor, request_id, fingerprint)
                if answered is not None:
                    return answered
                raise
            if saved is not None:
                saved(changed)
            return WriteResult(first.version, first.modified_on)
        answered = self.first_answer(meta.actor, request_id, fingerprint)
        if answered is not None:
            return answered
        raise ConflictError("it is changing too fast; retry the request")

    def first_answer(self, principal: str, request_id: str, fingerprint: str) -> WriteResult | None:
        try:
            record = self._registry.store.select_request(principal, request_id)
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        if record is None:
            return None
        if record.fingerprint != fingerprint:
            raise InvalidInputError(
                "request_id was already used for a different request; use a new request_id"
            )
        return WriteResult(record.version, record.recorded_at)

    def at(self, cls: type[A], aggregate_id: UUID, cut: LogPoint | None) -> A | None:
        """The aggregate as the events up to ``cut`` leave it; None if unknown then."""
        if cut is None:
            return None
        try:
            version = self._registry.store.version_at(aggregate_id, cut.position)
            if version == 0:
                return None
            aggregate: Aggregate = self._registry.repository.get(aggregate_id, version=version)
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"{aggregate_id} is not a {cls.__name__}")
        return aggregate

    def latest(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate as stored now; None if it was never written."""
        try:
            aggregate: Aggregate = self._registry.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"{aggregate_id} is not a {cls.__name__}")
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        try:
            return bool(self._registry.recorder.select_events(aggregate_id, limit=1))
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None


def _fingerprint(op: str, aggregate_id: UUID, meta: WriteMeta, fields: dict[str, Any]) -> str:
    body = {
        "op": op,
        "aggregate": str(aggregate_id),
        "effective_date": meta.effective_date,
        "expected_version": meta.expected_version,
        "fields": fields,
    }
    text = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
