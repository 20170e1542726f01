"""Idempotency: one tiny aggregate per (principal, request id), saved with the change it made.

Its id is derived from the request id, so the event store's uniqueness rejects a
second save of the same request; it records what the first one answered.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

REQUEST_NAMESPACE = UUID("3a7e4b52-1c2d-5e6f-8a9b-0c1d2e3f4a5b")


class RequestRecord(Aggregate):
    """The first result of a write request, kept to answer its retries."""

    @event("Accepted")
    def __init__(
        self,
        key: str,
        fingerprint: str,
        certificate_id: UUID,
        certificate_version: int,
        recorded_at: datetime,
    ) -> None:
        self.key = key
        self.fingerprint = fingerprint
        self.certificate_id = certificate_id
        self.certificate_version = certificate_version
        self.recorded_at = recorded_at

    @staticmethod
    def create_id(key: str) -> UUID:
        return uuid5(REQUEST_NAMESPACE, key)


def request_key(principal: str, request_id: str) -> str:
    return f"{principal}\n{request_id}"
