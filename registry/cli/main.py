"""Entry point of the ``registry`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from registry.cli import (
    accreditation,
    admin,
    bulk,
    commands,
    db,
    demo,
    projections,
    queries,
    serve,
    standards,
    verify,
)
from registry.errors import RegistryError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="registry",
        description="Event-sourced registry of ISO management-system certificates.",
    )
    parser.add_argument(
        "--token-file",
        dest="main_token_file",
        type=Path,
        metavar="FILE",
        help="the bearer token file, as the subcommand's own --token-file (which wins if both "
        "are given): `registry --token-file cb.token issue ...`",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.add_parser(subparsers)
    commands.add_parsers(subparsers)
    queries.add_parsers(subparsers)
    verify.add_parser(subparsers)
    accreditation.add_parser(subparsers)
    admin.add_parser(subparsers)
    projections.add_parser(subparsers)
    bulk.add_parsers(subparsers)
    db.add_parser(subparsers)
    demo.add_parser(subparsers)
    standards.add_parsers(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.main_token_file is not None:
        if not hasattr(args, "token_file"):
            parser.error(f"--token-file does not apply to `registry {args.command}`")
        if args.token_file is None:
            args.token_file = args.main_token_file
    try:
        code: int = args.run(args)
    except RegistryError as error:
        print(f"registry: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
