"""Write rates beside, and on, one certificate with a long history.

    scripts/bench --long-history [--quick] [--repeats 3] [--engine sqlite|postgres|both]
                                 [--postgres DSN]

For each engine and each N (0, 500, 1,000, 3,000), one ``registry serve`` process
(``python -O``, as scripts/serve runs it) on a store of its own, where one CB's
certificate, the long one, is grown to N events (suspensions and reinstatements,
four a day, through PublishBatch); then, with 8 clients (one channel each) and each
write under its CB's token:

(b) new certificates issued, each client for a CB of its own (at N = 0 the long
    certificate does not exist yet: that row is (a), the store without it);
(c) surveillances of the long certificate itself, dated today (appended at the end
    of its timeline);
(d) new certificates issued by 7 clients while the 8th keeps appending to the long
    certificate: what its CB's writes cost every other CB.

Before each measurement the index projection has caught up with the log, so what
a run measures is its own writes and what they cost the server, projection
included; "index s" is how long the projection took to catch up after a (c) run.
Medians over ``--repeats`` runs (min-max); ratios are to N = 0 in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bench import Op, Run, concurrent, median, rate_text  # noqa: E402
from bench_auth import Tokens, over_the_wire  # noqa: E402
from pg_instance import PostgresInstance, schema_dsn  # noqa: E402
from server_process import ServerProcess  # noqa: E402

from registry.application.registry import Registry  # noqa: E402
from registry.client import RegistryClient, batch_command, write_request  # noqa: E402
from registry.config import persistence_env  # noqa: E402
from registry.domain.dates import add_years  # noqa: E402
from registry.projections.setup import Index, index_lag, open_index  # noqa: E402
from registry.v1 import certificate_service_pb2 as pb  # noqa: E402

CLIENTS = 8
LENGTHS = (0, 500, 1_000, 3_000)
LONG_CB, LONG_NUMBER = "cb-long", "LONG-1"
CLIENT_CBS = tuple(f"cb-{n}" for n in range(CLIENTS))
ORGANIZATION = pb.Organization(name="Acme GmbH", country="DE", address="1 Hauptstr, Berlin")
SITES = [pb.Site(address="1 Hauptstr, Berlin")]
BATCH = 1_000  # commands per PublishBatch while growing the long certificate
EVENTS_PER_DAY = 4  # suspended, reinstated, suspended, reinstated


@dataclass(frozen=True)
class Sizes:
    repeats: int
    issues: int  # (b): writes per run
    appends: int  # (c): writes per run


FULL = Sizes(3, 400, 160)
QUICK = Sizes(1, 160, 64)


@dataclass
class Step:
    """The runs at one length of the long certificate."""

    length: int
    issues: list[Run] = field(default_factory=list)
    appends: list[Run] = field(default_factory=list)
    beside: list[Run] = field(default_factory=list)  # (d)
    beside_appends: list[float] = field(default_factory=list)  # (d): the appender's rate
    appended_from: int = 0  # the long certificate's events when (c) began
    catch_up: list[float] = field(default_factory=list)  # index seconds after each (c)
    grown: float = 0.0  # seconds to grow the long certificate to this length
    grown_index: float = 0.0  # the index projection's catch-up after that


class LongHistory:
    """One engine's server, its clients, and the long certificate's growth."""

    def __init__(self, server: ServerProcess, tokens: Tokens, index: Index, today: date) -> None:
        self.server = server
        self.index = index
        self.tokens = tokens
        self.today = today
        self.issued = today - timedelta(days=1000)
        self.expiry = add_years(self.issued, 3) - timedelta(days=1)
        self.clients = [
            RegistryClient(server.target, timeout=60, retries=0, token_source=tokens)
            for _ in range(CLIENTS)
        ]
        self.events = 0  # of the long certificate
        self.pairs = 0  # suspension-reinstatement pairs recorded
        self.serial = 0

    def close(self) -> None:
        for client in self.clients:
            client.close()

    @property
    def pid(self) -> int:
        assert self.server.process is not None
        return self.server.process.pid

    def issues(self, count: int) -> Run:
        """(b): ``count`` new certificates, each client issuing for its own CB."""
        self.serial += 1
        jobs: list[list[Op]] = [
            [
                partial(self._issue, client, cb, f"N-{self.serial}-{k}")
                for k in range(count // CLIENTS)
            ]
            for client, cb in zip(self.clients, CLIENT_CBS, strict=True)
        ]
        self.caught_up()
        return concurrent(jobs, self.pid)

    def issues_beside_appends(self, count: int) -> tuple[Run, float]:
        """(d): ``count`` new certificates from all clients but the last, which appends to
        the long certificate until they are done; and the rate it appended at."""
        self.serial += 1
        issuers, appender = self.clients[:-1], self.clients[-1]
        jobs: list[list[Op]] = [
            [
                partial(self._issue, client, cb, f"D-{self.serial}-{k}")
                for k in range(count // len(issuers))
            ]
            for client, cb in zip(issuers, CLIENT_CBS, strict=False)
        ]
        done = threading.Event()
        appended = 0

        def append() -> None:
            nonlocal appended
            while not done.is_set():
                appender.record_surveillance(LONG_CB, LONG_NUMBER)
                appended += 1

        self.caught_up()
        thread = threading.Thread(target=append)
        thread.start()
        try:
            run = concurrent(jobs, self.pid)
        finally:
            done.set()
            thread.join()
        self.events += appended
        return run, appended / run.seconds

    def appends(self, count: int) -> Run:
        """(c): ``count`` surveillances of the long certificate, dated today."""
        jobs: list[list[Op]] = [
            [partial(client.record_surveillance, LONG_CB, LONG_NUMBER)] * (count // CLIENTS)
            for client in self.clients
        ]
        self.caught_up()
        run = concurrent(jobs, self.pid)
        self.events += run.ops
        return run

    def _issue(self, client: RegistryClient, cb: str, number: str) -> None:
        effective = self.today - timedelta(days=30)
        client.issue_certificate(
            cb,
            number,
            organization=ORGANIZATION,
            standard="ISO 9001:2015",
            scope="Design and manufacture of valves",
            sector_codes=["18"],
            sites=SITES,
            effective_date=effective,
            expiry_date=add_years(effective, 3) - timedelta(days=1),
        )

    def issue_long(self) -> None:
        self.clients[0].issue_certificate(
            LONG_CB,
            LONG_NUMBER,
            organization=ORGANIZATION,
            standard="ISO 9001:2015",
            scope="Design and manufacture of valves",
            sector_codes=["18"],
            sites=SITES,
            effective_date=self.issued,
            expiry_date=self.expiry,
        )
        self.events = 1

    def grow(self, length: int) -> None:
        """Suspensions and reinstatements (a surveillance to make an odd count) until the
        long certificate has ``length`` events, sent as PublishBatch calls."""
        commands: list[pb.BatchCommand] = []
        while self.events + len(commands) < length:
            day = self.issued + timedelta(days=1 + 2 * self.pairs // EVENTS_PER_DAY)
            if self.events + len(commands) + 2 <= length:
                self.pairs += 1
                commands += [
                    self._command("suspend", day, reason="major nonconformity"),
                    self._command("reinstate", day),
                ]
            else:
                commands.append(self._command("surveil", day))
        for start in range(0, len(commands), BATCH):
            chunk = commands[start : start + BATCH]
            answer = self.clients[0].publish_batch(chunk, timeout=600)
            refused = [r for r in answer.results if r.code != 0]
            if refused:
                raise RuntimeError(f"growing the long certificate: {refused[0]}")
            self.events += len(chunk)

    def _command(self, command: str, day: date, **fields: object) -> pb.BatchCommand:
        return batch_command(
            write_request(command, LONG_CB, LONG_NUMBER, effective_date=day, **fields)
        )

    def caught_up(self, timeout: float = 1800) -> float:
        """Wait until the index projection has applied the whole log; the seconds it took."""
        started = time.perf_counter()
        while index_lag(self.index).positions:
            if time.perf_counter() - started > timeout:
                raise RuntimeError("the index projection did not catch up")
            time.sleep(0.02)
        return time.perf_counter() - started


@contextmanager
def long_history(db: str, folder: Path) -> Iterator[LongHistory]:
    # The server as scripts/serve runs it: -O drops the library's per-event assertions.
    os.environ["PYTHONOPTIMIZE"] = "1"
    try:
        server = ServerProcess(db, folder / "server.log").start()
    finally:
        del os.environ["PYTHONOPTIMIZE"]
    with ExitStack() as stack:
        stack.callback(server.stop)
        assert server.token_file is not None
        tokens = over_the_wire(server.target, server.token_file, [LONG_CB, *CLIENT_CBS])
        monitor = Registry(persistence_env(db, pool_size=2))
        stack.callback(monitor.close)
        index = open_index(monitor)
        stack.callback(index.close)
        bench = LongHistory(server, tokens, index, datetime.now(UTC).date())
        stack.callback(bench.close)
        yield bench


def run_engine(
    stores: Callable[[Path], str], folder: Path, sizes: Sizes, say: Callable[[str], None]
) -> list[Step]:
    """Each length on a store of its own (``stores`` names a new one in a folder)."""
    steps = []
    for length in LENGTHS:
        step = Step(length)
        place = folder / f"n{length}"
        place.mkdir()
        with long_history(stores(place), place) as bench:
            bench.issues(CLIENTS * 25)  # warm up: connections, caches, the store's files
            if length:
                bench.issue_long()
                say(f"growing the long certificate to {length:,} events")
                began = time.perf_counter()
                bench.grow(length)
                step.grown = time.perf_counter() - began
                step.grown_index = bench.caught_up()
            for r in range(sizes.repeats):
                say(f"(b) issues at N={length:,}, {r + 1}/{sizes.repeats}")
                step.issues.append(bench.issues(sizes.issues))
            if not length:
                bench.issue_long()
            for r in range(sizes.repeats):
                say(f"(d) issues beside appends at N={length:,}, {r + 1}/{sizes.repeats}")
                run, appended = bench.issues_beside_appends(sizes.issues)
                step.beside.append(run)
                step.beside_appends.append(appended)
            step.appended_from = bench.events
            for r in range(sizes.repeats):
                say(f"(c) appends at N={length:,}, {r + 1}/{sizes.repeats}")
                step.appends.append(bench.appends(sizes.appends))
                step.catch_up.append(bench.caught_up())
        steps.append(step)
    return steps


@contextmanager
def postgres(dsn: str | None) -> Iterator[Callable[[Path], str]]:
    """New schemas in the database ``dsn``, else in a PostgreSQL server of our own."""
    if dsn:
        yield lambda _: schema_dsn(dsn)
        return
    instance = PostgresInstance.start()
    try:
        yield lambda _: schema_dsn(instance.dsn)
    finally:
        instance.stop()


def rate(runs: Sequence[Run]) -> float:
    return median([run.rate for run in runs])


def cpu(runs: Sequence[Run]) -> str:
    return f"{median([(run.server_cpu or 0) / run.ops * 1000 for run in runs]):.2f}"


def table(steps: Sequence[Step]) -> str:
    head = (
        "N",
        "(a/b) issues/s",
        "ratio",
        "cpu ms",
        "(c) from",
        "(c) appends/s",
        "ratio",
        "cpu ms",
        "index s",
        "(d) issues/s",
        "ratio",
        "appends/s",
        "grown s",
        "its index s",
    )
    first = steps[0]
    lines = [head]
    for step in steps:
        lines.append(
            (
                f"{step.length:,}",
                rate_text(step.issues),
                f"{rate(step.issues) / rate(first.issues):.2f}",
                cpu(step.issues),
                f"{step.appended_from:,}",
                rate_text(step.appends),
                f"{rate(step.appends) / rate(first.appends):.2f}",
                cpu(step.appends),
                f"{median(step.catch_up):.2f}",
                rate_text(step.beside),
                f"{rate(step.beside) / rate(first.beside):.2f}",
                f"{median(step.beside_appends):,.0f}",
                f"{step.grown:.1f}" if step.length else "-",
                f"{step.grown_index:.1f}" if step.length else "-",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for k, line in enumerate(lines):
        out.append("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
        if k == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer writes, one repeat")
    parser.add_argument("--repeats", type=int, help="runs per figure (3; --quick 1)")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", metavar="DSN", help="a PostgreSQL database to use")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repeats:
        sizes = Sizes(args.repeats, sizes.issues, sizes.appends)
    started = time.perf_counter()

    def say(text: str) -> None:
        print(f"  ... {text}", file=sys.stderr, flush=True)

    results: list[tuple[str, list[Step]]] = []
    with tempfile.TemporaryDirectory(prefix="registry-bench-long-") as tmp:
        folder = Path(tmp)
        if args.engine in ("sqlite", "both"):
            say("sqlite")
            (folder / "sqlite").mkdir()
            results.append(
                (
                    "sqlite",
                    run_engine(
                        lambda place: f"sqlite:///{place / 'long.db'}",
                        folder / "sqlite",
                        sizes,
                        say,
                    ),
                )
            )
        if args.engine in ("postgres", "both"):
            say("postgres")
            (folder / "postgres").mkdir()
            with postgres(args.postgres) as schemas:
                results.append(("postgres", run_engine(schemas, folder / "postgres", sizes, say)))
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {CLIENTS} clients (one channel each); "
        f"(b) {sizes.issues} issues and (c) {sizes.appends} appends per run; "
        f"medians of {sizes.repeats} run(s) (min-max)"
    )
    for name, steps in results:
        print()
        print(f"{name}")
        print(table(steps))
    print()
    for note in (
        "N: events of the long certificate when (b) ran, each N on a store of its own (N = 0: "
        "none issued yet, i.e. (a)); (c) from: its events when (c) began, after (d)",
        "ratio: to N = 0 in the same run; cpu ms: server CPU per write",
        "(d): issues by 7 clients while the 8th appends to the long certificate "
        "(at N = 0 to the long certificate just issued), and the rate it appends at",
        "index s: the index projection's catch-up after a (c) run (median); grown s: "
        "growing the long certificate to N through PublishBatch, then the index's catch-up",
    ):
        print(f"note  {note}")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
