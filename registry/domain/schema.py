"""The version of the registry's stored schema, kept as an aggregate in the event store itself."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

SCHEMA_NAMESPACE = UUID("9b1c7d2e-4f5a-5b6c-8d7e-1f2a3b4c5d6e")
SCHEMA_ID = uuid5(SCHEMA_NAMESPACE, "registry-schema")

# Version 1: Certificate events, RequestRecord events, this aggregate.
CURRENT_SCHEMA_VERSION = 1


class SchemaVersion(Aggregate):
    """Which schema version the stored events follow; raised when an upgrade migrates them."""

    @event("Created")
    def __init__(self, version: int) -> None:
        self.version_number = version

    @staticmethod
    def create_id(version: int) -> UUID:
        return SCHEMA_ID

    @event("Upgraded")
    def upgrade(self, version: int) -> None:
        self.version_number = version
