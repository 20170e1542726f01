"""The registry's one error tree.

    RegistryError
     ├── InvalidInputError        malformed input (bad date, empty number, unknown standard)
     ├── NotFoundError            a command names a certificate or event that does not exist
     ├── AlreadyExistsError       issuing a certificate number the CB already used
     ├── RuleViolationError       a lifecycle rule (SPEC 2.2) forbids the change; names the rule
     ├── ConflictError            optimistic concurrency: expected_version did not match
     ├── OutOfRangeError          a log position asked for lies beyond the end of the log
     ├── UnauthenticatedError     no credential, or one that is garbage, revoked or expired
     ├── PermissionDeniedError    a known principal asks for what its role does not allow
     ├── UnavailableError         the store cannot be reached right now; safe to retry
     └── SchemaError              the database was written by a newer registry

The gRPC layer maps each to one status code (registry/server/errors.py).
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base of every error the registry raises on purpose."""


class InvalidInputError(RegistryError):
    """Raised when a request is malformed, whatever the registry holds."""


class NotFoundError(RegistryError):
    """Raised when a command names a certificate or event the registry does not hold."""


class AlreadyExistsError(RegistryError):
    """Raised when issuing a certificate whose number its CB has already used."""


class RuleViolationError(RegistryError):
    """Raised when a lifecycle rule forbids the change; ``rule`` names it."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"rule '{rule}' violated: {detail}")
        self.rule = rule
        self.detail = detail


class ConflictError(RegistryError):
    """Raised when ``expected_version`` does not match, or a racing write won."""


class OutOfRangeError(RegistryError):
    """Raised when a request names a log position beyond the last one recorded."""


class UnauthenticatedError(RegistryError):
    """Raised when a credential is missing where one is needed, malformed, unknown,
    revoked or expired."""


class PermissionDeniedError(RegistryError):
    """Raised when a known principal asks for what its role does not allow."""


class UnavailableError(RegistryError):
    """Raised when the event store cannot be reached; the request changed nothing."""


class SchemaError(RegistryError):
    """Raised at start-up when the database holds a newer schema than this registry knows."""
