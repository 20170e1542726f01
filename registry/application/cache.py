"""Certificates as last loaded, kept for reads and as the start of writes.

A reading costs O(log n) on a loaded certificate (its day segments), but loading
one costs O(n) in its history (a snapshot holds every change in effect). So a
read first asks the store for the certificate's version at its cut (one indexed
row) and uses the copy kept here when it is that version; a write asks for the
events after the kept copy's version. A kept copy is never changed: a newer
version is made from a ``copy()`` of it and the events after it (or loaded
afresh) and replaces it, so concurrent readers never see a certificate half-way
between two versions (its lazily built day segments are derived once,
idempotently). A write changes a ``copy()`` of its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from uuid import UUID

from registry.domain.certificate import Certificate

DEFAULT_SIZE = 10_000


class CertificateCache:
    """A bounded, least-recently-used map of certificate id → a loaded version."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._kept: OrderedDict[UUID, Certificate] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, cert_id: UUID, version: int) -> Certificate | None:
        """The kept copy if it is at ``version``."""
        with self._lock:
            kept = self._kept.get(cert_id)
            if kept is None or kept.version != version:
                return None
            self._kept.move_to_end(cert_id)
            return kept

    def latest(self, cert_id: UUID) -> Certificate | None:
        """The kept copy, at whichever version it is."""
        with self._lock:
            kept = self._kept.get(cert_id)
            if kept is not None:
                self._kept.move_to_end(cert_id)
            return kept

    def put(self, certificate: Certificate) -> None:
        with self._lock:
            kept = self._kept.get(certificate.id)
            if kept is not None and kept.version > certificate.version:
                return
            self._kept[certificate.id] = certificate
            self._kept.move_to_end(certificate.id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
