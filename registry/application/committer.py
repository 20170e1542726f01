"""Group commit: writes that arrive together are checked one by one, saved together.

A durable commit costs far more than the work around it, so one thread takes
every write waiting in the queue (a lone write is taken at once, never held
back for company), checks each against its own certificate's rules in arrival
order, and saves all that passed in one transaction. A rule violation answers
only its own caller. If the joint save meets a conflict (another process wrote
one of the certificates, or a retry of a request raced its first attempt),
the batch is redone one write at a time, so one conflict never fails the
others. Each caller is answered only after its event is durable.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError

from registry.application.views import CertificateRef, WriteMeta, WriteResult
from registry.domain.certificate import Certificate
from registry.domain.requests import RequestRecord
from registry.errors import (
    AlreadyExistsError,
    ConflictError,
    RegistryError,
    UnavailableError,
)

if TYPE_CHECKING:
    from registry.application.registry import Registry

log = logging.getLogger(__name__)

MAX_BATCH = 200
MAX_ATTEMPTS = 5
KNOWN_VERSIONS = 100_000

Command = Callable[[Certificate | None, dict[str, Any]], Certificate]


@dataclass
class WriteRequest:
    """One write on its way to the store, and where its answer goes."""

    cert_id: UUID
    ref: CertificateRef
    meta: WriteMeta
    request_id: str
    key: str
    fingerprint: str
    command: Command
    creates: bool
    loaded: Certificate | None
    answer: Future[WriteResult] = field(default_factory=Future)


def already_exists(ref: CertificateRef) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"certificate {ref.certificate_number} of {ref.certification_body_id} already exists"
    )


class GroupCommitter:
    """The one thread through which a Registry's writes reach the store."""

    def __init__(self, app: Registry) -> None:
        self.app = app
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
        records: list[RequestRecord] = []
        accepted: list[tuple[WriteRequest, int, datetime]] = []
        later: list[WriteRequest] = []
        keys: set[str] = set()
        for request in batch:
            if request.key in keys:
                later.append(request)  # a retry racing its first attempt: answer it after
                continue
            try:
                certificate = self._current(request, staged)
                certificate, record, recorded_at = self._apply(request, certificate)
            except RegistryError as error:
                self._refuse(request, error)
                continue
            staged[request.cert_id] = certificate
            records.append(record)
            accepted.append((request, certificate.version, recorded_at))
            keys.add(request.key)
        if accepted:
            try:
                self.app.save(*staged.values(), *records)
            except IntegrityError:
                for request, _, _ in accepted:
                    self._commit_alone(request)
            except OperationalError as error:
                unavailable = UnavailableError(f"the event store is unavailable: {error}")
                for request, _, _ in accepted:
                    request.answer.set_exception(unavailable)
            else:
                for certificate in staged.values():
                    self._remember(certificate)
                for request, version, recorded_at in accepted:
                    request.answer.set_result(WriteResult(version, recorded_at))
        for request in later:
            self._commit_alone(request)

    def _refuse(self, request: WriteRequest, error: RegistryError) -> None:
        """Answer ``error`` unless the request is a retry of one already done."""
        try:
            first = self.app._first_result(request.key, request.fingerprint)
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
                first = self.app._first_result(request.key, request.fingerprint)
                if first is not None:
                    request.answer.set_result(first)
                    return
                certificate = self.app._load_for_write(
                    request.cert_id, request.ref, request.meta, request.creates
                )
                certificate, record, recorded_at = self._apply(request, certificate)
                try:
                    self.app.save(certificate, record)
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
            request.answer.set_result(WriteResult(certificate.version, recorded_at))
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
                certificate = self.app._load_for_write(
                    request.cert_id, request.ref, request.meta, request.creates
                )
        version = certificate.version if certificate is not None else 0
        expected = request.meta.expected_version
        if expected is not None and expected != version:
            raise ConflictError(
                f"expected version {expected}, the certificate is at version {version}"
            )
        return certificate

    def _apply(
        self, request: WriteRequest, certificate: Certificate | None
    ) -> tuple[Certificate, RequestRecord, datetime]:
        recorded_at = self.app._next_recorded_at(
            certificate.modified_on if certificate is not None else None
        )
        context = {
            "standards": self.app.standards,
            "today": recorded_at.date(),
            "recorded_at": recorded_at,
            "effective_date": request.meta.effective_date or recorded_at.date(),
            "actor": request.meta.actor,
            "request_id": request.request_id,
        }
        certificate = request.command(certificate, context)
        record = RequestRecord._create(
            RequestRecord.Accepted,  # type: ignore[attr-defined]
            id=RequestRecord.create_id(request.key),
            timestamp=recorded_at,
            key=request.key,
            fingerprint=request.fingerprint,
            certificate_id=request.cert_id,
            certificate_version=certificate.version,
            recorded_at=recorded_at,
        )
        return certificate, record, recorded_at

    def _remember(self, certificate: Certificate) -> None:
        self._versions[certificate.id] = certificate.version
        self._versions.move_to_end(certificate.id)
        if len(self._versions) > KNOWN_VERSIONS:
            self._versions.popitem(last=False)
