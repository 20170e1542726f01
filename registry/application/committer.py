"""Group commit: writes that arrive together are checked one by one, saved together.

A durable commit costs far more than the work around it, so one thread takes
every write waiting in the queue (a lone write is taken at once, never held
back for company), checks each against its own certificate's rules in arrival
order, and saves all that passed in one transaction. A rule violation answers
only its own caller. If the joint save meets a conflict (another process wrote
one of the certificates, or a retry of a request raced its first attempt),
the batch is redone one write at a time, so one conflict never fails the
others. Each caller is answered only after its event is durable.

The committer knows the application only through :class:`Writer`: it loads,
looks up first answers and saves through it, and never imports it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError

from registry.application.views import CertificateRef, WriteMeta, WriteResult
from registry.domain.certificate import Certificate
from registry.domain.standards import StandardsCatalogue
from registry.errors import (
    AlreadyExistsError,
    ConflictError,
    RegistryError,
    UnavailableError,
)

log = logging.getLogger(__name__)

MAX_BATCH = 200
MAX_ATTEMPTS = 5
KNOWN_VERSIONS = 100_000

Command = Callable[[Certificate | None, dict[str, Any]], Certificate]


@dataclass(frozen=True)
class PendingRequest:
    """A write request's answer, to be saved with the events it produced."""

    principal: str
    request_id: str
    fingerprint: str
    certificate_id: UUID
    version: int


@dataclass
class WriteRequest:
    """One write on its way to the store, and where its answer goes."""

    cert_id: UUID
    ref: CertificateRef
    meta: WriteMeta
    request_id: str
    fingerprint: str
    command: Command
    creates: bool
    loaded: Certificate | None
    answer: Future[WriteResult] = field(default_factory=Future)

    @property
    def principal(self) -> str:
        return self.meta.actor


class Writer(Protocol):
    """What the committer needs of the application."""

    standards: StandardsCatalogue

    def now(self) -> datetime: ...

    def load_for_write(self, request: WriteRequest) -> Certificate | None:
        """The certificate as stored now; refuses what cannot be written (exists, conflict)."""

    def first_result(self, request: WriteRequest) -> WriteResult | None:
        """The answer already given to this request, if it was made before."""

    def save_changes(
        self, certificates: Sequence[Certificate], requests: Sequence[PendingRequest]
    ) -> None:
        """Save the certificates' new events and the requests' answers in one transaction."""


def already_exists(ref: CertificateRef) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"certificate {ref.certificate_number} of {ref.certification_body_id} already exists"
    )


@dataclass
class _Accepted:
    request: WriteRequest
    event: Certificate.Event

    def answer(self) -> None:
        # The event's recorded time was assigned when it was saved, under the log's lock.
        result = WriteResult(self.event.originator_version, self.event.timestamp)
        self.request.answer.set_result(result)


class GroupCommitter:
    """The one thread through which a Registry's writes reach the store."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self._queue: queue.SimpleQueue[WriteRequest | None] = queue.SimpleQueue()
        self._versions: OrderedDict[UUID, int] = OrderedDict()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    def submit(self, request: WriteRequest) -> WriteResult:
        """Queue ``request`` and wait until it is durable (or refused)."""
        with self._start_lock:
            if self._closed:
                raise UnavailableError("the registry is shutting down")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
                self._thread.start()
        self._queue.put(request)
        return request.answer.result()

    def close(self) -> None:
        with self._start_lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                self._commit(batch)
            except Exception as error:  # answer every caller, keep the thread alive
                log.exception("group commit failed")
                for request in batch:
                    if not request.answer.done():
                        request.answer.set_exception(error)
            if stop:
                return

    def _commit(self, batch: list[WriteRequest]) -> None:
        staged: dict[UUID, Certificate] = {}
        accepted: list[_Accepted] = []
        later: list[WriteRequest] = []
        keys: set[tuple[str, str]] = set()
        now = self.writer.now()
        for request in batch:
            key = (request.principal, request.request_id)
            if key in keys:
                later.append(request)  # a retry racing its first attempt: answer it after
                continue
            try:
                certificate = self._current(request, staged)
                certificate, event = self._apply(request, certificate, now)
            except RegistryError as error:
                self._refuse(request, error)
                continue
            staged[request.cert_id] = certificate
            accepted.append(_Accepted(request, event))
            keys.add(key)
        if accepted:
            try:
                self.writer.save_changes(
                    list(staged.values()), [_pending(item) for item in accepted]
                )
            except IntegrityError:
                for item in accepted:
                    self._commit_alone(item.request)
            except OperationalError as error:
                unavailable = UnavailableError(f"the event store is unavailable: {error}")
                for item in accepted:
                    item.request.answer.set_exception(unavailable)
            else:
                for certificate in staged.values():
                    self._remember(certificate)
                for item in accepted:
                    item.answer()
        for request in later:
            self._commit_alone(request)

    def _refuse(self, request: WriteRequest, error: RegistryError) -> None:
        """Answer ``error`` unless the request is a retry of one already done."""
        try:
            first = self.writer.first_result(request)
        except RegistryError as mismatch:
            request.answer.set_exception(mismatch)
            return
        if first is not None:
            request.answer.set_result(first)
        else:
            request.answer.set_exception(error)

    def _commit_alone(self, request: WriteRequest) -> None:
        """Save one write by itself, re-reading its certificate until no race is lost."""
        for _ in range(MAX_ATTEMPTS):
            try:
                first = self.writer.first_result(request)
                if first is not None:
                    request.answer.set_result(first)
                    return
                certificate = self.writer.load_for_write(request)
                certificate, event = self._apply(request, certificate, self.writer.now())
                accepted = _Accepted(request, event)
                try:
                    self.writer.save_changes([certificate], [_pending(accepted)])
                except IntegrityError:
                    # Lost a race. The next round tells how: the first attempt of this
                    # request was saved (its answer), the certificate now exists (issue),
                    # or it moved past expected_version (conflict); or it re-checks the
                    # rules against the certificate as the winner left it.
                    continue
                except OperationalError as error:
                    raise UnavailableError(f"the event store is unavailable: {error}") from None
            except RegistryError as error:
                request.answer.set_exception(error)
                return
            self._remember(certificate)
            accepted.answer()
            return
        request.answer.set_exception(
            ConflictError("the certificate is changing too fast; retry the request")
        )

    def _current(
        self, request: WriteRequest, staged: dict[UUID, Certificate]
    ) -> Certificate | None:
        """The certificate as this batch leaves it, re-read if the caller's copy is stale."""
        if request.cert_id in staged:
            if request.creates:
                raise already_exists(request.ref)
            certificate: Certificate | None = staged[request.cert_id]
        else:
            certificate = request.loaded
            known = self._versions.get(request.cert_id)
            current = certificate.version if certificate is not None else 0
            if known is not None and known > current:
                certificate = self.writer.load_for_write(request)
        version = certificate.version if certificate is not None else 0
        expected = request.meta.expected_version
        if expected is not None and expected != version:
            raise ConflictError(
                f"expected version {expected}, the certificate is at version {version}"
            )
        return certificate

    def _apply(
        self, request: WriteRequest, certificate: Certificate | None, now: datetime
    ) -> tuple[Certificate, Certificate.Event]:
        """Run the command; its event's recorded time is provisional until it is saved."""
        today: date = now.date()
        context = {
            "standards": self.writer.standards,
            "today": today,
            "recorded_at": now,
            "effective_date": request.meta.effective_date or today,
            "actor": request.meta.actor,
            "request_id": request.request_id,
        }
        certificate = request.command(certificate, context)
        event = certificate.pending_events[-1]
        assert isinstance(event, Certificate.Event)
        return certificate, event

    def _remember(self, certificate: Certificate) -> None:
        self._versions[certificate.id] = certificate.version
        self._versions.move_to_end(certificate.id)
        if len(self._versions) > KNOWN_VERSIONS:
            self._versions.popitem(last=False)


def _pending(item: _Accepted) -> PendingRequest:
    return PendingRequest(
        principal=item.request.principal,
        request_id=item.request.request_id,
        fingerprint=item.request.fingerprint,
        certificate_id=item.event.originator_id,
        version=item.event.originator_version,
    )
