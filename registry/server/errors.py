"""The one place where registry errors become gRPC status codes."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from eventsourcing.persistence import InterfaceError, OperationalError

from registry.errors import (
    AlreadyExistsError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    OutOfRangeError,
    PermissionDeniedError,
    RegistryError,
    RuleViolationError,
    UnauthenticatedError,
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
    OutOfRangeError: grpc.StatusCode.OUT_OF_RANGE,
    UnauthenticatedError: grpc.StatusCode.UNAUTHENTICATED,
    PermissionDeniedError: grpc.StatusCode.PERMISSION_DENIED,
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


class Refusal(Exception):
    """A call's answer when it is not a response: a status code and a bounded message.

    ``fault`` is the storage fault behind an UNAVAILABLE answer, for the server's
    :class:`StoreFaults` to log.
    """

    def __init__(
        self, code: grpc.StatusCode, message: str, fault: BaseException | None = None
    ) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.fault = fault


class StoreFaults:
    """Logs a storage fault (disk full, database unreachable) once when it begins and once
    when it ends, not once per failing call: a long outage is two lines, not thousands."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed = 0

    def failed(self, where: str, error: BaseException) -> None:
        with self._lock:
            self._failed += 1
            first = self._failed == 1
        if first:
            log.error("event store unavailable (first seen in %s): %s", where, one_line(str(error)))

    def succeeded(self) -> None:
        if not self._failed:  # the common case: no lock taken
            return
        with self._lock:
            failed, self._failed = self._failed, 0
        if failed:
            log.warning("event store available again, after %d refused call(s)", failed)


def refusal(error: BaseException, where: str) -> Refusal:
    """The answer to a call that raised ``error``, logged as it deserves.

    A refused request is logged in one line, without a traceback; an unavailable store is
    left to the server's :class:`StoreFaults` (once when the outage begins, once when it
    ends); an unexpected error is logged with its traceback, answered INTERNAL with a
    generic message. A client's message is at most ``MAX_MESSAGE_BYTES`` long.
    """
    if isinstance(error, Refusal):
        return error
    if isinstance(error, UnavailableError):
        return Refusal(grpc.StatusCode.UNAVAILABLE, bounded(str(error)), error)
    if isinstance(error, RegistryError):
        code, message = status_code_of(error), bounded(str(error))
        log.info("%s refused: %s: %s", where, code.name, one_line(message))
        return Refusal(code, message)
    if isinstance(error, (OperationalError, InterfaceError)):
        return Refusal(grpc.StatusCode.UNAVAILABLE, "the event store is unavailable; retry", error)
    log.error("unexpected error in %s", where, exc_info=error)
    return Refusal(grpc.StatusCode.INTERNAL, "internal error")


def translate_errors(handler: Handler) -> Handler:
    """Turn what ``handler`` raises into a :class:`Refusal` (see :func:`refusal`)."""

    @functools.wraps(handler)
    def wrapper(self: Any, request: Any, context: Any) -> Any:
        try:
            return handler(self, request, context)
        except Exception as error:
            raise refusal(error, handler.__name__) from None

    return wrapper  # type: ignore[return-value]
