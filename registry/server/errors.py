"""The one place where registry errors become gRPC status codes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from eventsourcing.persistence import InterfaceError, OperationalError

from registry.errors import (
    AlreadyExistsError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RegistryError,
    RuleViolationError,
    UnavailableError,
)

log = logging.getLogger(__name__)

STATUS_CODES: dict[type[RegistryError], grpc.StatusCode] = {
    InvalidInputError: grpc.StatusCode.INVALID_ARGUMENT,
    NotFoundError: grpc.StatusCode.NOT_FOUND,
    AlreadyExistsError: grpc.StatusCode.ALREADY_EXISTS,
    RuleViolationError: grpc.StatusCode.FAILED_PRECONDITION,
    ConflictError: grpc.StatusCode.ABORTED,
    UnavailableError: grpc.StatusCode.UNAVAILABLE,
}

Handler = TypeVar("Handler", bound=Callable[..., Any])


def status_code_of(error: RegistryError) -> grpc.StatusCode:
    for error_type in type(error).__mro__:
        if error_type in STATUS_CODES:
            return STATUS_CODES[error_type]
    return grpc.StatusCode.INTERNAL


def translate_errors(handler: Handler) -> Handler:
    """Answer registry errors with their status code; anything else is INTERNAL, logged."""

    @functools.wraps(handler)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return handler(self, request, context)
        except RegistryError as error:
            context.abort(status_code_of(error), str(error))
        except (OperationalError, InterfaceError):
            log.warning("event store unavailable in %s", handler.__name__, exc_info=True)
            context.abort(grpc.StatusCode.UNAVAILABLE, "the event store is unavailable; retry")
        except Exception:
            log.exception("unexpected error in %s", handler.__name__)
            context.abort(grpc.StatusCode.INTERNAL, "internal error")

    return wrapper  # type: ignore[return-value]
