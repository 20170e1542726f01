"""Entry point of the ``registry`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from registry.cli import bulk, commands, db, demo, projections, queries, serve, standards
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
    projections.add_parser(subparsers)
    bulk.add_parsers(subparsers)
    db.add_parser(subparsers)
    demo.add_parser(subparsers)
    standards.add_parsers(subparsers)
    admin = subparsers.add_parser(
        "admin",
        help="the registry operator's changes (with an admin token)",
        description="Changes only the registry's admin may make.",
    )
    admin_commands = admin.add_subparsers(dest="admin_command", required=True, metavar="COMMAND")
    standards.add_admin_parsers(admin_commands)
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
