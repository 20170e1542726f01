"""The global log read as typed views: each event with its position and its certificate.

An event names its certificate only by aggregate id (a uuid5 that cannot be
reversed); its CB and number are in the certificate's ``Issued`` event. Readers
of the global log (the feed, the audit index, export) resolve them through
``CertificateRefs``: ``Issued`` events seen pass tell it directly, others are
read once from the certificate's version 1 and kept (bounded, least recently
used). A ref never changes once issued, so a kept one is never stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from uuid import UUID

from eventsourcing.persistence import Notification, OperationalError

from registry.application.history import event_view
from registry.application.views import CertificateRef, EventView
from registry.domain.certificate import Certificate
from registry.errors import UnavailableError

DEFAULT_SIZE = 100_000

Decode = Callable[[Notification], object]
ReadFirst = Callable[[UUID], Certificate.Issued | None]


class CertificateRefs:
    """A bounded map of certificate id → (CB, number)."""

    def __init__(self, read_first: ReadFirst, size: int = DEFAULT_SIZE) -> None:
        self._read_first = read_first
        self.size = size
        self._kept: OrderedDict[UUID, CertificateRef] = OrderedDict()
        self._lock = threading.Lock()

    def learn(self, issued: Certificate.Issued) -> CertificateRef:
        ref = CertificateRef(issued.certification_body_id, issued.certificate_number)
        self._keep(issued.originator_id, ref)
        return ref

    def get(self, cert_id: UUID) -> CertificateRef:
        with self._lock:
            ref = self._kept.get(cert_id)
            if ref is not None:
                self._kept.move_to_end(cert_id)
                return ref
        issued = self._read_first(cert_id)
        if issued is None:
            raise LookupError(f"no Issued event for certificate {cert_id}")
        return self.learn(issued)

    def _keep(self, cert_id: UUID, ref: CertificateRef) -> None:
        with self._lock:
            self._kept[cert_id] = ref
            self._kept.move_to_end(cert_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


def log_views(
    notifications: Sequence[Notification], decode: Decode, refs: CertificateRefs
) -> list[EventView]:
    """The notifications (of certificate events) as views with position and certificate."""
    views = []
    for notification in notifications:
        event = decode(notification)
        if not isinstance(event, Certificate.Event):
            continue  # not a certificate's event: not part of the certificate log
        ref = refs.learn(event) if isinstance(event, Certificate.Issued) else None
        try:
            ref = ref or refs.get(event.originator_id)
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        views.append(event_view(event, None, notification.id, certificate=ref))
    return views
