"""The client subcommands of ``registry``: one per RPC of CertificateService, and ``follow``.

Each names a certificate by ``CB NUMBER``, talks to ``--server`` through
``registry.client`` and prints a plain-text table, or JSON with ``--json``.
``follow`` prints the feed of events as they are recorded: a line each, or a
JSON object each (JSON Lines). With ``--tls-ca`` every one talks TLS (mutual TLS
with ``--tls-cert`` and ``--tls-key`` too).
Exit codes: 0 done; 1 the server refused the call or could not be reached
(``registry: CODE: message`` on stderr); 2 a malformed command line.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from registry import config
from registry.cli import output
from registry.client import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    RegistryClient,
    RegistryClientError,
    new_request_id,
    ref,
)
from registry.commands import WRITES, Field, Kind, WriteCommand
from registry.errors import InvalidInputError
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import reference_events_pb2 as rpb

Query = Callable[[RegistryClient, argparse.Namespace], str]

EXIT_OK = 0
EXIT_FAILED = 1
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


# Argument types: a malformed value is a usage error (exit 2)


def iso_date(text: str) -> date:
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a calendar date YYYY-MM-DD")


def iso_instant(text: str) -> datetime:
    """ISO 8601 with ``Z`` or an offset; without a timezone, UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 instant, e.g. 2025-06-01T00:00:00Z"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def certificate_ref(text: str) -> pb.CertificateRef:
    """``CB/NUMBER``, split at the first slash (numbers may hold slashes, CB ids not)."""
    cb, _, number = text.partition("/")
    if not cb or not number:
        raise argparse.ArgumentTypeError(f"{text!r} is not CB/NUMBER, e.g. cb-2/Q-7")
    return ref(cb, number)


def site(text: str) -> pb.Site:
    """``ADDRESS`` or ``ADDRESS|SITE SCOPE``."""
    address, _, scope = text.partition("|")
    if not address.strip():
        raise argparse.ArgumentTypeError(f"{text!r} has no address; use ADDRESS[|SITE SCOPE]")
    return pb.Site(address=address.strip(), scope=scope.strip())


def non_empty(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def int_at_least(lowest: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < lowest:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number >= {lowest}")
        return number

    return parse


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return number


# Running a subcommand


def connect(args: argparse.Namespace, *, retries: int | None = None) -> RegistryClient:
    """A client of ``--server`` (see ``server_options``) sending the token of
    ``config.client_token``; over TLS with ``--tls-ca``."""
    ca, cert, key = tls_files(args)
    return RegistryClient(
        args.server,
        timeout=args.timeout,
        retries=args.retries if retries is None else retries,
        token=config.client_token(args.token_file),
        tls_ca=ca,
        tls_cert=cert,
        tls_key=key,
    )


def tls_files(args: argparse.Namespace) -> tuple[bytes | None, bytes | None, bytes | None]:
    """The PEM bytes of ``--tls-ca``, ``--tls-cert`` and ``--tls-key`` (each None when not
    given); a missing file or a wrong combination is an ``InvalidInputError``."""
    if (args.tls_cert is None) != (args.tls_key is None):
        raise InvalidInputError(
            f"--tls-cert and --tls-key (${config.TLS_CERT_ENV}, ${config.TLS_KEY_ENV}) "
            "go together: give both, or neither"
        )
    if args.tls_ca is None:
        if args.tls_cert is not None:
            raise InvalidInputError(
                f"--tls-cert and --tls-key need --tls-ca (${config.TLS_CA_ENV}): "
                "the CA of the server's certificate"
            )
        return None, None, None
    ca = config.read_pem(args.tls_ca, "--tls-ca", "certificate")
    if args.tls_cert is None:
        return ca, None, None
    cert = config.read_pem(args.tls_cert, "--tls-cert", "certificate")
    return ca, cert, config.read_pem(args.tls_key, "--tls-key", "private key")


def refused(error: RegistryClientError, args: argparse.Namespace) -> int:
    print(f"registry: {error.code.name}: {error.message}", file=sys.stderr)
    if error.code in _RETRYABLE:
        print(
            f"registry: the call to the registry server at {args.server} did not complete "
            f"(address from --server or ${config.SERVER_ENV})",
            file=sys.stderr,
        )
        if getattr(args, "request_id", None):
            print(
                f"registry: retrying with --request-id {args.request_id} applies the write "
                "at most once",
                file=sys.stderr,
            )
    return EXIT_FAILED


def emit(text: str) -> int:
    """Print the answer; a reader that went away (``| head``) is not an error worth a trace."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    return EXIT_OK


def query(handler: Query) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            with connect(args) as client:
                text = handler(client, args)
        except RegistryClientError as error:
            return refused(error, args)
        return emit(text)

    return run


def _write(command: WriteCommand) -> Callable[[argparse.Namespace], int]:
    """Send ``command`` with its fields from the options, print the answer."""

    def run(args: argparse.Namespace) -> int:
        args.request_id = args.request_id or new_request_id()
        fields = {field.name: _value(args, field) for field in command.fields}
        try:
            with connect(args) as client:
                response = client.write(
                    command.name,
                    args.cb,
                    args.number,
                    effective_date=args.effective,
                    request_id=args.request_id,
                    expected_version=args.expected_version,
                    **fields,
                )
        except RegistryClientError as error:
            return refused(error, args)
        replaced = getattr(args, "from_certificate", None)
        return emit(
            output.written(
                _label(args),
                response,
                args.request_id,
                replaced=output.label(replaced) if replaced is not None else None,
                as_json=args.json,
            )
        )

    return run


def send(
    args: argparse.Namespace,
    subject: str,
    label: str,
    call: Callable[[RegistryClient, str], Message],
) -> int:
    """Run the write ``call(client, request_id)`` (``--request-id``, else a fresh one) and
    print its answer: ``subject`` ``label``, new version, recorded time, request id."""
    args.request_id = args.request_id or new_request_id()
    try:
        with connect(args) as client:
            response = call(client, args.request_id)
    except RegistryClientError as error:
        return refused(error, args)
    return emit(
        output.written(label, response, args.request_id, subject=subject, as_json=args.json)
    )


def _label(args: argparse.Namespace) -> str:
    return f"{args.cb}/{args.number}"


# Queries


def _status(client: RegistryClient, args: argparse.Namespace) -> str:
    response = client.get_certificate_status(args.cb, args.number, at=args.at, as_of=args.as_of)
    return output.status(_label(args), response, as_json=args.json)


def _history(client: RegistryClient, args: argparse.Namespace) -> str:
    one_page = not args.all and (args.page_size is not None or args.page_token)
    if one_page:
        page = client.get_certificate_history(
            args.cb,
            args.number,
            page_size=args.page_size or 0,
            page_token=args.page_token,
            as_of=args.as_of,
        )
        return output.history(page.events, page.next_page_token, as_json=args.json)
    events = list(
        client.iter_certificate_history(
            args.cb, args.number, page_size=args.page_size or 0, as_of=args.as_of
        )
    )
    return output.history(events, "", as_json=args.json)


# Parsers


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False, parents=[server_options()])
    common.add_argument("cb", metavar="CB", type=non_empty, help="the certification body's id")
    common.add_argument("number", metavar="NUMBER", type=non_empty, help="the certificate number")
    return common


def server_options() -> argparse.ArgumentParser:
    """--server, --json, --timeout, --retries and the TLS options: what every client
    subcommand takes."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("server and output")
    group.add_argument(
        "--server",
        default=config.default_server(),
        metavar="HOST:PORT",
        help=f"the registry server (default ${config.SERVER_ENV} or {config.DEFAULT_ADDRESS})",
    )
    add_token_option(group)
    group.add_argument("--json", action="store_true", help="print JSON instead of a table")
    group.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"deadline of each call (default {DEFAULT_TIMEOUT:g})",
    )
    group.add_argument(
        "--retries",
        type=int_at_least(0),
        default=DEFAULT_RETRIES,
        metavar="N",
        help=f"retries while the server is unavailable (default {DEFAULT_RETRIES})",
    )
    add_tls_options(common)
    return common


def add_token_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--token-file: whose bearer token the calls carry (see ``config.client_token``)."""
    parser.add_argument(
        "--token-file",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"send the bearer token in FILE (default: ${config.TOKEN_ENV}, else "
        f"${config.TOKEN_FILE_ENV} or ./{config.DEFAULT_TOKEN_FILE} if it exists, else none: "
        "anonymous)",
    )


def add_tls_options(parser: argparse.ArgumentParser) -> None:
    """--tls-ca, --tls-cert and --tls-key, defaults from the environment."""
    group = parser.add_argument_group(
        "TLS", "Plaintext unless --tls-ca is given; mutual TLS with --tls-cert and --tls-key."
    )
    group.add_argument(
        "--tls-ca",
        type=Path,
        default=config.default_file(config.TLS_CA_ENV),
        metavar="FILE",
        help=f"talk TLS, trusting this CA's certificate (PEM) (default ${config.TLS_CA_ENV})",
    )
    group.add_argument(
        "--tls-cert",
        type=Path,
        default=config.default_file(config.TLS_CERT_ENV),
        metavar="FILE",
        help="present this client certificate (PEM); its Common Name names the caller, "
        f"e.g. cb:CB-1 (default ${config.TLS_CERT_ENV})",
    )
    group.add_argument(
        "--tls-key",
        type=Path,
        default=config.default_file(config.TLS_KEY_ENV),
        metavar="FILE",
        help="the client certificate's private key (PEM, unencrypted) "
        f"(default ${config.TLS_KEY_ENV})",
    )


def write_options(
    *, expected_version: bool = True, written: str = "the certificate"
) -> argparse.ArgumentParser:
    """--effective and --request-id (and --expected-version: the version is ``written``'s):
    what every write takes."""
    write = argparse.ArgumentParser(add_help=False)
    group = write.add_argument_group("every write")
    group.add_argument(
        "--effective",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the day the change takes effect (default today)",
    )
    group.add_argument(
        "--request-id",
        type=non_empty,
        metavar="ID",
        help="idempotency key; a retry with the same id is applied at most once "
        "(default a fresh UUID, printed)",
    )
    if expected_version:
        group.add_argument(
            "--expected-version",
            type=int_at_least(0),
            metavar="N",
            help=f"refuse (ABORTED) unless {written} is at this version",
        )
    return write


def reading_options(what: str) -> argparse.ArgumentParser:
    """--at and --as-of: the day asked about and the instant known at."""
    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument(
        "--at",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help=f"the day {what} is asked about (default today, UTC)",
    )
    reading.add_argument(
        "--as-of",
        type=iso_instant,
        metavar="INSTANT",
        help="answer as the registry knew it then, e.g. 2025-06-01T00:00:00Z "
        "(no timezone: UTC; default now)",
    )
    return reading


# The parts of an organization on the command line: option, what it is, metavar
_ORGANIZATION = (
    ("name", "legal name", None),
    ("country", "country code (ISO 3166-1 alpha-2, e.g. DE)", "CC"),
    ("address", "head office address", None),
)


def _add_field(parser: argparse.ArgumentParser, field: Field) -> None:
    """The option (an organization's options) of a write command's field."""
    if field.kind is Kind.ORGANIZATION:
        for part, what, metavar in _ORGANIZATION:
            parser.add_argument(
                f"--org-{part}",
                type=non_empty if field.required else str,
                required=field.required,
                default="",
                metavar=metavar,
                help=field.help.format(what),
            )
        return
    option: dict[str, Any] = {"help": field.help, "dest": field.name}
    match field.kind:
        case Kind.TEXT:
            option.update(type=non_empty)
        case Kind.FLAG:
            option.update(action="store_true")
        case Kind.INT:
            option.update(type=int_at_least(1), metavar="N")
        case Kind.DATE:
            option.update(type=iso_date, metavar="YYYY-MM-DD")
        case Kind.SITES:
            option.update(type=site, action="append", default=[], metavar="ADDRESS[|SITE SCOPE]")
        case Kind.SECTOR_CODES:
            option.update(action="append", default=[], metavar="CODE")
        case Kind.CERTIFICATE:
            option.update(type=certificate_ref, metavar="CB/NUMBER")
    if field.required:
        option.update(required=True)
    parser.add_argument(field.option, **option)


def _value(args: argparse.Namespace, field: Field) -> Any:
    """A field's value for ``RegistryClient.write``, from the parsed options."""
    if field.kind is Kind.ORGANIZATION:
        return pb.Organization(
            name=args.org_name, country=args.org_country, address=args.org_address
        )
    return getattr(args, field.name)


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``status``, ``history`` and one subcommand per write, made from its
    description in ``registry.commands.WRITES``."""
    common = _common_options()
    write = write_options()

    def add(
        name: str, summary: str, details: str = "", *, writes: bool = True
    ) -> argparse.ArgumentParser:
        return subparsers.add_parser(
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}. {details}".strip(),
            parents=[common, write] if writes else [common],
        )

    parser = add(
        "status",
        "the status of a certificate on a day, as known at an instant",
        "An unknown certificate is UNKNOWN, not an error.",
        writes=False,
    )
    parser.add_argument(
        "--at", type=iso_date, metavar="YYYY-MM-DD", help="the day asked about (default today, UTC)"
    )
    parser.add_argument(
        "--as-of",
        type=iso_instant,
        metavar="INSTANT",
        help="answer as the registry knew it then, e.g. 2025-06-01T00:00:00Z "
        "(no timezone: UTC; default now)",
    )
    parser.set_defaults(run=query(_status))

    parser = add(
        "history",
        "every event of a certificate in version order, with both clocks",
        "By default every event is printed, fetching page after page; with --page-size or "
        "--page-token (and no --all) only that one page is printed, followed by the token "
        "of the next.",
        writes=False,
    )
    parser.add_argument(
        "--as-of",
        type=iso_instant,
        metavar="INSTANT",
        help="only events recorded by then (no timezone: UTC; default now)",
    )
    parser.add_argument(
        "--page-size", type=int_at_least(1), metavar="N", help="events per page (server max 1000)"
    )
    parser.add_argument("--page-token", default="", metavar="TOKEN", help="continue a listing")
    parser.add_argument("--all", action="store_true", help="follow page tokens to the end")
    parser.set_defaults(run=query(_history))

    for command in WRITES.values():
        parser = add(command.name, command.summary, command.details)
        for field in command.fields:
            _add_field(parser, field)
        parser.set_defaults(run=_write(command))

    _add_follow(subparsers)


# The feed


def event_type(text: str) -> int:
    """An event type by name: ``Suspended``, ``SURVEILLANCE_PASSED``, ``surveillance-passed``."""
    key = text.replace("-", "").replace("_", "").lower()
    for value in pb.CertificateEventType.values():
        if value and output.event_type_name(value).lower() == key:
            return int(value)
    names = ", ".join(output.event_type_name(v) for v in pb.CertificateEventType.values() if v)
    raise argparse.ArgumentTypeError(f"{text!r} is not an event type: one of {names}")


def event_kind(text: str) -> int:
    """A kind of log event by name: ``certificate``, ``accreditation``, ``directory``,
    ``catalogue``."""
    key = text.strip().upper()
    for value in rpb.EventKind.values():
        if value and rpb.EventKind.Name(value).removeprefix("EVENT_KIND_") == key:
            return int(value)
    names = ", ".join(
        rpb.EventKind.Name(v).removeprefix("EVENT_KIND_").lower()
        for v in rpb.EventKind.values()
        if v
    )
    raise argparse.ArgumentTypeError(f"{text!r} is not a kind of event: one of {names}")


def _add_follow(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    summary = "print the registry's events as they are recorded"
    parser = subparsers.add_parser(
        "follow",
        help=summary,
        parents=[server_options()],
        description=f"{summary[0].upper()}{summary[1:]}: every event after --from (from the "
        "start by default), then each new one, until interrupted. The stream is resumed "
        "from the last position received whenever the server ends it (restarting, or this "
        "reader too far behind): nothing is printed twice or skipped. With --json, one "
        "object a line (JSON Lines), heartbeats included, each with the position reached.",
    )
    parser.add_argument(
        "--from",
        dest="from_position",
        type=int_at_least(0),
        default=0,
        metavar="N",
        help="start after global position N (default 0: the start of the log)",
    )
    parser.add_argument(
        "--cb",
        action="append",
        type=non_empty,
        default=[],
        metavar="CB",
        help="only this CB's events (repeatable)",
    )
    parser.add_argument(
        "--type",
        dest="types",
        action="append",
        type=event_type,
        default=[],
        metavar="TYPE",
        help="only certificate events of this type, e.g. Suspended (repeatable)",
    )
    parser.add_argument(
        "--kind",
        dest="kinds",
        action="append",
        type=event_kind,
        default=[],
        metavar="KIND",
        help="only events of this kind: certificate, accreditation, directory, catalogue "
        "(repeatable; default every kind, or certificate events with --type)",
    )
    parser.add_argument("--limit", type=int_at_least(1), metavar="N", help="stop after N events")
    parser.set_defaults(run=_follow)


def _follow(args: argparse.Namespace) -> int:
    printed = 0
    try:
        with connect(args) as client:
            for response in client.follow(
                args.from_position,
                certification_body_ids=args.cb,
                types=args.types,
                kinds=args.kinds,
                heartbeats=args.json,
            ):
                if emit(output.feed_item(response, as_json=args.json)) != EXIT_OK:
                    return EXIT_FAILED
                if response.WhichOneof("item") != "heartbeat":
                    printed += 1
                    if args.limit is not None and printed >= args.limit:
                        return EXIT_OK
    except RegistryClientError as error:
        return refused(error, args)
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK
