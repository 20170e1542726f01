"""The directory and the tokens the benchmarks write under.

Every certificate write needs its CB registered (and active on the effective date) and,
over gRPC, that CB's bearer token; audit RPCs need the admin's. ``register`` sets the
CBs up in process, before anything is timed; ``Tokens`` answers each call's token (the
writing CB's for a certificate write, the admin's for everything else, so no reader is
held to the anonymous rate limit); ``over_the_wire`` does the same through a running
server's admin RPCs, with the first admin token ``registry serve --token-file`` wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from registry.application.views import WriteMeta
from registry.client import RegistryClient
from registry.domain.principals import ADMIN, certification_body

SINCE = date(2000, 1, 1)


class Tokens:
    """A ``token_source``: the CB's token for a call about one of its certificates, the
    admin's for any other call."""

    def __init__(self, admin: str, cbs: dict[str, str]) -> None:
        self.admin = admin
        self.cbs = cbs

    def __call__(self, method: str, request: Any) -> str:
        return self.cbs.get(_cb_of(request), self.admin)


def _cb_of(request: Any) -> str:
    certificate = getattr(request, "certificate", None)
    if certificate is not None:
        return str(getattr(certificate, "certification_body_id", ""))
    for command in getattr(request, "commands", ()):  # PublishBatch: its first command's CB
        kind = command.WhichOneof("command")
        if kind is not None:
            return str(getattr(command, kind).certificate.certification_body_id)
    return ""


def register(app: Any, cbs: Iterable[str]) -> Tokens:
    """Register ``cbs`` in ``app``'s directory from 2000-01-01 (again: nothing changes) and
    create a token for each and one for an admin."""
    tokens = {}
    for cb in dict.fromkeys(cbs):
        meta = WriteMeta(f"bench-register-{cb}", effective_date=SINCE, actor="admin")
        app.directory.register_certification_body(
            cb, meta, name=f"Certification body {cb}", country="DE"
        )
        tokens[cb] = app.credentials.create(certification_body(cb), note="bench").token
    return Tokens(app.credentials.create(ADMIN, note="bench").token, tokens)


def over_the_wire(target: str, token_file: Path, cbs: Iterable[str], **channel: Any) -> Tokens:
    """``register`` through the server at ``target``, as the admin whose token
    ``registry serve --token-file token_file`` wrote."""
    admin = token_file.read_text().strip()
    tokens = {}
    with RegistryClient(target, timeout=30, token=admin, **channel) as client:
        for cb in dict.fromkeys(cbs):
            client.register_certification_body(
                cb,
                name=f"Certification body {cb}",
                country="DE",
                effective_date=SINCE,
                request_id=f"bench-register-{cb}",
            )
            tokens[cb] = client.create_token("cb", cb, note="bench").token
    return Tokens(admin, tokens)
