"""Group commit: writes that arrive together are checked one by one, saved together.

A durable commit costs far more than the work around it, so one thread takes
every write waiting in the queue (a lone write is taken at once, never held
back for company), checks each against its own certificates' rules in arrival
order, and saves all that passed in one transaction. A write changes one
certificate, or two: a transfer issues the new certificate and ends the one it
replaces, and both changes are saved together or not at all. A rule violation
answers only its own caller. If the joint save meets a conflict (another
process wrote one of the certificates, or a retry of a request raced its first
attempt), the batch is redone one write at a time, so one conflict never fails
the others. Each caller is answered only after its events are durable.

A write's certificates are read either by its caller (so reads overlap other
commits) or, for a write begun without waiting (``Registry.begin``, used by the
asynchronous server), by the committer itself, so that writes arriving together
reach it together; either way the committer re-reads a copy older than what it
saved since.

The committer knows the application only through :class:`Writer`: it loads,
looks up first answers and saves through it, and never imports it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError

from registry.application.views import CertificateRef, WriteMeta, WriteResult
from registry.domain.certificate import Certificate, certificate_id
from registry.domain.standards import StandardsCatalogue
from registry.errors import (
    AlreadyExistsError,
    ConflictError,
    RegistryError,
    UnavailableError,
)

log = logging.getLogger(__name__)

# At most this many writes are checked and saved in one transaction: a PublishBatch
# (registry.application.inputs.MAX_BATCH_COMMANDS) fits in one.
MAX_BATCH = 1000
MAX_ATTEMPTS = 5
KNOWN_VERSIONS = 100_000

Command = Callable[[list[Certificate | None], dict[str, Any]], list[Certificate]]
"""Given the request's certificates (as ``refs``; None for one not issued yet) and the
context of the change, the changed certificates, in the same order."""


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
    """One write on its way to the store, and where its answer goes.

    ``refs`` names the certificates it changes: first the one it answers for (which
    ``creates`` and ``expected_version`` are about), then, for a transfer, the one
    it replaces.
    """

    refs: tuple[CertificateRef, ...]
    meta: WriteMeta
    request_id: str
    fingerprint: str
    command: Command
    creates: bool
    loaded: list[Certificate | None] = field(default_factory=list)
    answer: Future[WriteResult] = field(default_factory=Future)
    ids: tuple[UUID, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.ids = tuple(
            certificate_id(ref.certification_body_id, ref.certificate_number) for ref in self.refs
        )

    @property
    def ref(self) -> CertificateRef:
        return self.refs[0]

    @property
    def cert_id(self) -> UUID:
        return self.ids[0]

    @property
    def principal(self) -> str:
        return self.meta.actor


class Writer(Protocol):
    """What the committer needs of the application."""

    @property
    def standards(self) -> StandardsCatalogue:
        """The latest catalogue of standards."""

    def now(self) -> datetime: ...

    def load_for_write(
        self, request: WriteRequest, known: Collection[UUID] = ()
    ) -> list[Certificate | None]:
        """The request's certificates as stored now, in the order of ``refs`` (None for the
        one it creates, and for those in ``known``, not read); refuses what cannot be
        written (exists, not found)."""

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


def check_expected(request: WriteRequest, certificate: Certificate | None) -> None:
    """Refuse ``request`` unless its certificate is at the version it expects."""
    version = certificate.version if certificate is not None else 0
    expected = request.meta.expected_version
    if expected is not None and expected != version:
        raise ConflictError(f"expected version {expected}, the certificate is at version {version}")


@dataclass
class _Accepted:
    """A request that passed its checks, and its events: one per certificate it changes."""

    request: WriteRequest
    events: list[Certificate.Event]

    def answer(self) -> None:
        # The events' recorded times were assigned when they were saved, under the log's lock.
        first, *others = self.events
        result = WriteResult(
            first.originator_version,
            first.timestamp,
            from_version=others[0].originator_version if others else None,
        )
        self.request.answer.set_result(result)


class GroupCommitter:
    """The one thread through which a Registry's writes reach the store."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self._queue: queue.SimpleQueue[Sequence[WriteRequest] | None] = queue.SimpleQueue()
        self._versions: OrderedDict[UUID, int] = OrderedDict()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    def submit(self, request: WriteRequest) -> WriteResult:
        """Queue ``request`` and wait until it is durable (or refused)."""
        return self.enqueue(request).result()

    def enqueue(self, request: WriteRequest) -> Future[WriteResult]:
        """Queue ``request``; its future is answered once it is durable (or refused)."""
        self.enqueue_all([request])
        return request.answer

    def enqueue_all(self, requests: Sequence[WriteRequest]) -> None:
        """Queue ``requests`` one after the other, with nothing between them: taken
        together (up to ``MAX_BATCH``), they are checked in order and saved together."""
        with self._start_lock:
            if self._closed:
                raise UnavailableError("the registry is shutting down")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
                self._thread.start()
            # Queued under the lock: never behind the None that tells the thread to stop;
            # as one item, so the thread takes them all at once.
            self._queue.put(list(requests))

    def close(self) -> None:
        with self._start_lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()
        closing = UnavailableError("the registry is shutting down; retry the request")
        while True:  # nothing can be queued any more; answer anything left behind
            try:
                requests = self._queue.get_nowait()
            except queue.Empty:
                return
            for request in requests or ():
                if not request.answer.done():
                    request.answer.set_exception(closing)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = list(first)
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.extend(more)
            for start in range(0, len(batch), MAX_BATCH):
                self._commit_batch(batch[start : start + MAX_BATCH])
            if stop:
                return

    def _commit_batch(self, batch: list[WriteRequest]) -> None:
        try:
            self._commit(batch)
        except Exception as error:  # answer every caller, keep the thread alive
            # Not a refusal of one request but a fault of the batch (or a bug): nothing
            # of the batch is saved, so no transfer is ever saved half.
            log.exception("group commit failed")
            for request in batch:
                if not request.answer.done():
                    request.answer.set_exception(error)

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
                # A command records nothing unless every rule holds (the domain checks
                # before it records), so a refused one leaves the staged certificates as
                # they were.
                changed = self._apply(request, self._current(request, staged), now)
            except RegistryError as error:
                self._refuse(request, error)
                continue
            except Exception as error:  # a fault of this write alone: the others go on
                # The domain checks every rule before it records anything, so whatever a
                # check raised, the staged certificates are as they were.
                log.exception("write %r failed", request.request_id)
                request.answer.set_exception(error)
                continue
            staged.update((certificate.id, certificate) for certificate in changed)
            accepted.append(_Accepted(request, _events(changed)))
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
        """Save one write by itself, re-reading its certificates until no race is lost."""
        for _ in range(MAX_ATTEMPTS):
            try:
                first = self.writer.first_result(request)
                if first is not None:
                    request.answer.set_result(first)
                    return
                certificates = self.writer.load_for_write(request)
                check_expected(request, certificates[0])
                changed = self._apply(request, certificates, self.writer.now())
                accepted = _Accepted(request, _events(changed))
                try:
                    self.writer.save_changes(changed, [_pending(accepted)])
                except IntegrityError:
                    # Lost a race. The next round tells how: the first attempt of this
                    # request was saved (its answer), the certificate now exists (issue),
                    # or it moved past expected_version (conflict); or it re-checks the
                    # rules against the certificates as the winner left them.
                    continue
                except OperationalError as error:
                    raise UnavailableError(f"the event store is unavailable: {error}") from None
            except RegistryError as error:
                request.answer.set_exception(error)
                return
            for certificate in changed:
                self._remember(certificate)
            accepted.answer()
            return
        request.answer.set_exception(
            ConflictError("the certificate is changing too fast; retry the request")
        )

    def _current(
        self, request: WriteRequest, staged: dict[UUID, Certificate]
    ) -> list[Certificate | None]:
        """The request's certificates as this batch leaves them; the caller's copies are
        re-read if this committer has since saved a later version of one of them."""
        if request.creates and request.cert_id in staged:
            raise already_exists(request.ref)
        if not request.loaded or any(  # not read by its caller, or read before a later save
            self._is_stale(cert_id, loaded)
            for cert_id, loaded in zip(request.ids, request.loaded, strict=True)
            if cert_id not in staged
        ):
            # Those this batch changed are not read: they may not be stored yet (an issue
            # followed by a change of the certificate issued).
            request.loaded = self.writer.load_for_write(request, known=staged.keys())
        certificates = [
            staged.get(cert_id, loaded)
            for cert_id, loaded in zip(request.ids, request.loaded, strict=True)
        ]
        check_expected(request, certificates[0])
        return certificates

    def _is_stale(self, cert_id: UUID, loaded: Certificate | None) -> bool:
        known = self._versions.get(cert_id)
        return known is not None and known > (loaded.version if loaded is not None else 0)

    def _apply(
        self, request: WriteRequest, certificates: list[Certificate | None], now: datetime
    ) -> list[Certificate]:
        """Run the command; its events' recorded times are provisional until they are saved."""
        today: date = now.date()
        context = {
            "standards": self.writer.standards,
            "today": today,
            "recorded_at": now,
            "effective_date": request.meta.effective_date or today,
            "actor": request.meta.actor,
            "request_id": request.request_id,
        }
        return request.command(certificates, context)

    def _remember(self, certificate: Certificate) -> None:
        self._versions[certificate.id] = certificate.version
        self._versions.move_to_end(certificate.id)
        if len(self._versions) > KNOWN_VERSIONS:
            self._versions.popitem(last=False)


def _events(changed: list[Certificate]) -> list[Certificate.Event]:
    """The event each changed certificate has just recorded (its last pending one)."""
    events = [certificate.pending_events[-1] for certificate in changed]
    assert all(isinstance(event, Certificate.Event) for event in events)
    return cast(list[Certificate.Event], events)


def _pending(item: _Accepted) -> PendingRequest:
    """The request's answer, saved beside the event it answers with (the first)."""
    first = item.events[0]
    return PendingRequest(
        principal=item.request.principal,
        request_id=item.request.request_id,
        fingerprint=item.request.fingerprint,
        certificate_id=first.originator_id,
        version=first.originator_version,
    )
