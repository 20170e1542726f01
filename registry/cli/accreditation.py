"""``registry accreditation``: an accreditation body's accreditations of certification bodies.

The writes are sent by the AB itself, with its token (``$REGISTRY_TOKEN``,
``--token-file``, else ``./registry.token``); ``show`` is for anyone. Each names the
accreditation by ``AB CB``: the accreditation body's id, then the certification body's.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from registry.cli import output
from registry.cli.commands import (
    iso_date,
    non_empty,
    query,
    reading_options,
    send,
    server_options,
    write_options,
)
from registry.client import RegistryClient
from registry.v1 import accreditation_service_pb2 as acc_pb

STATUS_PREFIX = "ACCREDITATION_STATUS_"
Write = Callable[[RegistryClient, argparse.Namespace, str], Any]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "accreditation",
        help="grant, change, suspend, reinstate, withdraw and show accreditations (the AB)",
        description="An accreditation body's accreditation of a certification body, on two "
        "clocks like a certificate: each change takes effect on --effective (default today); "
        "show answers for a day (--at) as known at an instant (--as-of). Writes are sent by "
        "the AB, with its token.",
    )
    verbs = parser.add_subparsers(dest="accreditation_command", required=True, metavar="COMMAND")
    common = server_options()
    write = write_options(expected_version=False)

    def add(verb: str, summary: str, *, writes: bool = True) -> argparse.ArgumentParser:
        parents = [common, write] if writes else [common, reading_options("the accreditation")]
        parser = verbs.add_parser(verb, parents=parents, help=summary, description=summary)
        parser.add_argument("ab", metavar="AB", type=non_empty, help="the accreditation body's id")
        parser.add_argument("cb", metavar="CB", type=non_empty, help="the certification body's id")
        return parser

    parser = add(
        "grant",
        "accredit CB for standards and sector codes from --effective to --expiry (at most 5 "
        "years on); granting again starts a new cycle",
    )
    _add_scope(parser)
    parser.add_argument(
        "--expiry", type=iso_date, required=True, metavar="YYYY-MM-DD", help="the cycle's end"
    )
    parser.set_defaults(run=_write(_grant))

    parser = add("scope", "replace the standards and sector codes covered (the whole new lists)")
    _add_scope(parser)
    parser.set_defaults(run=_write(_scope))

    parser = add(
        "suspend", "suspend the accreditation: CB's certificates are NOT_ACCREDITED from then"
    )
    parser.add_argument("--reason", type=non_empty, required=True, help="why")
    parser.set_defaults(run=_write(_suspend))

    parser = add("reinstate", "lift a suspension")
    parser.set_defaults(run=_write(_reinstate))

    parser = add("withdraw", "end the accreditation")
    parser.add_argument("--reason", type=non_empty, required=True, help="why")
    parser.set_defaults(run=_write(_withdraw))

    parser = add("show", "the accreditation on a day, as known at an instant", writes=False)
    parser.set_defaults(run=query(_show))


def _add_scope(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--standard",
        dest="standards",
        action="append",
        type=non_empty,
        required=True,
        metavar="EDITION",
        help="a standard by edition, e.g. 'ISO 9001:2015' (repeatable)",
    )
    parser.add_argument(
        "--sector-code",
        dest="sector_codes",
        action="append",
        type=non_empty,
        default=[],
        metavar="CODE",
        help="an IAF/EA sector code covered (repeatable; none: not limited by sector)",
    )


def _write(call: Write) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return send(
            args,
            "accreditation",
            label(args.ab, args.cb),
            lambda client, request_id: call(client, args, request_id),
        )

    return run


def label(accreditation_body_id: str, certification_body_id: str) -> str:
    return f"{certification_body_id} by {accreditation_body_id}"


def _grant(client: RegistryClient, args: argparse.Namespace, request_id: str) -> Any:
    return client.grant_accreditation(
        args.ab,
        args.cb,
        standards=args.standards,
        sector_codes=args.sector_codes,
        expiry_date=args.expiry,
        effective_date=args.effective,
        request_id=request_id,
    )


def _scope(client: RegistryClient, args: argparse.Namespace, request_id: str) -> Any:
    return client.change_accreditation_scope(
        args.ab,
        args.cb,
        standards=args.standards,
        sector_codes=args.sector_codes,
        effective_date=args.effective,
        request_id=request_id,
    )


def _suspend(client: RegistryClient, args: argparse.Namespace, request_id: str) -> Any:
    return client.suspend_accreditation(
        args.ab, args.cb, reason=args.reason, effective_date=args.effective, request_id=request_id
    )


def _reinstate(client: RegistryClient, args: argparse.Namespace, request_id: str) -> Any:
    return client.reinstate_accreditation(
        args.ab, args.cb, effective_date=args.effective, request_id=request_id
    )


def _withdraw(client: RegistryClient, args: argparse.Namespace, request_id: str) -> Any:
    return client.withdraw_accreditation(
        args.ab, args.cb, reason=args.reason, effective_date=args.effective, request_id=request_id
    )


def status_name(status: int) -> str:
    return acc_pb.AccreditationStatus.Name(status).removeprefix(STATUS_PREFIX)


def _show(client: RegistryClient, args: argparse.Namespace) -> str:
    response = client.get_accreditation(args.ab, args.cb, at=args.at, as_of=args.as_of)
    if args.json:
        return output.dumps(output.to_dict(response))
    accreditation = response.accreditation
    rows = [
        ("accreditation body", accreditation.accreditation_body_id),
        ("certification body", accreditation.certification_body_id),
        ("status", status_name(accreditation.status)),
    ]
    if accreditation.standards:
        rows.append(("standards", ", ".join(accreditation.standards)))
        rows.append(("sector codes", ", ".join(accreditation.sector_codes) or "any (not limited)"))
    rows += [
        (name, output.day(getattr(accreditation, field)))
        for name, field in (
            ("granted on", "granted_on"),
            ("cycle start", "cycle_start"),
            ("expires", "expiry_date"),
            ("suspended since", "suspended_since"),
            ("withdrawn on", "withdrawn_on"),
        )
        if accreditation.HasField(field)
    ]
    if accreditation.reason:
        rows.append(("reason", accreditation.reason))
    rows += [
        ("version", str(response.version)),
        ("on", output.day(response.at)),
        ("as of", output.instant(response.as_of)),
        ("log position", str(response.log_position)),
    ]
    return output.pairs(rows)
