"""Tokens across real server processes: a revocation made through one is refused by the
other within a second, and no token reaches the database or a server's log."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import grpc
import pytest
from conftest import issue_default
from server_process import ServerProcess

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient, RegistryClientError


def test_a_revoked_token_is_refused_by_every_process_within_a_second(two_servers):
    servers, _ = two_servers
    with RegistryClient(servers[0].target, token=servers[0].admin_token()) as admin:
        created = admin.create_token("cb", "cb-1", note="to revoke")
    token, token_id = created.token, created.details.token_id
    clients = [RegistryClient(s.target, token=token, timeout=10) for s in servers]
    try:
        for n, client in enumerate(clients):  # both processes know the token (and cache it)
            issue_default(client, f"Q-{n}")
        with RegistryClient(servers[0].target, token=servers[0].admin_token()) as admin:
            revoked = admin.revoke_token(token_id)
        assert revoked.details.HasField("revoked_at")
        deadline = time.monotonic() + 1.0
        refused_by = set()
        while len(refused_by) < 2 and time.monotonic() < deadline:
            for n, client in enumerate(clients):
                try:
                    client.get_certificate_status("cb-1", "Q-0")
                except RegistryClientError as error:
                    assert error.code is grpc.StatusCode.UNAUTHENTICATED
                    assert "revoked" in error.message
                    refused_by.add(n)
            time.sleep(0.05)
        assert refused_by == {0, 1}, "a process still accepted the revoked token after 1 s"
    finally:
        for client in clients:
            client.close()


def test_no_token_is_kept_in_the_database_or_written_to_a_log(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'registry.db'}"
    server = ServerProcess(db, tmp_path / "server.log").start()
    try:
        admin_token = server.admin_token()
        with RegistryClient(server.target, token=admin_token) as admin:
            admin.register_certification_body(
                "cb-1", name="One", country="DE", effective_date=date(2020, 1, 1)
            )
            cb = admin.create_token("cb", "cb-1")
            other = admin.create_token("admin")
            admin.revoke_token(other.details.token_id)
        with RegistryClient(server.target, token=cb.token) as client:
            issue_default(client, "Q-1")
            with pytest.raises(RegistryClientError):  # refused, and logged
                issue_default(client, "Q-2", cb="cb-2")
        for token in (other.token, cb.token + "x", "Bearer nonsense"):
            with (
                RegistryClient(server.target, token=token) as refused,
                pytest.raises(RegistryClientError),
            ):
                refused.list_tokens()
    finally:
        assert server.stop() == 0
    secrets = [t.split("_", 2)[2] for t in (admin_token, cb.token, other.token)]
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("registry.db*"))
    log = server.log.read_text()
    assert "refused" in log  # the refusals were logged ...
    for secret in secrets:  # ... never with a token
        assert secret.encode() not in stored
        assert secret not in log
    app = Registry(config.persistence_env(db))
    try:
        assert len(app.credentials.tokens()) == 3
    finally:
        app.close()
