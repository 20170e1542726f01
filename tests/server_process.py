"""``registry serve`` as a real process, for tests that stop, kill and restart servers."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from authority import Authority
from pg_instance import free_port

from registry.client import RegistryClient

STARTUP_SECONDS = 60


@dataclass
class ServerProcess:
    """One ``registry serve`` process; its output goes to ``log``. ``options`` are more
    ``registry serve`` options (e.g. ``--tls-cert``); ``tls_ca``, ``tls_cert`` and ``tls_key``
    what a client needs to reach it over TLS (see ``client``)."""

    db: str
    log: Path
    port: int = field(default_factory=free_port)
    workers: int = 1
    options: tuple[str, ...] = ()
    tls_ca: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    process: subprocess.Popen[str] | None = None
    token_file: Path | None = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def authority(self) -> Authority:
        """The tests' directory and tokens over this server (close it when done)."""
        return Authority(self.target, self.admin_token())

    def cb_token(self, cb: str) -> str:
        """CB ``cb``'s token, the CB registered first if need be."""
        authority = self.authority()
        try:
            return authority.cb_token(cb)
        finally:
            authority.close()

    def admin_token(self) -> str:
        """The first admin token, written by the server that bootstrapped the store (the
        servers of one test share the file, beside their logs)."""
        assert self.token_file is not None
        return self.token_file.read_text().strip()

    def start(self) -> ServerProcess:
        if self.token_file is None:
            self.token_file = self.log.with_name("admin.token")
        command = [
            sys.executable,
            str(Path(__file__).with_name("registry_launcher.py")),
            "serve",
            "--db",
            self.db,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--pool-size",
            "4",
            "--token-file",
            str(self.token_file),
            *self.options,
        ]
        out = self.log.open("a")
        self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True)
        out.close()
        self.wait_ready()
        return self

    def client(self, *, timeout: float = 10, retries: int = 0) -> RegistryClient:
        return RegistryClient(
            self.target,
            timeout=timeout,
            retries=retries,
            tls_ca=self.tls_ca,
            tls_cert=self.tls_cert,
            tls_key=self.tls_key,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        with self.client(timeout=2) as client:
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"registry serve exited:\n{self.log.read_text()}")
                try:
                    client.get_certificate_status("probe", "probe")
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise TimeoutError(self.log.read_text()) from None
                    time.sleep(0.1)

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        """kill -9 the server (and, with workers, every worker of it)."""
        assert self.process is not None
        if self.workers > 1:
            subprocess.run(["pkill", "-KILL", "-P", str(self.process.pid)], check=False)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


class Load:
    """Several client threads writing until stopped; remembers every acknowledged write."""

    def __init__(self, target: str, clients: int, prefix: str, token: str) -> None:
        self.target = target
        self.token = token
        self.prefix = prefix
        self.acknowledged: list[tuple[str, str, int]] = []  # (number, request id, version)
        self.unanswered: list[tuple[str, str]] = []  # (number, request id) with no answer
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(clients)
        ]
        self._lock = threading.Lock()

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def _run(self, n: int) -> None:
        from datetime import date

        from registry.v1 import certificate_service_pb2 as pb

        client = RegistryClient(self.target, timeout=5, retries=0, token=self.token)
        i = 0
        try:
            while not self.stop.is_set():
                number = f"{self.prefix}-{n}-{i}"
                request_id = f"{number}-issue"
                try:
                    answer = client.issue_certificate(
                        "cb-load",
                        number,
                        organization=pb.Organization(name="Load", country="DE", address="x"),
                        standard="ISO 9001:2015",
                        scope="load",
                        expiry_date=date(2027, 1, 9),
                        effective_date=date(2024, 1, 10),
                        request_id=request_id,
                    )
                except Exception:
                    with self._lock:
                        self.unanswered.append((number, request_id))
                    time.sleep(0.05)
                else:
                    with self._lock:
                        self.acknowledged.append((number, request_id, int(answer.version)))
                i += 1
        finally:
            client.close()
