"""``registry serve``: the server process."""

from __future__ import annotations

import argparse
import logging

from registry import config


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the registry server",
        description="Run the registry's gRPC server until SIGTERM or SIGINT.",
    )
    parser.add_argument(
        "--db",
        default=config.default_db(),
        help=f"sqlite:///PATH or memory: (default {config.DEFAULT_DB}, or ${config.DB_ENV})",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=50051, help="port to listen on (0: any free)")
    parser.add_argument("--threads", type=int, default=16, help="RPC worker threads (default 16)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Imported here so the client subcommands start without loading the server.
    from registry.application.registry import Registry
    from registry.server.app import serve

    env = config.persistence_env(args.db)
    app = Registry(env)
    serve(app, f"{args.host}:{args.port}", max_workers=args.threads)
    return 0
