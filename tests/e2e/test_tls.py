"""TLS and mutual TLS over real loopback sockets, with certificates made by the test
(tests/tls_certs.py): who is let in, who is refused, and who a client certificate names."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import grpc
import pytest
from server_process import ServerProcess
from tls_certs import Authority, KeyPair

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient, RegistryClientError
from registry.domain.principals import ADMIN, Principal, accreditation_body, certification_body
from registry.errors import UnauthenticatedError
from registry.server.app import BackgroundServer
from registry.server.tls import TlsSettings, principal_from_peer, server_credentials
from registry.v1 import certificate_service_pb2 as pb


@dataclass(frozen=True)
class Pki:
    """The server's CA and certificate; the CA of clients' certificates, and another CA."""

    server_ca: Authority
    server: KeyPair
    client_ca: Authority
    other_ca: Authority

    @property
    def tls(self) -> TlsSettings:
        return TlsSettings(self.server.cert, self.server.key)

    @property
    def mutual_tls(self) -> TlsSettings:
        return TlsSettings(self.server.cert, self.server.key, self.client_ca.cert)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    server_ca = Authority.create(folder / "server-ca", "server-ca")
    return Pki(
        server_ca,
        server_ca.server(),
        Authority.create(folder / "client-ca", "client-ca"),
        Authority.create(folder / "other-ca", "other-ca"),
    )


@pytest.fixture(scope="module")
def cb_1(pki: Pki) -> KeyPair:
    """A client certificate of the client CA naming CB-1."""
    return pki.client_ca.client("cb:CB-1", "cb-1")


def serving(tls: TlsSettings) -> Iterator[str]:
    server = BackgroundServer(Registry(), tls=tls).start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        server.stop()
        server.app.close()


@pytest.fixture(scope="module")
def tls_server(pki: Pki) -> Iterator[str]:
    """The address of a server speaking TLS."""
    yield from serving(pki.tls)


@pytest.fixture(scope="module")
def mutual_tls_server(pki: Pki) -> Iterator[str]:
    """The address of a server speaking mutual TLS, with the client CA."""
    yield from serving(pki.mutual_tls)


def status(target: str, **tls: Any) -> int:
    with RegistryClient(target, timeout=10, retries=0, **tls) as client:
        return int(client.get_certificate_status("cb-1", "Q-1").status)


def refusal(target: str, **tls: Any) -> RegistryClientError:
    with pytest.raises(RegistryClientError) as refused:
        status(target, **tls)
    return refused.value


# TLS


def test_a_client_trusting_the_server_s_ca_is_answered_over_tls(tls_server, pki):
    assert status(tls_server, tls_ca=pki.server_ca.cert) == pb.CERTIFICATE_STATUS_UNKNOWN


def test_the_ca_may_be_given_as_pem_bytes(tls_server, pki):
    ca = pki.server_ca.cert.read_bytes()
    assert status(tls_server, tls_ca=ca) == pb.CERTIFICATE_STATUS_UNKNOWN


def test_a_plaintext_client_is_refused_by_a_tls_server(tls_server):
    assert refusal(tls_server).code is grpc.StatusCode.UNAVAILABLE


def test_a_client_trusting_another_ca_is_refused(tls_server, pki):
    refused = refusal(tls_server, tls_ca=pki.other_ca.cert)
    assert refused.code is grpc.StatusCode.UNAVAILABLE


# Mutual TLS


def test_a_client_with_a_certificate_of_the_client_ca_is_answered(mutual_tls_server, pki, cb_1):
    answer = status(
        mutual_tls_server, tls_ca=pki.server_ca.cert, tls_cert=cb_1.cert, tls_key=cb_1.key
    )
    assert answer == pb.CERTIFICATE_STATUS_UNKNOWN


def test_a_client_without_a_certificate_is_refused(mutual_tls_server, pki):
    refused = refusal(mutual_tls_server, tls_ca=pki.server_ca.cert)
    assert refused.code is grpc.StatusCode.UNAVAILABLE


def test_a_client_certificate_of_another_ca_is_refused(mutual_tls_server, pki):
    stranger = pki.other_ca.client("cb:CB-1", "cb-1-of-another-ca")
    refused = refusal(
        mutual_tls_server, tls_ca=pki.server_ca.cert, tls_cert=stranger.cert, tls_key=stranger.key
    )
    assert refused.code is grpc.StatusCode.UNAVAILABLE


def test_a_mutual_tls_server_refuses_a_plaintext_client(mutual_tls_server):
    assert refusal(mutual_tls_server).code is grpc.StatusCode.UNAVAILABLE


# Who a client certificate names: principal_from_peer on what a real call's server saw


async def _auth_context(
    settings: TlsSettings | None, credentials: grpc.ChannelCredentials | None
) -> dict[str, list[bytes]]:
    seen: list[dict[str, list[bytes]]] = []

    async def remember(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
        seen.append({key: list(values) for key, values in context.auth_context().items()})
        return b""

    server = grpc.aio.server()
    server.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                "test.Peer", {"Remember": grpc.unary_unary_rpc_method_handler(remember)}
            )
        ]
    )
    if settings is None:
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        port = server.add_secure_port("127.0.0.1:0", server_credentials(settings))
    await server.start()
    target = f"127.0.0.1:{port}"
    try:
        async with (
            grpc.aio.insecure_channel(target)
            if credentials is None
            else grpc.aio.secure_channel(target, credentials)
        ) as channel:
            await channel.unary_unary("/test.Peer/Remember")(b"", timeout=10)
    finally:
        await server.stop(None)
    return seen[0]


def peer_auth_context(
    pki: Pki, settings: TlsSettings | None, client: KeyPair | None = None
) -> dict[str, list[bytes]]:
    """The auth context a server made with ``settings`` (None: plaintext) sees of a call
    from a client presenting ``client``'s certificate, if any."""
    credentials = None
    if settings is not None:
        credentials = grpc.ssl_channel_credentials(
            pki.server_ca.cert.read_bytes(),
            client.key.read_bytes() if client else None,
            client.cert.read_bytes() if client else None,
        )
    return asyncio.run(_auth_context(settings, credentials))


@pytest.mark.parametrize(
    ("common_name", "principal"),
    [
        ("cb:CB-1", certification_body("CB-1")),
        ("ab:AB-1", accreditation_body("AB-1")),
        ("admin", ADMIN),
    ],
)
def test_a_mutual_tls_peer_is_the_principal_its_certificate_s_common_name_names(
    pki: Pki, common_name: str, principal: Principal
):
    client = pki.client_ca.client(common_name, common_name.replace(":", "-"))
    assert principal_from_peer(peer_auth_context(pki, pki.mutual_tls, client)) == principal


@pytest.mark.parametrize("common_name", ["not a principal", "cb:", "anonymous"])
def test_a_client_certificate_naming_no_principal_is_unauthenticated(pki, common_name):
    client = pki.client_ca.client(common_name, f"cn-{common_name.encode().hex()}")
    context = peer_auth_context(pki, pki.mutual_tls, client)
    with pytest.raises(UnauthenticatedError, match=re.escape(f"'CN={common_name}'")):
        principal_from_peer(context)


def test_a_plain_tls_peer_has_no_principal_even_with_a_certificate(pki, cb_1):
    assert principal_from_peer(peer_auth_context(pki, pki.tls, cb_1)) is None


def test_a_plaintext_peer_has_no_principal(pki):
    assert principal_from_peer(peer_auth_context(pki, None)) is None


# registry serve and the client commands


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def registry(*args: str | Path, env: Mapping[str, str] | None = None) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "registry", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=None if env is None else {**os.environ, **env},
    )
    return Run(done.returncode, done.stdout, done.stderr)


# What a server process says it listens with: " (TLS)", " (mutual TLS)", or "" (plaintext).
# Not up to the line's end: another thread's log line may follow before its line break.
LISTENING = re.compile(r"registry listening on \S+( \((?:mutual )?TLS\))?")


@pytest.fixture(scope="module")
def tls_process(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``registry serve --tls-cert … --tls-key …`` as a process of its own."""
    folder = tmp_path_factory.mktemp("tls-process")
    server = ServerProcess(
        f"sqlite:///{folder / 'registry.db'}",
        folder / "server.log",
        options=("--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key)),
        tls_ca=pki.server_ca.cert,
    ).start()
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def mutual_tls_workers(
    pki: Pki, cb_1: KeyPair, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """``registry serve --workers 2`` with mutual TLS: the options reach every worker."""
    folder = tmp_path_factory.mktemp("mutual-tls-workers")
    server = ServerProcess(
        f"sqlite:///{folder / 'registry.db'}",
        folder / "server.log",
        workers=2,
        options=(
            "--tls-cert",
            str(pki.server.cert),
            "--tls-key",
            str(pki.server.key),
            "--tls-client-ca",
            str(pki.client_ca.cert),
        ),
        tls_ca=pki.server_ca.cert,
        tls_cert=cb_1.cert,
        tls_key=cb_1.key,
    ).start()
    yield server
    assert server.stop() == 0


def test_registry_status_with_tls_ca_is_answered_by_registry_serve_with_tls(tls_process, pki):
    run = registry(
        "status", "cb-1", "Q-1", "--server", tls_process.target, "--tls-ca", pki.server_ca.cert
    )
    assert run.code == 0, run.stderr
    assert "UNKNOWN" in run.stdout
    assert LISTENING.findall(tls_process.log.read_text()) == [" (TLS)"]


def test_registry_status_takes_the_tls_ca_from_the_environment(tls_process, pki):
    run = registry(
        "status",
        "cb-1",
        "Q-1",
        "--server",
        tls_process.target,
        env={config.TLS_CA_ENV: str(pki.server_ca.cert)},
    )
    assert run.code == 0, run.stderr


def test_registry_status_in_plaintext_is_refused_by_registry_serve_with_tls(tls_process):
    run = registry("status", "cb-1", "Q-1", "--server", tls_process.target, "--retries", "0")
    assert run.code == 1
    assert "UNAVAILABLE" in run.stderr


def test_every_worker_listens_with_mutual_tls(mutual_tls_workers):
    deadline = time.monotonic() + 30
    while len(listening := LISTENING.findall(mutual_tls_workers.log.read_text())) < 2:
        assert time.monotonic() < deadline, mutual_tls_workers.log.read_text()
        time.sleep(0.1)
    assert listening == [" (mutual TLS)", " (mutual TLS)"]


def test_mutual_tls_workers_answer_a_client_with_a_certificate(mutual_tls_workers):
    clients = [mutual_tls_workers.client() for _ in range(4)]  # a connection each
    try:
        for client in clients:
            answer = client.get_certificate_status("cb-1", "Q-1")
            assert answer.status == pb.CERTIFICATE_STATUS_UNKNOWN
    finally:
        for client in clients:
            client.close()


def test_registry_status_with_a_client_certificate_is_answered_by_mutual_tls_workers(
    mutual_tls_workers, pki, cb_1
):
    run = registry(
        "status",
        "cb-1",
        "Q-1",
        "--server",
        mutual_tls_workers.target,
        env={
            config.TLS_CA_ENV: str(pki.server_ca.cert),
            config.TLS_CERT_ENV: str(cb_1.cert),
            config.TLS_KEY_ENV: str(cb_1.key),
        },
    )
    assert run.code == 0, run.stderr


def test_registry_status_without_a_client_certificate_is_refused_by_mutual_tls_workers(
    mutual_tls_workers, pki
):
    run = registry(
        "status",
        "cb-1",
        "Q-1",
        "--server",
        mutual_tls_workers.target,
        "--tls-ca",
        pki.server_ca.cert,
        "--retries",
        "0",
    )
    assert run.code == 1
    assert "UNAVAILABLE" in run.stderr


# What is refused before anything is served or sent: one line, exit code 2


@dataclass(frozen=True)
class Files:
    """Paths of the test's PKI by role, and of things that are not what they should be."""

    cert: Path
    key: Path
    ca: Path
    other_key: Path
    missing: Path
    garbage: Path


@pytest.fixture(scope="module")
def files(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Files:
    folder = tmp_path_factory.mktemp("bad-files")
    garbage = folder / "garbage.crt"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    return Files(
        cert=pki.server.cert,
        key=pki.server.key,
        ca=pki.client_ca.cert,
        other_key=pki.server_ca.server("another-server").key,
        missing=folder / "missing.pem",
        garbage=garbage,
    )


SERVE_REFUSALS: list[tuple[Sequence[str], str]] = [
    (("--tls-cert", "cert"), "--tls-cert and --tls-key go together"),
    (("--tls-key", "key"), "--tls-cert and --tls-key go together"),
    (("--tls-client-ca", "ca"), "--tls-client-ca needs --tls-cert and --tls-key"),
    (("--tls-cert", "missing", "--tls-key", "key"), "--tls-cert: cannot read {missing}: "),
    (("--tls-cert", "cert", "--tls-key", "missing"), "--tls-key: cannot read {missing}: "),
    (
        ("--tls-cert", "key", "--tls-key", "key"),
        "--tls-cert: {key} is not a PEM file holding a certificate",
    ),
    (
        ("--tls-cert", "cert", "--tls-key", "cert"),
        "--tls-key: {cert} is not a PEM file holding an unencrypted private key",
    ),
    (
        ("--tls-cert", "garbage", "--tls-key", "key"),
        "--tls-cert: {garbage} holds no certificate that can be read",
    ),
    (
        ("--tls-cert", "cert", "--tls-key", "other_key"),
        "--tls-key: {other_key} is not the private key of the certificate in --tls-cert {cert}",
    ),
    (
        ("--tls-cert", "cert", "--tls-key", "key", "--tls-client-ca", "missing"),
        "--tls-client-ca: cannot read {missing}: ",
    ),
    (
        ("--tls-cert", "cert", "--tls-key", "key", "--tls-client-ca", "garbage"),
        "--tls-client-ca: {garbage} holds no certificate that can be read",
    ),
]


def _filled(options: Sequence[str], files: Files) -> list[str]:
    """Each option's value named by its role in ``files``."""
    return [
        option if option.startswith("--") else str(getattr(files, option)) for option in options
    ]


def assert_refused_in_one_line(run: Run, message: str) -> None:
    assert run.code == 2, run
    assert run.stdout == ""
    assert run.stderr.startswith(f"registry: {message}"), run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr


@pytest.mark.parametrize(("options", "message"), SERVE_REFUSALS)
def test_registry_serve_refuses_bad_tls_options_in_one_line(options, message, files):
    run = registry("serve", "--db", "memory:", "--port", "0", *_filled(options, files))
    assert_refused_in_one_line(run, message.format(**vars(files)))


def test_registry_serve_with_workers_refuses_a_bad_tls_file_before_starting_any(files, tmp_path):
    run = registry(
        "serve",
        "--db",
        f"sqlite:///{tmp_path / 'registry.db'}",
        "--port",
        "0",
        "--workers",
        "2",
        *_filled(("--tls-cert", "cert", "--tls-key", "missing"), files),
    )
    assert_refused_in_one_line(run, f"--tls-key: cannot read {files.missing}: ")


CLIENT_REFUSALS: list[tuple[Sequence[str], str]] = [
    (("--tls-cert", "cert", "--tls-key", "key"), "--tls-cert and --tls-key need --tls-ca"),
    (("--tls-ca", "ca", "--tls-cert", "cert"), "--tls-cert and --tls-key "),
    (("--tls-ca", "missing"), "--tls-ca: cannot read {missing}: "),
    (("--tls-ca", "key"), "--tls-ca: {key} is not a PEM file holding a certificate"),
    (
        ("--tls-ca", "ca", "--tls-cert", "cert", "--tls-key", "missing"),
        "--tls-key: cannot read {missing}: ",
    ),
]


@pytest.mark.parametrize(("options", "message"), CLIENT_REFUSALS)
def test_registry_status_refuses_bad_tls_options_in_one_line(options, message, files):
    run = registry("status", "cb-1", "Q-1", "--server", "127.0.0.1:1", *_filled(options, files))
    assert_refused_in_one_line(run, message.format(**vars(files)))


def test_registry_import_takes_the_tls_options_too(files, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("")
    run = registry("import", rows, "--server", "127.0.0.1:1", "--tls-ca", files.missing)
    assert_refused_in_one_line(run, f"--tls-ca: cannot read {files.missing}: ")


# Under mutual TLS the certificate is the credential: the access rules see its principal


def test_a_client_certificate_is_the_principal_the_access_rules_see(pki, tmp_path):
    from authority import register_in_process

    app = Registry()
    register_in_process(app, "CB-1")
    register_in_process(app, "CB-2")
    server = BackgroundServer(app, tls=pki.mutual_tls).start()
    target = f"127.0.0.1:{server.port}"
    cb_1 = pki.client_ca.client("cb:CB-1", "cb-1-writer")
    as_cb_1 = {"tls_ca": pki.server_ca.cert, "tls_cert": cb_1.cert, "tls_key": cb_1.key}
    try:
        with RegistryClient(target, timeout=10, retries=0, **as_cb_1) as client:
            written = client.issue_certificate(
                "CB-1",
                "M-1",
                organization=pb.Organization(name="Acme", country="DE", address="Berlin"),
                standard="ISO 9001:2015",
                scope="widgets",
                expiry_date=date(2027, 1, 9),
                effective_date=date(2024, 1, 10),
            )
            assert written.version == 1
            history = client.get_certificate_history("CB-1", "M-1").events
            assert [e.actor for e in history] == ["cb:CB-1"]
            with pytest.raises(RegistryClientError) as other_cb:
                client.suspend_certificate("CB-2", "M-1", reason="not mine")
            assert other_cb.value.code is grpc.StatusCode.PERMISSION_DENIED
        # A token naming another principal than the certificate is refused.
        admin = app.credentials.create(ADMIN).token
        with (
            RegistryClient(target, timeout=10, retries=0, token=admin, **as_cb_1) as mixed,
            pytest.raises(RegistryClientError) as caught,
        ):
            mixed.get_certificate_status("CB-1", "M-1")
        assert caught.value.code is grpc.StatusCode.UNAUTHENTICATED
        # A certificate naming no principal is refused, whatever it asks.
        stranger = pki.client_ca.client("somebody", "stranger")
        with (
            RegistryClient(
                target,
                timeout=10,
                retries=0,
                tls_ca=pki.server_ca.cert,
                tls_cert=stranger.cert,
                tls_key=stranger.key,
            ) as client,
            pytest.raises(RegistryClientError) as caught,
        ):
            client.get_certificate_status("CB-1", "M-1")
        assert caught.value.code is grpc.StatusCode.UNAUTHENTICATED
    finally:
        server.stop()
        app.close()
