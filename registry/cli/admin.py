"""``registry admin``: the first admin token, bearer tokens, and the directory of bodies.

``admin bootstrap`` works on the store itself (``--db``, as ``registry serve`` does);
every other subcommand is a client of a running server, sent with an admin token
(``$REGISTRY_TOKEN``, ``--token-file``, else ``./registry.token``). A token's secret is
printed once, when it is created, and never again: listings show ids only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

from registry import config
from registry.cli import output, standards
from registry.cli.commands import (
    EXIT_FAILED,
    EXIT_OK,
    connect,
    emit,
    iso_instant,
    non_empty,
    query,
    reading_options,
    refused,
    send,
    server_options,
    write_options,
)
from registry.client import RegistryClient, RegistryClientError
from registry.v1 import directory_service_pb2 as dir_pb

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
BODIES = {"cb": "certification body", "ab": "accreditation body"}
MLA_STATUSES = ("SIGNATORY", "SUSPENDED", "NOT_SIGNATORY")
MLA_PREFIX = "MLA_STATUS_"
TOKEN_HEADER = ("id", "principal", "created", "expires", "revoked", "note")


def add_parser(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "admin",
        help="the registry's administration: tokens, certification and accreditation bodies",
        description="Administer the registry: the first admin token of a store "
        "(bootstrap), bearer tokens, and the directory of certification bodies (cb) and "
        "accreditation bodies (ab). Every subcommand but bootstrap is sent to a running "
        "server with an admin token.",
    )
    commands = parser.add_subparsers(dest="admin_command", required=True, metavar="COMMAND")
    _add_bootstrap(commands)
    _add_tokens(commands)
    for kind in BODIES:
        _add_bodies(commands, kind)
    standards.add_admin_parsers(commands)


# bootstrap


def _add_bootstrap(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "bootstrap",
        help="create the first admin token of a store that never had one (offline)",
        description="Open the store (--db) as `registry serve` does and, if it never had an "
        "admin token, create the first one and write it to --token-file, readable by its "
        "owner only. A store that had one already is left as it is (exit 1): an admin "
        "creates more with `registry admin token create --admin`.",
    )
    parser.add_argument(
        "--db",
        default=config.default_db(),
        metavar="URL",
        help=f"the store (default ${config.DB_ENV}, else {config.DEFAULT_DB})",
    )
    parser.add_argument(
        "--token-file",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"where to write the token (default ${config.TOKEN_FILE_ENV}, else "
        f"./{config.DEFAULT_TOKEN_FILE})",
    )
    parser.set_defaults(run=_bootstrap)


def _bootstrap(args: argparse.Namespace) -> int:
    from registry.cli.serve import bootstrap, open_registry

    app = open_registry(config.persistence_env(args.db), seed=False)
    try:
        written = bootstrap(app, args.token_file)
    finally:
        app.close()
    if written is None:
        print(
            "registry: this store has had an admin token already; nothing was written "
            "(an admin creates more with `registry admin token create --admin`)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


# tokens


def _add_tokens(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "token",
        help="create, revoke and list bearer tokens",
        description="Bearer tokens: each names one principal (admin, cb:ID or ab:ID). The "
        "registry keeps only a hash of each: a token is shown when it is created, never "
        "again.",
    )
    tokens = parser.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    common = server_options()

    parser = tokens.add_parser(
        "create",
        parents=[common],
        help="create a token for a CB, an AB or an admin",
        description="Create a token and print it, this once; with --out, write it to FILE "
        "(readable by its owner only) and print only its id.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--cb", type=non_empty, metavar="ID", help="for this certification body")
    who.add_argument("--ab", type=non_empty, metavar="ID", help="for this accreditation body")
    who.add_argument("--admin", action="store_true", help="for an administrator")
    parser.add_argument(
        "--expires",
        type=iso_instant,
        metavar="INSTANT",
        help="refused from this instant on, e.g. 2027-01-01T00:00:00Z (default never)",
    )
    parser.add_argument("--note", default="", metavar="TEXT", help="a label for operators")
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write the token to FILE instead of printing it"
    )
    parser.set_defaults(run=_create_token)

    parser = tokens.add_parser(
        "revoke",
        parents=[common],
        help="revoke a token by its id",
        description="Revoke a token: every server refuses it (UNAUTHENTICATED) within a second.",
    )
    parser.add_argument("token_id", metavar="TOKEN_ID", type=non_empty, help="the token's id")
    parser.set_defaults(run=query(_revoke_token))

    parser = tokens.add_parser(
        "list",
        parents=[common],
        help="every token ever created, without secrets",
        description="Every token ever created: id, principal, created, expires, revoked, "
        "note. Secrets are never shown.",
    )
    parser.set_defaults(run=query(_list_tokens))


def _create_token(args: argparse.Namespace) -> int:
    role, body_id = ("cb", args.cb) if args.cb else ("ab", args.ab) if args.ab else ("admin", "")
    try:
        with connect(args) as client:
            response = client.create_token(role, body_id, expires_at=args.expires, note=args.note)
            if args.out is not None and not _written_to(args.out, response, client):
                return EXIT_FAILED
    except RegistryClientError as error:
        return refused(error, args)
    details = response.details
    if args.out is not None:
        print(
            f"registry: the token of {details.principal} is in {args.out.resolve()}, readable "
            f"by its owner only; send it with --token-file {args.out}",
            file=sys.stderr,
        )
        if args.json:
            return emit(output.dumps({"details": output.to_dict(details), "file": str(args.out)}))
        return emit(details.token_id)
    if args.json:
        return emit(output.dumps(output.to_dict(response)))
    print(
        "registry: the token is shown this once (the registry keeps only its hash); keep it now",
        file=sys.stderr,
    )
    return emit(output.pairs([("token", response.token), *_token_rows(details)]))


def _written_to(path: Path, response: dir_pb.CreateTokenResponse, client: RegistryClient) -> bool:
    """Write the new token to ``path``; if that fails, revoke it (nobody has seen it)."""
    try:
        config.write_token_file(path, response.token)
    except OSError as error:
        print(
            f"registry: cannot write the token to {path}: {error.strerror or error}; "
            f"revoking it ({response.details.token_id})",
            file=sys.stderr,
        )
        client.revoke_token(response.details.token_id)
        return False
    return True


def _revoke_token(client: RegistryClient, args: argparse.Namespace) -> str:
    details = client.revoke_token(args.token_id).details
    if args.json:
        return output.dumps(output.to_dict(details))
    return output.pairs(_token_rows(details))


def _list_tokens(client: RegistryClient, args: argparse.Namespace) -> str:
    response = client.list_tokens()
    if args.json:
        return output.dumps(output.to_dict(response))
    rows = [
        (
            token.token_id,
            token.principal,
            output.instant(token.created_at),
            _maybe_instant(token, "expires_at", "never"),
            _maybe_instant(token, "revoked_at", "-"),
            token.note,
        )
        for token in response.tokens
    ]
    return output.table(TOKEN_HEADER, rows) if rows else "no tokens"


def _token_rows(token: dir_pb.Token) -> list[tuple[str, str]]:
    rows = [
        ("token id", token.token_id),
        ("principal", token.principal),
        ("created", output.instant(token.created_at)),
        ("expires", _maybe_instant(token, "expires_at", "never")),
    ]
    if token.HasField("revoked_at"):
        rows.append(("revoked", output.instant(token.revoked_at)))
    if token.note:
        rows.append(("note", token.note))
    return rows


def _maybe_instant(message: Any, field: str, unset: str) -> str:
    return output.instant(getattr(message, field)) if message.HasField(field) else unset


# bodies


def _add_bodies(commands: Subparsers, kind: str) -> None:
    what = BODIES[kind]
    parser = commands.add_parser(
        kind,
        help=f"register, change, deactivate and show {what[:-1]}ies",
        description=f"The directory's {what[:-1]}ies, on two clocks like certificates: each change "
        "takes effect on --effective (default today); show answers for a day (--at) as known "
        "at an instant (--as-of).",
    )
    verbs = parser.add_subparsers(dest=f"{kind}_command", required=True, metavar="COMMAND")
    common = server_options()
    write = write_options(expected_version=False)

    def add(verb: str, summary: str, *, writes: bool = True) -> argparse.ArgumentParser:
        parents = [common, write] if writes else [common, reading_options(f"the {what}")]
        parser = verbs.add_parser(verb, parents=parents, help=summary, description=summary)
        parser.add_argument("body_id", metavar="ID", type=non_empty, help=f"the {what}'s id")
        return parser

    parser = add("register", f"register the {what} ID from --effective")
    parser.add_argument("--name", type=non_empty, required=True, help="its name")
    parser.add_argument(
        "--country", type=non_empty, required=True, metavar="CC", help="ISO 3166-1 alpha-2"
    )
    parser.set_defaults(run=_write(kind, _register))

    parser = add("change", f"change the {what}'s name or country (what is not given is kept)")
    parser.add_argument("--name", default="", help="its new name")
    parser.add_argument("--country", default="", metavar="CC", help="its new country")
    parser.set_defaults(run=_write(kind, _change, check=_changes_something(parser)))

    parser = add("deactivate", f"deactivate the {what} from --effective")
    parser.add_argument("--reason", type=non_empty, required=True, help="why")
    parser.set_defaults(run=_write(kind, _deactivate))

    parser = add("show", f"the {what} on a day, as known at an instant", writes=False)
    parser.set_defaults(run=query(_show_cb if kind == "cb" else _show_ab))

    if kind == "ab":
        parser = add("mla", "record the AB's IAF MLA signatory status from --effective")
        parser.add_argument(
            "status", metavar="STATUS", choices=MLA_STATUSES, help="|".join(MLA_STATUSES)
        )
        parser.set_defaults(run=_write(kind, _mla))


BodyWrite = Callable[[RegistryClient, str, argparse.Namespace, str], Any]


def _write(
    kind: str, call: BodyWrite, *, check: Callable[[argparse.Namespace], None] | None = None
) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        if check is not None:
            check(args)
        return send(
            args,
            BODIES[kind],
            args.body_id,
            lambda client, request_id: call(client, kind, args, request_id),
        )

    return run


def _changes_something(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], None]:
    def check(args: argparse.Namespace) -> None:
        if not (args.name or args.country):
            parser.error("give --name, --country or both")

    return check


def _register(client: RegistryClient, kind: str, args: argparse.Namespace, request_id: str) -> Any:
    register = (
        client.register_certification_body if kind == "cb" else client.register_accreditation_body
    )
    return register(
        args.body_id,
        name=args.name,
        country=args.country,
        effective_date=args.effective,
        request_id=request_id,
    )


def _change(client: RegistryClient, kind: str, args: argparse.Namespace, request_id: str) -> Any:
    return client.change_body_details(
        kind,
        args.body_id,
        name=args.name,
        country=args.country,
        effective_date=args.effective,
        request_id=request_id,
    )


def _deactivate(
    client: RegistryClient, kind: str, args: argparse.Namespace, request_id: str
) -> Any:
    return client.deactivate_body(
        kind, args.body_id, reason=args.reason, effective_date=args.effective, request_id=request_id
    )


def _mla(client: RegistryClient, kind: str, args: argparse.Namespace, request_id: str) -> Any:
    return client.record_mla_status(
        args.body_id, args.status, effective_date=args.effective, request_id=request_id
    )


def _show_cb(client: RegistryClient, args: argparse.Namespace) -> str:
    response = client.get_certification_body(args.body_id, at=args.at, as_of=args.as_of)
    if args.json:
        return output.dumps(output.to_dict(response))
    accreditors = ", ".join(response.accreditation_body_ids) or "none"
    return output.pairs(
        [
            *_body_rows("cb", response.body),
            ("accredited by", accreditors),
            *_cut_rows(response),
        ]
    )


def _show_ab(client: RegistryClient, args: argparse.Namespace) -> str:
    response = client.get_accreditation_body(args.body_id, at=args.at, as_of=args.as_of)
    if args.json:
        return output.dumps(output.to_dict(response))
    rows = [
        *_body_rows("ab", response.body),
        ("IAF MLA status", mla_status_name(response.mla_status)),
    ]
    if response.HasField("mla_status_since"):
        rows.append(("MLA status since", output.day(response.mla_status_since)))
    return output.pairs([*rows, *_cut_rows(response)])


def mla_status_name(status: int) -> str:
    return dir_pb.MlaStatus.Name(status).removeprefix(MLA_PREFIX)


def _body_rows(kind: str, body: dir_pb.Body) -> list[tuple[str, str]]:
    rows = [(BODIES[kind], body.body_id), ("name", body.name), ("country", body.country)]
    if body.HasField("registered_on"):
        rows.append(("registered on", output.day(body.registered_on)))
    rows.append(("active", "yes" if body.active else "no"))
    if body.HasField("deactivated_on"):
        rows.append(("deactivated on", output.day(body.deactivated_on)))
    if body.deactivation_reason:
        rows.append(("deactivation reason", body.deactivation_reason))
    rows.append(("version", str(body.version)))
    return rows


def _cut_rows(response: Any) -> list[tuple[str, str]]:
    """The day, instant and log position an answer was computed for."""
    return [
        ("on", output.day(response.at)),
        ("as of", output.instant(response.as_of)),
        ("log position", str(response.log_position)),
    ]
