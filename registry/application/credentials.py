"""Bearer tokens: issuing, listing, revoking, and telling who presents one.

A token reads ``rgt_<token_id>_<secret>``: ``token_id`` is 16 lowercase hex
characters, public, naming the token wherever it is listed or revoked; the
secret is 32 random bytes in base64url (43 characters). The store keeps only
the SHA-256 of the secret (registry/store/tokens.py): the token is shown once,
when it is issued, and never again.

Authenticating looks the token up by its id, through a small per-process cache
whose entries are trusted for ``cache_seconds`` at most; so a token revoked by
any process sharing the store is refused everywhere within that time (and at
once by the process that revoked it). Its expiry is checked against the clock
on every call. No error message quotes a presented token or its secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from eventsourcing.persistence import OperationalError

from registry.application import inputs
from registry.domain.principals import ADMIN, Principal
from registry.errors import (
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
    UnavailableError,
)
from registry.store.tokens import TokenRow, TokenStore

PREFIX = "rgt_"
TOKEN_ID_BYTES = 8  # 16 hex characters
SECRET_BYTES = 32  # 43 characters of base64url
MAX_TOKEN_CHARS = 200
MAX_NOTE_BYTES = 200
BOOTSTRAP_NOTE = "bootstrap"
DEFAULT_CACHE_SECONDS = 0.5
CACHE_SIZE = 10_000

T = TypeVar("T")
_TOKEN = re.compile(r"rgt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_TOKEN_ID = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True)
class TokenView:
    """A token as listed: everything but its secret (and the secret's hash)."""

    token_id: str
    principal: Principal
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    note: str


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: its text, to hand to its holder once, and its view."""

    token: str = field(repr=False)
    view: TokenView


class Credentials:
    """The bearer tokens of one store, and the principal each one authenticates."""

    def __init__(
        self,
        store: TokenStore,
        clock: Callable[[], datetime],
        cache_seconds: float = DEFAULT_CACHE_SECONDS,
        *,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self._store = store
        self._clock = clock
        self._cache = _RowCache(cache_seconds, cache_size)

    def create(
        self, principal: Principal, *, expires_at: datetime | None = None, note: str = ""
    ) -> IssuedToken:
        """A new token for ``principal``, valid until ``expires_at`` (for good if None)."""
        if principal.is_anonymous:
            raise InvalidInputError("principal: a token is issued to admin, cb:ID or ab:ID")
        now = self._now()
        if expires_at is not None:
            if expires_at.tzinfo is None or expires_at.utcoffset() is None:
                raise InvalidInputError("expires_at must carry a time zone")
            if expires_at <= now:
                raise InvalidInputError(
                    f"expires_at {expires_at.isoformat()} is not later than the registry's "
                    f"current time {now.isoformat()}"
                )
            expires_at = expires_at.astimezone(UTC)
        note = inputs.text(note, "note", max_bytes=MAX_NOTE_BYTES, required=False)
        token, row = _new_token(principal, now, expires_at, note)
        self._call(lambda: self._store.insert_token(row))
        self._cache.drop(row.token_id)
        return IssuedToken(token, _view(row))

    def bootstrap(self) -> IssuedToken | None:
        """The first admin token, if no token was ever bootstrapped on this store."""
        token, row = _new_token(ADMIN, self._now(), None, BOOTSTRAP_NOTE)
        if not self._call(lambda: self._store.bootstrap_token(row)):
            return None
        self._cache.drop(row.token_id)
        return IssuedToken(token, _view(row))

    def revoke(self, token_id: str) -> TokenView:
        """Revoke the token ``token_id`` names; revoking it again keeps the first time."""
        if not _TOKEN_ID.fullmatch(token_id):
            raise InvalidInputError("token_id must be 16 lowercase hexadecimal characters")
        now = self._now()
        revoked = self._call(lambda: self._store.revoke_token(token_id, now))
        self._cache.drop(token_id)
        row = self._call(lambda: self._store.select_token(token_id)) if revoked else None
        if row is None:
            raise NotFoundError(f"no token {token_id}")
        return _view(row)

    def tokens(self) -> list[TokenView]:
        """Every token of the store, oldest first, without secrets."""
        return [_view(row) for row in self._call(self._store.select_tokens)]

    def authenticate(self, text: str) -> Principal:
        """The principal the token ``text`` stands for, if it is well formed, known, its
        secret right, and it is neither revoked nor expired."""
        match = _TOKEN.fullmatch(text) if len(text) <= MAX_TOKEN_CHARS else None
        if match is None:
            raise UnauthenticatedError(
                "the credential is not a registry token (rgt_<token id>_<secret>)"
            )
        token_id, secret = match.groups()
        row = self._lookup(token_id)
        # An unknown id and a wrong secret are answered alike: only the token's holder
        # learns more about it.
        if row is None or not hmac.compare_digest(_hash(secret), row.secret_hash):
            raise UnauthenticatedError("the token is not recognised")
        if row.revoked_at is not None:
            raise UnauthenticatedError(f"the token {token_id} is revoked")
        if row.expires_at is not None and row.expires_at <= self._now():
            raise UnauthenticatedError(f"the token {token_id} has expired")
        return Principal.parse(row.principal)

    def _lookup(self, token_id: str) -> TokenRow | None:
        found, row = self._cache.get(token_id)
        if not found:
            ticket = self._cache.ticket()
            row = self._call(lambda: self._store.select_token(token_id))
            self._cache.put(token_id, row, ticket)
        return row

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    @staticmethod
    def _call(action: Callable[[], T]) -> T:
        try:
            return action()
        except OperationalError as error:
            raise UnavailableError(f"the token store is unavailable: {error}") from None


@dataclass(frozen=True)
class _Ticket:
    """Taken before a row is read: when the read began, and how many drops preceded it."""

    started: float
    drops: int


class _RowCache:
    """Rows looked up by token id (None for none), each trusted for ``seconds`` after its
    read began; at most ``size`` of them, the least recently used dropped first.

    A row read while this process changed the token (``drop``) may be older than the
    change, and is not kept.
    """

    def __init__(self, seconds: float, size: int) -> None:
        self.seconds = seconds
        self.size = size
        self._kept: OrderedDict[str, tuple[float, TokenRow | None]] = OrderedDict()
        self._drops = 0
        self._lock = threading.Lock()

    def get(self, token_id: str) -> tuple[bool, TokenRow | None]:
        """Whether a fresh entry is kept, and its row."""
        with self._lock:
            entry = self._kept.get(token_id)
            if entry is None:
                return False, None
            read_at, row = entry
            if time.monotonic() - read_at >= self.seconds:
                del self._kept[token_id]
                return False, None
            self._kept.move_to_end(token_id)
            return True, row

    def ticket(self) -> _Ticket:
        with self._lock:
            return _Ticket(time.monotonic(), self._drops)

    def put(self, token_id: str, row: TokenRow | None, ticket: _Ticket) -> None:
        with self._lock:
            if self.seconds <= 0 or ticket.drops != self._drops:
                return
            self._kept[token_id] = (ticket.started, row)
            self._kept.move_to_end(token_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def drop(self, token_id: str) -> None:
        with self._lock:
            self._drops += 1
            self._kept.pop(token_id, None)


def _new_token(
    principal: Principal, now: datetime, expires_at: datetime | None, note: str
) -> tuple[str, TokenRow]:
    token_id = secrets.token_hex(TOKEN_ID_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row = TokenRow(
        token_id=token_id,
        secret_hash=_hash(secret),
        principal=str(principal),
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
        note=note,
    )
    return f"{PREFIX}{token_id}_{secret}", row


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _view(row: TokenRow) -> TokenView:
    return TokenView(
        token_id=row.token_id,
        principal=Principal.parse(row.principal),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        note=row.note,
    )
