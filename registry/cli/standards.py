"""The standards catalogue on the command line.

``registry standards list`` prints every edition as catalogued at an instant and
whether certificates to it are valid on a day (anyone may ask);
``registry admin standard add`` and ``registry admin standard deadline`` change
the catalogue (with an admin token).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from google.protobuf.message import Message

from registry.cli import output
from registry.cli.commands import (
    connect,
    emit,
    iso_date,
    iso_instant,
    non_empty,
    query,
    refused,
    server_options,
    write_options,
)
from registry.client import RegistryClient, RegistryClientError, new_request_id
from registry.v1 import standards_service_pb2 as st_pb

LIST_HEADER = ("edition", "title", "transition deadline", "valid")


def listing(response: st_pb.ListStandardsResponse, *, as_json: bool) -> str:
    if as_json:
        return output.dumps(output.plain(response))
    rows = [
        (
            edition.designation,
            edition.title,
            output.day(edition.transition_deadline)
            if edition.HasField("transition_deadline")
            else "-",
            "yes" if edition.valid_on_at else "no",
        )
        for edition in response.editions
    ]
    return (
        output.table(LIST_HEADER, rows)
        + f"\nvalid on {output.day(response.at)}; catalogue version {response.version} as "
        f"known at {output.instant(response.as_of)} (log position {response.log_position})"
    )


def written(designation: str, response: Message, request_id: str, *, as_json: bool) -> str:
    data = output.to_dict(response)
    data["request_id"] = request_id
    if as_json:
        return output.dumps(data)
    return output.pairs(
        [
            ("edition", designation),
            ("catalogue version", str(data["version"])),
            ("recorded at", str(data["recorded_at"])),
            ("request id", request_id),
        ]
    )


def _list(client: RegistryClient, args: argparse.Namespace) -> str:
    return listing(client.list_standards(at=args.at, as_of=args.as_of), as_json=args.json)


def _write(
    send: Callable[[RegistryClient, argparse.Namespace], Message],
    designation: Callable[[argparse.Namespace], str],
) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        args.request_id = args.request_id or new_request_id()
        try:
            with connect(args) as client:
                response = send(client, args)
        except RegistryClientError as error:
            return refused(error, args)
        return emit(written(designation(args), response, args.request_id, as_json=args.json))

    return run


def _add(client: RegistryClient, args: argparse.Namespace) -> Message:
    return client.add_standard_edition(
        args.code,
        args.edition,
        title=args.title,
        transition_deadline=args.deadline,
        effective_date=args.effective,
        request_id=args.request_id,
        expected_version=args.expected_version,
    )


def _deadline(client: RegistryClient, args: argparse.Namespace) -> Message:
    return client.set_transition_deadline(
        args.designation,
        None if args.none else args.day,
        effective_date=args.effective,
        request_id=args.request_id,
        expected_version=args.expected_version,
    )


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``registry standards list``."""
    parser = subparsers.add_parser(
        "standards",
        help="the catalogue of standards and their editions",
        description="The catalogue of standards certificates are issued to.",
    )
    commands = parser.add_subparsers(dest="standards_command", required=True, metavar="COMMAND")
    summary = "every edition as catalogued at an instant, and whether it is valid on a day"
    listed = commands.add_parser(
        "list",
        parents=[server_options()],
        help=summary,
        description=f"{summary[0].upper()}{summary[1:]}: certificates to an edition are not "
        "valid after its transition deadline.",
    )
    listed.add_argument(
        "--at", type=iso_date, metavar="YYYY-MM-DD", help="the day (default today, UTC)"
    )
    listed.add_argument(
        "--as-of",
        type=iso_instant,
        metavar="INSTANT",
        help="the catalogue as recorded then, e.g. 2025-06-01T00:00:00Z (default now)",
    )
    listed.set_defaults(run=query(_list))


def add_admin_parsers(admin: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``registry admin standard add`` and ``registry admin standard deadline``."""
    parser = admin.add_parser(
        "standard",
        help="add an edition to the catalogue, set or remove its transition deadline",
        description="Change the catalogue of standards (an admin token). A change counts "
        "from its recorded time on: answers as of earlier instants stay as they were.",
    )
    commands = parser.add_subparsers(dest="standard_command", required=True, metavar="COMMAND")
    write = argparse.ArgumentParser(
        add_help=False,
        parents=[server_options(), write_options(written="the catalogue (see standards list)")],
    )

    added = commands.add_parser(
        "add",
        parents=[write],
        help="add an edition, e.g. ISO 9001 2026",
        description="Add an edition of a standard to the catalogue (refused if it is there).",
    )
    added.add_argument("code", metavar="CODE", type=non_empty, help="the standard, e.g. 'ISO 9001'")
    added.add_argument("edition", metavar="EDITION", type=non_empty, help="the edition, e.g. 2026")
    added.add_argument("--title", required=True, type=non_empty, help="the standard's title")
    added.add_argument(
        "--deadline",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="certificates to the edition are not valid after this day (default: none)",
    )
    added.set_defaults(run=_write(_add, lambda args: f"{args.code}:{args.edition}"))

    deadline = commands.add_parser(
        "deadline",
        parents=[write],
        help="set, move or remove an edition's transition deadline",
        description="Set the day after which certificates to an edition are not valid, "
        "or remove it with --none.",
    )
    deadline.add_argument(
        "designation", metavar="DESIGNATION", type=non_empty, help="e.g. 'ISO 9001:2015'"
    )
    which = deadline.add_mutually_exclusive_group(required=True)
    which.add_argument("day", nargs="?", type=iso_date, metavar="YYYY-MM-DD", help="the deadline")
    which.add_argument("--none", action="store_true", help="remove the edition's deadline")
    deadline.set_defaults(run=_write(_deadline, lambda args: args.designation))
