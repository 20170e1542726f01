"""Shared fixtures: the registry on each backend, and a real server with a real client."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from authority import Authority, prepare_in_process
from pg_instance import PostgresInstance, schema_dsn
from server_process import ServerProcess

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient
from registry.domain.principals import ADMIN
from registry.server.app import BackgroundServer

BACKENDS = ["memory", "sqlite", "postgres"]
LAUNCHER = Path(__file__).with_name("registry_launcher.py")
# The settings a client command takes from the environment: a test gives its own or none.
CLIENT_ENVIRONMENT = (
    config.DB_ENV,
    config.SERVER_ENV,
    config.TOKEN_ENV,
    config.TOKEN_FILE_ENV,
    config.TLS_CA_ENV,
    config.TLS_CERT_ENV,
    config.TLS_KEY_ENV,
)


def run_registry(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``registry ARGS`` as a process (through the launcher, so it sees the run's today),
    in ``cwd``: the environment without the client settings, then ``env``."""
    environment = {k: v for k, v in os.environ.items() if k not in CLIENT_ENVIRONMENT}
    return subprocess.run(
        [sys.executable, str(LAUNCHER), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**environment, **(env or {})},
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DD",
        help="move the machine's date to this day for the whole run (time-machine), "
        "including the server processes the tests start: no test may depend on the real date",
    )


def pytest_configure(config: pytest.Config) -> None:
    day = config.getoption("--today")
    if day:
        import time_machine
        from registry_launcher import TODAY_ENV

        moved = datetime.combine(date.fromisoformat(day), time(9), tzinfo=UTC)
        time_machine.travel(moved, tick=True).start()
        os.environ[TODAY_ENV] = day


PERSISTENT_BACKENDS = ["sqlite", "postgres"]
TEST_DSN_ENV = "REGISTRY_TEST_POSTGRES_DSN"


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """An existing database named by $REGISTRY_TEST_POSTGRES_DSN, else a server of our own."""
    if dsn := os.environ.get(TEST_DSN_ENV):
        yield dsn
        return
    instance = PostgresInstance.start()
    try:
        yield instance.dsn
    finally:
        instance.stop()


def make_db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "memory":
        return "memory:"
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    return schema_dsn(request.getfixturevalue("postgres_dsn"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty registry on the backend under test."""
    return make_db_url(backend, tmp_path, request)


@pytest.fixture(params=PERSISTENT_BACKENDS)
def durable_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh registry that outlives the process using it: SQLite file or PostgreSQL."""
    return make_db_url(str(request.param), tmp_path, request)


@pytest.fixture
def app(db_url: str) -> Iterator[Registry]:
    registry = prepare_in_process(Registry(config.persistence_env(db_url)))
    yield registry
    registry.close()


@dataclass
class RunningServer:
    """A registry server on a free loopback port, with a client connected to it whose
    writes go as the CB they write for (see ``authority.Authority``), and its other calls
    as the admin."""

    app: Registry
    server: BackgroundServer
    port: int
    client: RegistryClient
    authority: Authority

    @classmethod
    def start(cls, app: Registry, *, prepare: bool = True, **server_options: Any) -> RunningServer:
        """``prepare``: register the CBs most tests write for (see ``Authority.prepare``);
        without it, the registry holds only what a new one does."""
        server = BackgroundServer(app, **server_options).start()
        admin = app.credentials.create(ADMIN, note="tests").token
        authority = Authority(f"127.0.0.1:{server.port}", admin)
        if prepare:
            authority.prepare()
        client = authority.client(timeout=10, retries=2)
        return cls(app, server, server.port, client, authority)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.client.close()
        self.authority.close()
        self.server.stop()
        self.app.close()


def certificate_events(running: RunningServer) -> int:
    """How many certificate events the log holds (the directory's events, which the tests'
    set-up writes, are not counted)."""
    count, after = 0, 0
    while True:
        page = running.app.read_log(after, 500)
        count += len(page.events)
        if page.last_position == after:
            return count
        after = page.last_position


@pytest.fixture
def running(db_url: str) -> Iterator[RunningServer]:
    server = RunningServer.start(Registry(config.persistence_env(db_url)))
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


@pytest.fixture
def two_servers(
    durable_db_url: str, tmp_path: Path
) -> Iterator[tuple[list[ServerProcess], list[RegistryClient]]]:
    """Two `registry serve` processes on one store, and a client of each."""
    servers = [ServerProcess(durable_db_url, tmp_path / f"server-{n}.log") for n in range(2)]
    for server in servers:
        server.start()
    authorities = [Authority(s.target, servers[0].admin_token()) for s in servers]
    authorities[0].prepare()
    clients = [a.client(timeout=10, retries=4) for a in authorities]
    yield servers, clients
    for client in clients:
        client.close()
    for authority in authorities:
        authority.close()
    for server in servers:
        if server.process and server.process.poll() is None:
            assert server.stop() == 0
