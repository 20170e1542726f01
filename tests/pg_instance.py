"""A throwaway PostgreSQL 15 server for the test run (and the benchmarks).

``initdb`` into a temporary folder, listen on 127.0.0.1 at a free port, trust
authentication; run as the ``postgres`` user when started as root, since the
server refuses to run as root. ``stop()`` shuts it down and removes the folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

BIN = Path(os.environ.get("REGISTRY_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
USER = "registry"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresInstance:
    data: Path
    port: int

    @property
    def dsn(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start(cls) -> PostgresInstance:
        root = Path(tempfile.mkdtemp(prefix="registry-pg-"))
        data = root / "data"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
            shutil.chown(data, "postgres", "postgres")
        instance = cls(data, free_port())
        instance._run(
            BIN / "initdb",
            "-D",
            str(data),
            "-U",
            USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-instructions",
        )
        instance.resume()
        return instance

    def resume(self) -> None:
        """Start (or restart) the server on the same folder and port."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.data} -c max_connections=300"
        )
        self._run(
            BIN / "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def pause(self) -> None:
        """Stop the server, keeping its data."""
        self._run(BIN / "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            self.pause()
        finally:
            shutil.rmtree(self.data.parent, ignore_errors=True)

    def _run(self, *command: object) -> None:
        argv = [str(part) for part in command]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/")
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")


def schema_dsn(dsn: str) -> str:
    """A fresh schema in an existing database named by ``dsn`` (REGISTRY_TEST_POSTGRES_DSN)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {name}")
    separator = "&" if "?" in dsn else "?"
    return f"{dsn}{separator}schema={name}"
