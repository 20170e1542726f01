"""Certificates as last read, kept for reads and verified by version before each use.

A reading costs O(log n) on a loaded certificate (its day segments), but loading
one costs O(n) in its history (a snapshot holds every change in effect). So a
read first asks the store for the certificate's latest version (one indexed
row) and uses the copy kept here when it is that version. A kept copy's events
are never applied again: a newer version is loaded afresh and replaces it, so
concurrent readers never see a certificate half-way between two versions (its
lazily built day segments are derived once, idempotently). Writes never use
these copies.
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

    def put(self, certificate: Certificate) -> None:
        with self._lock:
            kept = self._kept.get(certificate.id)
            if kept is not None and kept.version > certificate.version:
                return
            self._kept[certificate.id] = certificate
            self._kept.move_to_end(certificate.id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
