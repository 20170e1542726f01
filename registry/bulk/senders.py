"""Who sends each row of an import, as the access rules ask (``registry.server.access``).

A CB sends its certificates' rows, an AB its accreditations', the admin the directory's
and the catalogue's. An import run with the admin's token acts as each of them in turn
through a token of its own, short-lived, made when first needed and revoked when the
import ends; run with any other token, it sends every row with that token, and the server
refuses what that principal may not send.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc

from registry.bulk.reference import ADMIN
from registry.client import RegistryClient, RegistryClientError

# How long a token made for an import lasts, at most (each is revoked when it ends).
TOKEN_LIFETIME = timedelta(hours=24)
TOKEN_NOTE = "made for this import only; revoked when it ends"


class Senders:
    """Who sends each row. With the admin's token: for each principal the rows need (a CB
    for its certificates, an AB for its accreditations), a client with a token of that
    principal's own, made when first needed, expiring after ``TOKEN_LIFETIME``, revoked by
    ``close``; the admin's own rows go with the admin's token. With any other token, every
    row goes with it (the server refuses what that principal may not send)."""

    def __init__(self, client: RegistryClient, note: str) -> None:
        self.client = client
        self.note = note
        self.unrevoked: list[str] = []  # ids of tokens made that ``close`` could not revoke
        self._admin: bool | None = None
        self._clients: dict[str, RegistryClient] = {}
        self._made: list[str] = []

    def client_for(self, principal: str) -> RegistryClient:
        """The client to send ``principal``'s rows with; raises ``RegistryClientError``
        when its token cannot be made (NOT_FOUND: the body is not registered)."""
        if principal == ADMIN or not self._is_admin():
            return self.client
        client = self._clients.get(principal)
        if client is None:
            role, _, body_id = principal.partition(":")
            expires = datetime.now(UTC) + TOKEN_LIFETIME
            made = self.client.create_token(role, body_id, expires_at=expires, note=self.note)
            self._made.append(made.details.token_id)
            client = self._clients[principal] = self.client.with_token(made.token)
        return client

    def _is_admin(self) -> bool:
        """Whether the importer's token is the admin's: it may list the tokens."""
        if self._admin is None:
            try:
                self.client.list_tokens()
                self._admin = True
            except RegistryClientError as error:
                if error.code not in (
                    grpc.StatusCode.PERMISSION_DENIED,
                    grpc.StatusCode.UNAUTHENTICATED,
                ):
                    raise
                self._admin = False
        return self._admin

    def close(self) -> None:
        """Revoke every token made (those that cannot be are kept in ``unrevoked``)."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        for token_id in self._made:
            try:
                self.client.revoke_token(token_id)
            except RegistryClientError:
                self.unrevoked.append(token_id)
        self._made.clear()
