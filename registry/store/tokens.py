"""Bearer tokens beside the log: what every recorder keeps of a token, and how.

A token is stored by its public id with the SHA-256 of its secret (hex), never
the secret itself, so a copy of the database grants nobody anything. Each
recorder keeps them in the table ``registry_tokens``, created with the log's
other tables; times are µs since the epoch, as in the log's tables.

The first admin token is *bootstrapped*: inserted only if no token ever was on
this store. The meta key ``admin_bootstrapped`` (in ``registry_meta``) records
it, set in the same transaction as the token is inserted, and only by the
transaction whose insert of that key takes effect: so of two processes starting
at once on one store, exactly one bootstraps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from registry.store.log import from_micros, to_micros

TOKENS = "registry_tokens"
BOOTSTRAP_KEY = "admin_bootstrapped"
# The columns of ``TOKENS``, in the order ``token_values`` gives and ``token_row`` reads.
TOKEN_COLUMNS = "token_id, secret_hash, principal, created_at, expires_at, revoked_at, note"


@dataclass(frozen=True)
class TokenRow:
    """One stored token: its public id, the hash of its secret, whose it is, its lifetime."""

    token_id: str
    secret_hash: str
    principal: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    note: str


class TokenStore(Protocol):
    """What the registry needs of a recorder to keep bearer tokens."""

    def insert_token(self, row: TokenRow) -> None:
        """Insert a new token (an integrity error if its id is taken)."""

    def bootstrap_token(self, row: TokenRow) -> bool:
        """Insert ``row`` only if no token was ever bootstrapped on this store; whether
        ``row`` is the bootstrapped token."""
        ...

    def select_token(self, token_id: str) -> TokenRow | None:
        """The token ``token_id`` names, if any."""

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        """Set the token's revocation time to ``at`` unless it is set; False if no such token."""
        ...

    def select_tokens(self) -> list[TokenRow]:
        """Every token, in order of creation."""
        ...


def token_values(row: TokenRow) -> tuple[Any, ...]:
    """A token as the values of ``TOKEN_COLUMNS``."""
    return (
        row.token_id,
        row.secret_hash,
        row.principal,
        to_micros(row.created_at),
        _micros(row.expires_at),
        _micros(row.revoked_at),
        row.note,
    )


def token_row(values: Sequence[Any]) -> TokenRow:
    """A token from the values of ``TOKEN_COLUMNS``, as selected."""
    token_id, secret_hash, principal, created_at, expires_at, revoked_at, note = values
    return TokenRow(
        token_id=str(token_id),
        secret_hash=str(secret_hash),
        principal=str(principal),
        created_at=from_micros(int(created_at)),
        expires_at=_instant(expires_at),
        revoked_at=_instant(revoked_at),
        note=str(note),
    )


def _micros(instant: datetime | None) -> int | None:
    return None if instant is None else to_micros(instant)


def _instant(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(int(micros))
