"""``registry demo``: build a sample registry, serve it, and walk the users' stories.

The registry is built in this process, through the application's use cases (a
batch per month-end upload), on a fresh store: a SQLite file in a temporary
folder unless ``--db`` names another empty store. Then a real server starts on
a loopback port and the walk asks its questions through the real client; the
server keeps serving until SIGTERM or Ctrl-C, unless ``--no-serve``.
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import threading
import time
from contextlib import ExitStack
from types import FrameType
from typing import TYPE_CHECKING, Any

from registry import config
from registry.cli.commands import int_at_least
from registry.demo.plan import DEFAULT_CERTIFICATES, DEFAULT_SEED
from registry.errors import InvalidInputError, UnavailableError

if TYPE_CHECKING:
    from registry.application.registry import Registry
    from registry.client import RegistryClient
    from registry.demo.plan import Plan

DEFAULT_PORT = 50051
INDEX_WAIT_SECONDS = 120.0
MIN_CERTIFICATES = 20


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="build a sample registry, serve it, and walk the three users' stories",
        description="Build a realistic sample registry (8 CBs accredited by 8 ABs, a few "
        "thousand certificates with renewals, suspensions, backdated corrections, retractions "
        "and transfers), serve it, and walk through a CB publishing its month-end batch, a "
        "buyer checking a supplier, and an assessor reviewing a CB, over the gRPC API.",
    )
    parser.add_argument(
        "--db",
        default=None,
        help="an empty store: sqlite:///PATH, postgresql://… or memory: "
        "(default: a SQLite file in a temporary folder, removed at the end)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"port to listen on (default {DEFAULT_PORT}; with --no-serve any free port)",
    )
    parser.add_argument(
        "--certificates",
        type=int_at_least(MIN_CERTIFICATES),
        default=DEFAULT_CERTIFICATES,
        metavar="N",
        help=f"about how many certificates (default {DEFAULT_CERTIFICATES:,})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="the random seed: the same seed on the same day builds the same registry",
    )
    parser.add_argument(
        "--no-serve", action="store_true", help="walk the stories, then stop the server and exit"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so the client subcommands start without loading the server.
    from registry.application.registry import Registry
    from registry.client import RegistryClient
    from registry.demo.builder import DemoClock, build
    from registry.demo.plan import make_plan
    from registry.demo.walk import Walk
    from registry.domain.catalogue import CATALOGUE_ID
    from registry.server.app import BackgroundServer

    port = args.port if args.port is not None else (0 if args.no_serve else DEFAULT_PORT)
    with ExitStack() as stack:
        db = args.db
        if db is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="registry-demo-"))
            db = f"sqlite:///{folder}/registry.db"
        clock = DemoClock()
        app = Registry(config.persistence_env(db), clock=clock)
        stack.callback(app.close)
        summary = app.summary()
        # Empty but for the standards catalogue a new registry records when it starts.
        held = summary.events - app.store.version_at(CATALOGUE_ID, summary.last_position)
        if held:
            raise InvalidInputError(
                f"--db {db}: the store already holds {held:,} events; the demo builds its "
                "registry only in an empty store (give a new SQLite path, or memory:)"
            )
        today = clock.real_now().date()
        plan = make_plan(today, certificates=args.certificates, seed=args.seed)
        print(f"registry demo: a sample registry as of {today} (seed {args.seed})", flush=True)
        print(f"store: {db}" + (" (removed when the demo ends)" if args.db is None else ""))
        started = time.monotonic()
        report = build(app, plan, clock)
        if report.refused:
            for step, error in report.refused:
                print(f"refused: {step.use_case} {step.cb}/{step.number}: {error}")
            return 1
        months = -plan.history[0].month if plan.history else 0
        print(
            f"recorded {report.written:,} changes ({app.summary().events:,} events) in "
            f"{report.uploads:,} month-end uploads over the last {months} months "
            f"({time.monotonic() - started:.1f} s); history is recorded with the registry's "
            "clock set to each upload's instant",
            flush=True,
        )
        try:
            server = BackgroundServer(app, f"{args.host}:{port}").start()
        except OSError as error:
            raise InvalidInputError(
                f"{error} (another server there?): choose another --port, or 0 for any free one"
            ) from None
        stack.callback(_stopped)
        stack.callback(server.stop, 5.0)
        target = f"{args.host}:{server.port}"
        tokens = DemoTokens(app)
        client = stack.enter_context(
            RegistryClient(_dial(args.host, server.port), timeout=30, token_source=tokens.token_for)
        )
        waited = _wait_for_index(client, app.summary().last_position)
        print(f"the server's index caught up with the log in {waited:.1f} s", flush=True)
        Walk(client, plan).run()
        print()
        if args.no_serve:
            print(f"done (--no-serve): {target} stops now")
            return 0
        stopping = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, on_signal)
        _hints(plan, target)
        print(f"registry listening on {target}", flush=True)
        while not stopping.wait(0.5):
            pass
    return 0


class DemoTokens:
    """The walk's credentials: each CB sends its own batch with its token, each AB audits
    the CBs it accredits with its token, and a buyer asks anonymously."""

    def __init__(self, app: Registry) -> None:
        from registry.demo.data import ACCREDITATION_BODIES, CERTIFICATION_BODIES
        from registry.domain.principals import accreditation_body, certification_body

        create = app.credentials.create
        self.cbs = {cb.id: create(certification_body(cb.id)).token for cb in CERTIFICATION_BODIES}
        abs_ = {
            ab.acronym: create(accreditation_body(ab.acronym)).token for ab in ACCREDITATION_BODIES
        }
        self.auditors = {cb.id: abs_[cb.accredited_by] for cb in CERTIFICATION_BODIES}

    def token_for(self, method: str, request: Any) -> str | None:
        name = method.rsplit("/", 1)[-1]
        if name == "PublishBatch" and request.commands:
            command = request.commands[0]
            kind = command.WhichOneof("command")
            return self.cbs.get(getattr(command, kind).certificate.certification_body_id)
        if name in ("ListEvents", "GetIssuanceReport"):
            return self.auditors.get(request.certification_body_id)
        return None


def _stopped() -> None:
    print("registry stopped", flush=True)


def _dial(host: str, port: int) -> str:
    """Where a client on this machine reaches a server listening on ``host``."""
    if host in ("", "0.0.0.0", "::", "[::]"):
        return f"127.0.0.1:{port}"
    return f"{host}:{port}"


def _wait_for_index(client: RegistryClient, position: int) -> float:
    """Seconds until the server's index reached log ``position`` (searches say where
    the index stands)."""
    started = time.monotonic()
    while True:
        reached = client.search_certificates(certificate_number="-", page_size=1).log_position
        if reached >= position:
            return time.monotonic() - started
        if time.monotonic() - started > INDEX_WAIT_SECONDS:
            raise UnavailableError(
                f"the index reached position {reached} of {position} in "
                f"{INDEX_WAIT_SECONDS:.0f} s; is the store very slow?"
            )
        time.sleep(0.1)


def _hints(plan: Plan, target: str) -> None:
    stories = plan.stories
    supplier = f"{stories.supplier_cb} {stories.supplier_number}"
    server = f"--server {target}"
    print(f"The registry is serving on {target} until Ctrl-C (or SIGTERM). Try:")
    for line in (
        f"registry search {stories.search_text} {server}",
        f"registry status {supplier} --at {stories.suspended_on} {server}",
        f"registry history {supplier} {server}",
        f"registry events {stories.batch_cb} {server}",
        f"registry report {stories.batch_cb} {server}",
        f"registry follow {server}",
    ):
        print(f"  {line}")
