"""Shared fixtures: the registry on each backend, and a real server with a real client."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient
from registry.server.app import create_server

BACKENDS = ["memory", "sqlite"]


def db_url(backend: str, tmp_path: Path) -> str:
    if backend == "memory":
        return "memory:"
    return f"sqlite:///{tmp_path / 'registry.db'}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(backend: str, tmp_path: Path) -> Iterator[Registry]:
    registry = Registry(config.persistence_env(db_url(backend, tmp_path)))
    yield registry
    registry.close()


@dataclass
class RunningServer:
    """A registry server on a free loopback port, with a client connected to it."""

    app: Registry
    server: grpc.Server
    port: int
    client: RegistryClient

    @classmethod
    def start(cls, app: Registry) -> RunningServer:
        server, port, _ = create_server(app, "127.0.0.1:0")
        server.start()
        client = RegistryClient(f"127.0.0.1:{port}", timeout=10, retries=2)
        return cls(app, server, port, client)

    def stop(self) -> None:
        self.client.close()
        self.server.stop(None).wait()
        self.app.close()


@pytest.fixture
def running(backend: str, tmp_path: Path) -> Iterator[RunningServer]:
    server = RunningServer.start(Registry(config.persistence_env(db_url(backend, tmp_path))))
    yield server
    server.stop()


@pytest.fixture
def client(running: RunningServer) -> RegistryClient:
    return running.client


def issue_default(
    client: RegistryClient,
    number: str = "Q-1",
    *,
    cb: str = "cb-1",
    effective: str = "2024-01-10",
    expiry: str = "2027-01-09",
    standard: str = "ISO 9001:2015",
    request_id: str | None = None,
) -> int:
    """Issue a plain certificate over the wire; returns its version (1)."""
    from datetime import date

    from registry.v1 import certificate_service_pb2 as pb

    response = client.issue_certificate(
        cb,
        number,
        organization=pb.Organization(name="Acme GmbH", country="DE", address="1 Hauptstr, Berlin"),
        standard=standard,
        scope="Design and manufacture of widgets",
        sector_codes=["17"],
        sites=[pb.Site(address="1 Hauptstr, Berlin")],
        expiry_date=date.fromisoformat(expiry),
        effective_date=date.fromisoformat(effective),
        request_id=request_id,
    )
    return int(response.version)


@pytest.fixture
def issue(client: RegistryClient) -> Callable[..., int]:
    """``issue("Q-1", effective=..., expiry=...)`` over the wire."""
    return functools.partial(issue_default, client)
