"""``registry serve``: the server process, or a supervisor of several on one port."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from registry import config
from registry.errors import InvalidInputError

if TYPE_CHECKING:
    from registry.application.registry import Registry
    from registry.server.tls import TlsSettings

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the registry server",
        description="Run the registry's gRPC server until SIGTERM or SIGINT.",
    )
    parser.add_argument(
        "--db",
        default=config.default_db(),
        help=(
            "sqlite:///PATH, postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME or memory: "
            f"(default ${config.DB_ENV}, else {config.DEFAULT_DB})"
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=50051, help="port to listen on (0: any free)")
    parser.add_argument(
        "--threads",
        type=int,
        default=config.DEFAULT_THREADS,
        help="threads per process running calls' work against the store "
        f"(default {config.DEFAULT_THREADS}; more for a PostgreSQL far away); "
        "connections and streams need none",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (default 1); each has its own store connections",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=None,
        help=f"PostgreSQL connections per process (default {config.DEFAULT_POOL_SIZE})",
    )
    parser.add_argument(
        "--standards-file",
        type=Path,
        default=None,
        help="the catalogue of standards to record when the store holds none yet (its first "
        "start), in the format of the shipped standards.json (default: the shipped catalogue); "
        "later changes: registry admin standard",
    )
    parser.add_argument(
        "--token-file",
        type=Path,
        default=None,
        help="where the first admin token of an empty registry is written, readable by its "
        f"owner only (default ${config.TOKEN_FILE_ENV}, else ./{config.DEFAULT_TOKEN_FILE})",
    )
    parser.add_argument(
        "--anonymous-rate",
        type=float,
        default=config.DEFAULT_ANONYMOUS_RATE,
        metavar="PER_SECOND",
        help="calls a second each anonymous peer address may make "
        f"(default {config.DEFAULT_ANONYMOUS_RATE:g}); authenticated callers are not limited",
    )
    tls = parser.add_argument_group(
        "TLS",
        "With --tls-cert and --tls-key the port speaks TLS only. With --tls-client-ca too, "
        "every client must present a certificate signed by that CA (mutual TLS); its "
        "subject's Common Name names the client: admin, cb:ID or ab:ID.",
    )
    tls.add_argument(
        "--tls-cert", type=Path, metavar="FILE", help="the server's certificate chain (PEM)"
    )
    tls.add_argument(
        "--tls-key", type=Path, metavar="FILE", help="its private key (PEM, unencrypted)"
    )
    tls.add_argument(
        "--tls-client-ca",
        type=Path,
        metavar="FILE",
        help="the CA certificate(s) (PEM) that clients' certificates must be signed by",
    )
    parser.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    tls = tls_settings(args)
    env = config.persistence_env(args.db, pool_size=args.pool_size)
    if args.standards_file is not None:
        if not args.standards_file.is_file():
            raise InvalidInputError(f"--standards-file: no such file {args.standards_file}")
        env["STANDARDS_FILE"] = str(args.standards_file.resolve())
    if not args.anonymous_rate > 0:
        raise InvalidInputError("--anonymous-rate must be more than 0")
    if args.workers > 1:
        if args.db == "memory:":
            raise InvalidInputError("--workers needs a shared store: sqlite:/// or postgresql://")
        return supervise(args, env)
    # Imported here so the client subcommands start without loading the server.
    from registry.server.access import AccessSettings
    from registry.server.app import serve

    app = open_registry(env)
    bootstrap(app, args.token_file)
    serve(
        app,
        f"{args.host}:{args.port}",
        threads=args.threads,
        reuse_port=args.reuse_port,
        access=AccessSettings(anonymous_rate=args.anonymous_rate),
        tls=tls,
    )
    return 0


def bootstrap(app: Registry, token_file: Path | None) -> Path | None:
    """On a registry that never had one, create the first admin token and write it to
    ``token_file`` (readable by its owner only), saying where; the file written, or None
    when the registry had an admin token already (nothing is written then)."""
    issued = app.credentials.bootstrap()
    if issued is None:
        return None
    path = token_file or config.default_token_file()
    try:
        config.write_token_file(path, issued.token)
    except OSError as error:
        app.credentials.revoke(issued.view.token_id)
        raise InvalidInputError(
            f"cannot write the first admin token to {path}: {error.strerror or error}; it was "
            "revoked: start again with --token-file naming a writable place"
        ) from None
    if path.resolve() == config.default_token_file().resolve():
        use = "client commands run here use it by default"
    else:
        use = f"give client commands --token-file {path.resolve()}"
    print(
        f"registry: created the first admin token ({issued.view.token_id}) in {path.resolve()}, "
        f"readable by its owner only; {use}",
        flush=True,
    )
    return path


def tls_settings(args: argparse.Namespace) -> TlsSettings | None:
    """The TLS options, checked (files read) before the store is opened or workers start:
    a bad one is one line now, not a server failing later, or a worker restarted forever."""
    if args.tls_cert is None and args.tls_key is None:
        if args.tls_client_ca is not None:
            raise InvalidInputError("--tls-client-ca needs --tls-cert and --tls-key")
        return None
    if args.tls_cert is None or args.tls_key is None:
        raise InvalidInputError("--tls-cert and --tls-key go together: give both, or neither")
    from registry.server.tls import TlsSettings, server_credentials

    settings = TlsSettings(args.tls_cert, args.tls_key, args.tls_client_ca)
    server_credentials(settings)
    return settings


def open_registry(env: dict[str, str], *, seed: bool = True) -> Registry:
    """The registry on ``env``'s store, creating its tables if need be (see ``created``);
    ``seed``: recording the catalogue of standards if the store holds none."""
    from registry.application.registry import Registry
    from registry.store.log import created

    return created(lambda: Registry(env, seed=seed))


def _create_tables_once(env: dict[str, str], token_file: Path | None) -> None:
    """The log's and the index's tables, created before the workers race to; and the first
    admin token of an empty registry."""
    from registry.projections.setup import open_index

    app = open_registry(env)
    try:
        open_index(app).close()
        bootstrap(app, token_file)
    finally:
        app.close()


def supervise(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Run ``--workers`` server processes on one port; restart any that dies; stop on a signal."""
    _create_tables_once(env, args.token_file)
    port = args.port or _free_port(args.host)
    command = [
        sys.executable,
        *(["-O"] * sys.flags.optimize),
        "-m",
        "registry",
        "serve",
        "--db",
        args.db,
        "--host",
        args.host,
        "--port",
        str(port),
        "--threads",
        str(args.threads),
        "--reuse-port",
        "--anonymous-rate",
        str(args.anonymous_rate),
    ]
    if args.pool_size:
        command += ["--pool-size", str(args.pool_size)]
    if args.standards_file is not None:
        command += ["--standards-file", str(args.standards_file)]
    for option, path in (
        ("--tls-cert", args.tls_cert),
        ("--tls-key", args.tls_key),
        ("--tls-client-ca", args.tls_client_ca),
    ):
        if path is not None:
            command += [option, str(path)]
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    workers = [subprocess.Popen(command) for _ in range(args.workers)]
    print(f"registry supervising {args.workers} workers on {args.host}:{port}", flush=True)
    while not stopping:
        time.sleep(0.2)
        for i, worker in enumerate(workers):
            if worker.poll() is not None and not stopping:
                log.warning(
                    "worker %s exited with %s; starting another", worker.pid, worker.returncode
                )
                workers[i] = subprocess.Popen(command)
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    codes = [worker.wait() for worker in workers]
    print("registry stopped", flush=True)
    # A worker still starting when the signal came ends by it, having served nothing.
    return 0 if all(code in (0, -signal.SIGTERM) for code in codes) else 1


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
