"""Settings read once at the edge, from flags and the process environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from registry.errors import InvalidInputError

DEFAULT_DB = "sqlite:///registry.db"
DEFAULT_ADDRESS = "127.0.0.1:50051"
DB_ENV = "REGISTRY_DB"
SERVER_ENV = "REGISTRY_SERVER"


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


def persistence_env(db: str) -> dict[str, str]:
    """The eventsourcing settings for a ``--db`` value: ``sqlite:///PATH`` or ``memory:``."""
    if db == "memory:":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if db.startswith("sqlite:///"):
        path = db.removeprefix("sqlite:///")
        if not path:
            raise InvalidInputError("--db sqlite:/// needs a file path, e.g. sqlite:///registry.db")
        parent = Path(path).expanduser().resolve().parent
        if not parent.is_dir():
            raise InvalidInputError(f"--db: folder {parent} does not exist")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(Path(path).expanduser()),
            "SQLITE_LOCK_TIMEOUT": "15",
        }
    raise InvalidInputError(
        f"--db {db!r} is not understood: use sqlite:///PATH (default {DEFAULT_DB}) or memory:"
    )
