"""``registry verify``: the credibility check of one certificate, or of a supplier list.

``verify CB NUMBER`` prints the verdict and every step taken (passed or failed, and
why); ``verify --file LIST`` checks every row of a CSV list (``registry.cli.suppliers``)
and writes a result row for each. The call succeeding is what the exit code tells, not
the verdict: 0 for any verdict of one certificate, and for a list whose every row was
checked; 1 when the server refused or could not be reached, or a row of the list could
not be checked; 2 for a malformed command line or a list that cannot be read.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from registry.cli import output, suppliers
from registry.cli.bulk import ProgressDisplay, output_file
from registry.cli.commands import (
    EXIT_FAILED,
    EXIT_OK,
    connect,
    int_at_least,
    non_empty,
    query,
    reading_options,
    refused,
    server_options,
)
from registry.client import RegistryClient
from registry.v1 import accreditation_service_pb2 as acc_pb

EXIT_UNREADABLE = 2
STEPS_HEADER = ("step", "result", "reason")
CLAIMS = (
    ("standard", "the standard claimed: 'ISO 9001' (any edition) or an edition"),
    ("name", "the organisation's name claimed (case and accents ignored)"),
    ("site", "a site's address claimed (case and accents ignored)"),
    ("scope", "a scope claimed: each of its words must be in the certified scope"),
)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify",
        parents=[server_options(), reading_options("the certificate")],
        help="is a certificate credible on a day? one, or a supplier list (--file)",
        description="Judge a certificate on a day as a buyer is told to: it exists, it is "
        "valid, it matches each claim given, an accreditation of its CB in effect that day "
        "covers it, and that accreditation body is an IAF MLA signatory. Prints the verdict "
        "(CREDIBLE, NOT_ACCREDITED, NOT_VALID, UNKNOWN) and every step. With --file, checks "
        "every row of a CSV supplier list (columns certification_body_id, "
        "certificate_number, and optionally at, claimed_standard, claimed_organization_name, "
        "claimed_site, claimed_scope), all as of one instant, and writes a CSV of results. "
        "Exit 0 whatever the verdicts; 1 if the server refused, or a row could not be "
        "checked.",
    )
    parser.add_argument(
        "cb", nargs="?", metavar="CB", type=non_empty, help="the certification body's id"
    )
    parser.add_argument(
        "number", nargs="?", metavar="NUMBER", type=non_empty, help="the certificate number"
    )
    group = parser.add_argument_group("claims to check (one certificate)")
    for name, what in CLAIMS:
        group.add_argument(f"--claim-{name}", default="", metavar="TEXT", help=what)
    group = parser.add_argument_group("a supplier list")
    group.add_argument("--file", type=Path, metavar="LIST", help="a CSV supplier list to check")
    group.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="write the results there (default stdout); CSV, or JSON Lines with --json",
    )
    group.add_argument(
        "--batch-size",
        type=int_at_least(1),
        default=suppliers.MAX_ITEMS,
        metavar="N",
        help=f"rows per VerifyCertificates call (at most {suppliers.MAX_ITEMS}; default "
        f"{suppliers.MAX_ITEMS})",
    )
    group.add_argument("--no-progress", action="store_true", help="print no progress")
    parser.set_defaults(run=_run(parser))


def _run(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        claims = [f"--claim-{name}" for name, _ in CLAIMS if getattr(args, f"claim_{name}")]
        if args.file is None:
            if args.number is None:
                parser.error("give CB NUMBER, or --file LIST")
            if args.out is not None:
                parser.error("--out goes with --file")
            return query(_verify_one)(args)
        if args.cb is not None:
            parser.error("give CB NUMBER or --file LIST, not both")
        if claims:
            parser.error(f"{', '.join(claims)}: a list gives its claims in its columns")
        if args.out is not None and args.out.resolve() == args.file.resolve():
            parser.error("--out must not be the list itself")
        return _verify_list(args)

    return run


# One certificate


def _verify_one(client: RegistryClient, args: argparse.Namespace) -> str:
    response = client.verify_certificate(
        args.cb,
        args.number,
        at=args.at,
        as_of=args.as_of,
        claimed_standard=args.claim_standard,
        claimed_organization_name=args.claim_name,
        claimed_site=args.claim_site,
        claimed_scope=args.claim_scope,
    )
    if args.json:
        return output.dumps(output.to_dict(response))
    return verification(f"{args.cb}/{args.number}", response)


def verification(certificate: str, response: acc_pb.VerifyCertificateResponse) -> str:
    """The verdict, what it was judged on, then each step: passed or FAILED, and why."""
    rows = [
        ("certificate", certificate),
        ("verdict", suppliers.verdict_name(response.verdict)),
        ("status", output.status_name(response.status)),
        ("on", output.day(response.at)),
        ("as of", output.instant(response.as_of)),
        ("log position", str(response.log_position)),
    ]
    if response.accreditation_body_id:
        rows.append(("accreditation body", response.accreditation_body_id))
    steps = [
        (suppliers.step_name(step.kind), "passed" if step.passed else "FAILED", step.reason)
        for step in response.steps
    ]
    return f"{output.pairs(rows)}\n\n{output.table(STEPS_HEADER, steps)}"


# A supplier list


def _verify_list(args: argparse.Namespace) -> int:
    try:
        columns, rows = suppliers.read(args.file)
    except suppliers.SupplierListError as error:
        print(f"registry: {args.file}: {error}; nothing checked", file=sys.stderr)
        return EXIT_UNREADABLE
    display = ProgressDisplay(
        sys.stderr, len(rows), enabled=not args.no_progress, label="verify", unit="rows"
    )
    verdicts: Counter[str] = Counter()
    unchecked = 0
    try:
        with output_file(args.out) as stream, connect(args) as client:
            writer = suppliers.ResultWriter(stream, columns, as_json=args.json)
            results = suppliers.check(
                client,
                rows,
                at=args.at,
                as_of=args.as_of,
                chunk_size=args.batch_size,
                on_refused=lambda error: refused(error, args),
            )
            for done, (row, result) in enumerate(zip(rows, results, strict=True), 1):
                writer.write(row, result)
                if result.checked and result.response is not None:
                    verdicts[suppliers.verdict_name(result.response.verdict)] += 1
                else:
                    unchecked += 1
                display.show(done, done, f"{done - unchecked:,} checked, {unchecked:,} not checked")
    except BrokenPipeError:  # a reader that went away (``| head``)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except OSError as error:
        print(f"registry: --out {args.out}: {error.strerror or error}", file=sys.stderr)
        return EXIT_UNREADABLE
    finally:
        display.close()
    tally = ", ".join(f"{count:,} {verdict}" for verdict, count in sorted(verdicts.items()))
    where = f"; results in {args.out}" if args.out is not None else ""
    print(
        f"verify: {len(rows):,} rows: {len(rows) - unchecked:,} checked"
        f"{f' ({tally})' if tally else ''}, {unchecked:,} could not be checked{where}",
        file=sys.stderr,
    )
    return EXIT_FAILED if unchecked else EXIT_OK
