"""``registry search``, ``registry events`` and ``registry report``: the index's queries."""

from __future__ import annotations

import argparse

from registry.cli import output
from registry.cli.commands import (
    event_kind,
    event_type,
    int_at_least,
    iso_date,
    iso_instant,
    non_empty,
    query,
    server_options,
)
from registry.client import RegistryClient
from registry.v1 import certificate_service_pb2 as pb

STATUSES = tuple(
    value.name.removeprefix(output.STATUS_PREFIX)
    for value in pb.CertificateStatus.DESCRIPTOR.values
    if value.name not in ("CERTIFICATE_STATUS_UNSPECIFIED", "CERTIFICATE_STATUS_UNKNOWN")
)


def _search(client: RegistryClient, args: argparse.Namespace) -> str:
    response = client.search_certificates(
        organization_name=" ".join(args.name),
        certificate_number=args.number or "",
        certification_body_id=args.cb or "",
        standard=args.standard or "",
        country=args.country or "",
        sector_code=args.sector or "",
        status=args.status or "",
        at=args.at,
        page_size=args.page_size or 0,
        page_token=args.page_token,
    )
    return output.search(response, as_json=args.json)


def _events(client: RegistryClient, args: argparse.Namespace) -> str:
    response = client.list_events(
        args.cb,
        recorded_after=args.after,
        recorded_before=args.before,
        types=args.type or (),
        standard=args.standard or "",
        kinds=args.kind or (),
        page_size=args.page_size or 0,
        page_token=args.page_token,
    )
    return output.events(response, as_json=args.json)


def _report(client: RegistryClient, args: argparse.Namespace) -> str:
    response = client.get_issuance_report(args.cb, at=args.at, as_of=args.as_of)
    return output.report(response, as_json=args.json)


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = server_options()
    parser = subparsers.add_parser(
        "search",
        parents=[common],
        help="find certificates by organisation name, number, CB, standard, country, status",
        description="Find certificates matching every criterion given, with their status on a "
        "day. Name words match word beginnings, ignoring case and accents.",
    )
    parser.add_argument("name", nargs="*", metavar="WORD", help="words of the organisation name")
    parser.add_argument("--number", help="the certificate number, exactly (any CB)")
    parser.add_argument("--cb", help="only this certification body's certificates")
    parser.add_argument("--standard", help="'ISO 9001' (any edition) or 'ISO 9001:2015'")
    parser.add_argument("--country", help="ISO 3166-1 alpha-2 code, e.g. DE")
    parser.add_argument("--sector", help="an IAF/EA sector code")
    parser.add_argument("--status", choices=STATUSES, help="only this status on the day")
    parser.add_argument(
        "--at", type=iso_date, metavar="YYYY-MM-DD", help="the day (default today, UTC)"
    )
    parser.add_argument("--page-size", type=int_at_least(1), metavar="N", help="results per page")
    parser.add_argument("--page-token", default="", metavar="TOKEN", help="continue a search")
    parser.set_defaults(run=query(_search))

    parser = subparsers.add_parser(
        "events",
        parents=[common],
        help="the events a certification body published in a recorded-time window",
        description="Every event the CB published with recorded time after --after and at "
        "or before --before, in log order.",
    )
    parser.add_argument("cb", metavar="CB", type=non_empty, help="the certification body's id")
    parser.add_argument("--after", type=iso_instant, metavar="INSTANT", help="window start")
    parser.add_argument("--before", type=iso_instant, metavar="INSTANT", help="window end")
    parser.add_argument(
        "--type",
        action="append",
        type=event_type,
        metavar="TYPE",
        help="only certificate events of this type, e.g. Suspended (repeatable)",
    )
    parser.add_argument(
        "--kind",
        action="append",
        type=event_kind,
        metavar="KIND",
        help="only events of this kind: certificate, accreditation (the CB's "
        "accreditations), directory (the CB's entry) (repeatable; default all three, or "
        "certificate events with --type or --standard)",
    )
    parser.add_argument("--standard", help="only certificates to this standard")
    parser.add_argument("--page-size", type=int_at_least(1), metavar="N", help="events per page")
    parser.add_argument("--page-token", default="", metavar="TOKEN", help="continue a listing")
    parser.set_defaults(run=query(_events))

    parser = subparsers.add_parser(
        "report",
        parents=[common],
        help="a certification body's certificates counted by status and standard",
        description="The CB's certificates by status and by standard on a day, as known at "
        "an instant.",
    )
    parser.add_argument("cb", metavar="CB", type=non_empty, help="the certification body's id")
    parser.add_argument(
        "--at", type=iso_date, metavar="YYYY-MM-DD", help="the day (default today, UTC)"
    )
    parser.add_argument(
        "--as-of", type=iso_instant, metavar="INSTANT", help="as known then (default now)"
    )
    parser.set_defaults(run=query(_report))
