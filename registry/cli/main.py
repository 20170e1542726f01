"""Entry point of the ``registry`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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
    verify,
)
from registry.errors import RegistryError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="registry",
        description="Event-sourced registry of ISO management-system certificates.",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except RegistryError as error:
        print(f"registry: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
