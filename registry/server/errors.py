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

# gRPC sends the message in a header, percent-encoded (up to three characters a byte), and
# refuses headers over 8 KiB: a longer message would turn the answer into RESOURCE_EXHAUSTED.
MAX_MESSAGE_BYTES = 1000
CUT_MARK = " […]"

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


def bounded(message: str) -> str:
    """``message`` cut to at most ``MAX_MESSAGE_BYTES`` of UTF-8, on a character boundary."""
    encoded = message.encode("utf-8", "backslashreplace")
    if len(encoded) <= MAX_MESSAGE_BYTES:
        return encoded.decode("utf-8")
    room = MAX_MESSAGE_BYTES - len(CUT_MARK.encode("utf-8"))
    return encoded[:room].decode("utf-8", "ignore") + CUT_MARK


def one_line(message: str) -> str:
    """``message`` with line breaks and other unprintable characters escaped, for the log."""
    if message.isprintable():
        return message
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in message)


def translate_errors(handler: Handler) -> Handler:
    """Answer registry errors with their status code; anything else is INTERNAL, logged.

    A refused request is logged in one line, without a traceback; an unexpected error with
    its traceback. The message a client gets is at most ``MAX_MESSAGE_BYTES`` long.
    """

    @functools.wraps(handler)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return handler(self, request, context)
        except RegistryError as error:
            code, message = status_code_of(error), bounded(str(error))
            log.info("%s refused: %s: %s", handler.__name__, code.name, one_line(message))
            context.abort(code, message)
        except (OperationalError, InterfaceError):
            log.warning("event store unavailable in %s", handler.__name__, exc_info=True)
            context.abort(grpc.StatusCode.UNAVAILABLE, "the event store is unavailable; retry")
        except Exception:
            log.exception("unexpected error in %s", handler.__name__)
            context.abort(grpc.StatusCode.INTERNAL, "internal error")

    return wrapper  # type: ignore[return-value]
