"""Settings read once at the edge, from flags and the process environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from registry.errors import InvalidInputError

DEFAULT_DB = "sqlite:///registry.db"
DEFAULT_ADDRESS = "127.0.0.1:50051"
DB_ENV = "REGISTRY_DB"
DEFAULT_POOL_SIZE = 10
# Threads per server process for calls' work against the store: more only help when the
# store is far away (PostgreSQL over a network); on SQLite fewer threads contend less.
DEFAULT_THREADS = 2
SERVER_ENV = "REGISTRY_SERVER"
# Calls a second each anonymous peer address may make (``registry serve --anonymous-rate``).
DEFAULT_ANONYMOUS_RATE = 20.0
TOKEN_ENV = "REGISTRY_TOKEN"
TOKEN_FILE_ENV = "REGISTRY_TOKEN_FILE"
# Where `registry serve` writes the first admin token of an empty registry, and where the
# client commands look for a token when given none: the working directory, beside the
# default database.
DEFAULT_TOKEN_FILE = "registry.token"
# The client's TLS files: the CA it trusts (TLS on), and its certificate and key (mutual TLS).
TLS_CA_ENV = "REGISTRY_TLS_CA"
TLS_CERT_ENV = "REGISTRY_TLS_CERT"
TLS_KEY_ENV = "REGISTRY_TLS_KEY"


@dataclass(frozen=True)
class ServeSettings:
    db: str
    host: str
    port: int
    workers: int

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def default_db(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(DB_ENV) or DEFAULT_DB


def default_server(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(SERVER_ENV) or DEFAULT_ADDRESS


def default_token_file(environ: Mapping[str, str] = os.environ) -> Path:
    return Path(environ.get(TOKEN_FILE_ENV) or DEFAULT_TOKEN_FILE)


def client_token(token_file: Path | None, environ: Mapping[str, str] = os.environ) -> str | None:
    """The bearer token a client command sends: ``$REGISTRY_TOKEN``, else the first line
    of ``--token-file`` (which must exist), else of the default token file if there is one;
    None: the command calls anonymously."""
    if environ.get(TOKEN_ENV):
        return environ[TOKEN_ENV].strip()
    path = token_file
    if path is None:
        path = default_token_file(environ)
        if not path.is_file():
            return None
    try:
        text = path.read_text("utf-8").strip()
    except OSError as error:
        raise InvalidInputError(f"--token-file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"--token-file {path}: not a token file") from None
    if not text:
        raise InvalidInputError(f"--token-file {path}: the file is empty")
    return text.splitlines()[0].strip()


def write_token_file(path: Path, token: str) -> None:
    """Write ``token`` to ``path``, readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (token + "\n").encode("ascii"))
    finally:
        os.close(descriptor)


def default_file(name: str, environ: Mapping[str, str] = os.environ) -> Path | None:
    """The file named by the environment variable ``name``, if it is set and not empty."""
    value = environ.get(name)
    return Path(value) if value else None


PemKind = Literal["certificate", "private key"]
# How each kind of PEM block begins, and what a file given for it must hold.
_PEM: dict[PemKind, tuple[re.Pattern[bytes], str]] = {
    "certificate": (re.compile(rb"-----BEGIN CERTIFICATE-----"), "a certificate"),
    "private key": (
        re.compile(rb"-----BEGIN (?:RSA |EC )?PRIVATE KEY-----"),
        "an unencrypted private key",
    ),
}


def read_pem(path: Path, option: str, kind: PemKind) -> bytes:
    """The bytes of the PEM file ``path`` given as ``option``, which must hold a ``kind``."""
    begins, holding = _PEM[kind]
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"{option}: cannot read {path}: {error.strerror}") from None
    if not begins.search(data):
        raise InvalidInputError(f"{option}: {path} is not a PEM file holding {holding}")
    return data


def persistence_env(db: str, *, pool_size: int | None = None) -> dict[str, str]:
    """The eventsourcing settings for a ``--db`` value.

    ``sqlite:///PATH``, ``memory:``, or
    ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?schema=NAME]``.
    """
    if db == "memory:":
        return {"PERSISTENCE_MODULE": "registry.store.memory:MemoryFactory"}
    if db.startswith("sqlite:///"):
        return _sqlite_env(db.removeprefix("sqlite:///"))
    if db.startswith(("postgresql://", "postgres://")):
        return _postgres_env(db, pool_size)
    raise InvalidInputError(
        f"--db {db!r} is not understood: use sqlite:///PATH (default {DEFAULT_DB}), "
        "postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME or memory:"
    )


def _sqlite_env(path: str) -> dict[str, str]:
    if not path:
        raise InvalidInputError("--db sqlite:/// needs a file path, e.g. sqlite:///registry.db")
    parent = Path(path).expanduser().resolve().parent
    if not parent.is_dir():
        raise InvalidInputError(f"--db: folder {parent} does not exist")
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(Path(path).expanduser()),
        "SQLITE_LOCK_TIMEOUT": "15",
        "APPLICATION_RECORDER_TOPIC": "registry.store.sqlite:SQLiteOrderedRecorder",
    }


def _postgres_env(db: str, pool_size: int | None) -> dict[str, str]:
    url = urlsplit(db)
    dbname = unquote(url.path.lstrip("/"))
    try:
        port = url.port or 5432
    except ValueError:
        raise InvalidInputError(f"--db: bad port in {_redacted(db)!r}") from None
    if not (url.hostname and url.username and dbname):
        raise InvalidInputError(
            f"--db {_redacted(db)!r}: expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME"
        )
    options = parse_qs(url.query)
    unknown = set(options) - {"schema"}
    if unknown:
        raise InvalidInputError(f"--db: unknown option(s) {', '.join(sorted(unknown))}")
    size = pool_size or DEFAULT_POOL_SIZE
    if size < 1:
        raise InvalidInputError("--pool-size must be at least 1")
    env = {
        "PERSISTENCE_MODULE": "registry.store.postgres:FailFastPostgresFactory",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": url.hostname,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(url.username),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_POOL_SIZE": str(size),
        "POSTGRES_MAX_OVERFLOW": str(size),
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_CONNECT_TIMEOUT": "1",
        "APPLICATION_RECORDER_TOPIC": "registry.store.postgres:PostgresOrderedRecorder",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }
    if "schema" in options:
        env["POSTGRES_SCHEMA"] = options["schema"][-1]
    return env


def _redacted(db: str) -> str:
    url = urlsplit(db)
    if url.password:
        return db.replace(f":{url.password}@", ":***@", 1)
    return db
