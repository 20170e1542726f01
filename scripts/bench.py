"""What each layer of the registry costs, measured in one run on one machine.

    scripts/bench            full sizes: stores of 1k and 100k certificates (several minutes)
    scripts/bench --quick    smaller sizes: stores of 1k and 10k certificates (under a minute)

Every figure is taken in the same run, on SQLite files in one temporary folder,
so that the layers read as ratios of each other:

(a) writes through the gRPC API, one command (one certificate event) per RPC, against
    ``registry serve`` running in its own process;
(b) the same commands on the Registry application in this process, without gRPC;
(c) the eventsourcing library's own rate with one event per ``save()``;
(d) an empty unary RPC (the standard ``grpc.health.v1`` Check) on the same server;
(e) GetCertificateStatus on stores of two sizes, about ten events per certificate.

The targets the project holds itself to are printed under the table as PASS/FAIL.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

import grpc
from bench_auth import register
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from grpc_health.v1 import health_pb2, health_pb2_grpc

from registry.application.registry import Registry
from registry.application.views import CertificateRef, Site, WriteMeta
from registry.client import RegistryClient
from registry.config import persistence_env
from registry.domain.certificate import Certificate
from registry.domain.dates import add_years
from registry.v1 import certificate_service_pb2 as pb

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 8
SAVE_BATCH = 200  # certificates per save() when loading a store
STANDARDS = ("ISO 9001:2015", "ISO 14001:2015", "ISO/IEC 27001:2022", "ISO 45001:2018")
ADDRESS = "1 Industriestrasse, 10115 Berlin"
SCOPE = "Design and manufacture of industrial valves"
NEW_SCOPE = "Design, manufacture and servicing of industrial valves"
WRITES_PER_CERTIFICATE = 4  # surveillance, scope change, suspension, reinstatement
# Commits made on a fresh file before measuring its writes: SQLite's WAL file grows until the
# first checkpoint (1,000 pages), and commits that extend it are slower than the steady state.
STEADY_STATE_COMMITS = 1_200

Op = Callable[[], object]


@dataclass(frozen=True)
class Sizes:
    repeats: int
    write_seq: int  # commands through gRPC, sequential
    write_par: int  # ... with 8 clients
    app_seq: int  # commands on the application in-process
    app_par: int
    save_seq: int  # library saves
    save_par: int
    rpc_seq: int  # empty RPCs
    rpc_par: int
    read_seq: int  # status reads
    read_par: int
    stores: tuple[int, int]  # certificates in the small and the large store


FULL = Sizes(3, 1600, 3200, 3000, 4000, 8000, 8000, 8000, 16000, 3000, 4000, (1_000, 100_000))
QUICK = Sizes(1, 400, 800, 600, 800, 1000, 1600, 1000, 2000, 600, 1000, (1_000, 10_000))


# Timing


@dataclass
class Run:
    """One measurement: ``ops`` operations in ``seconds``; CPU seconds of the processes."""

    ops: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    server_cpu: float | None = None
    client_cpu: float | None = None

    @property
    def rate(self) -> float:
        return self.ops / self.seconds


def _cpu_of(pid: int | None) -> float:
    """User plus system CPU seconds of process ``pid`` (None: this process)."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds this process and the server process spend from now until ``finish``."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.here = _cpu_of(None)
        self.server = _cpu_of(server_pid) if server_pid else 0.0

    def finish(self, run: Run) -> Run:
        run.client_cpu = _cpu_of(None) - self.here
        if self.server_pid:
            run.server_cpu = _cpu_of(self.server_pid) - self.server
        return run


def settle() -> None:
    """Flush what earlier steps left to write back, so it does not land in this measurement."""
    os.sync()


def sequential(ops: Sequence[Op], server_pid: int | None = None) -> Run:
    clock = time.perf_counter
    latencies = []
    settle()
    meter = CpuMeter(server_pid)
    start = clock()
    for op in ops:
        began = clock()
        op()
        latencies.append(clock() - began)
    return meter.finish(Run(len(ops), clock() - start, latencies))


def concurrent(per_thread: Sequence[Sequence[Op]], server_pid: int | None = None) -> Run:
    """Each list of ops on its own thread, all released at once; wall time until all are done."""
    barrier = threading.Barrier(len(per_thread) + 1)
    errors: list[BaseException] = []

    def work(ops: Sequence[Op]) -> None:
        try:
            barrier.wait()
            for op in ops:
                op()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(ops,), daemon=True) for ops in per_thread]
    for thread in threads:
        thread.start()
    settle()
    meter = CpuMeter(server_pid)
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    run = meter.finish(Run(sum(len(ops) for ops in per_thread), time.perf_counter() - start))
    if errors:
        raise errors[0]
    return run


def split(items: Sequence[Any], parts: int) -> list[list[Any]]:
    return [list(items[i::parts]) for i in range(parts)]


# Data: certificates issued the way Registry._write issues them


def _issue(
    registry: Registry,
    cb: str,
    number: str,
    effective: date,
    expiry: date,
    recorded_at: datetime,
    standard: str,
) -> Certificate:
    return Certificate.issue(
        standards=registry.standards,
        today=recorded_at.date(),
        recorded_at=recorded_at,
        effective_date=effective,
        actor=cb,
        request_id=f"load-{number}-1",
        certification_body_id=cb,
        certificate_number=number,
        organization_name=f"Holder of {number} GmbH",
        organization_country="DE",
        organization_address=ADDRESS,
        sites=[{"address": ADDRESS, "scope": ""}],
        standard=standard,
        scope=SCOPE,
        sector_codes=["18"],
        expiry_date=expiry,
    )


def issue_fresh(registry: Registry, refs: Sequence[tuple[str, str]]) -> None:
    """Valid certificates with one event each, issued 30 days ago, for the write workloads;
    one save() each, which also brings the file's WAL to its steady size."""
    today = datetime.now(tz=UTC).date()
    effective = today - timedelta(days=30)
    expiry = add_years(effective, 3) - timedelta(days=1)
    for cb, number in refs:
        recorded_at = datetime.now(tz=UTC)
        registry.save(_issue(registry, cb, number, effective, expiry, recorded_at, STANDARDS[0]))


def lifecycle(registry: Registry, rng: random.Random, cb: str, number: str) -> Certificate:
    """Ten events: issued 2023-2025 for 3 years, yearly surveillances, scope changes,
    suspensions and reinstatements, each recorded on its effective day, all before today."""
    today = datetime.now(tz=UTC).date()
    first, last = date(2023, 1, 1), min(date(2025, 12, 31), today - timedelta(days=60))
    issued = date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))
    expiry = add_years(issued, 3) - timedelta(days=1)
    horizon = min(today, expiry) - timedelta(days=1)
    yearly = [add_years(issued, n) for n in (1, 2) if add_years(issued, n) <= horizon]
    others = rng.sample(range(1, (horizon - issued).days + 1), 9 - len(yearly))
    plan = sorted(
        [(day, True) for day in yearly] + [(issued + timedelta(o), False) for o in others]
    )

    def recorded(day: date) -> datetime:
        return datetime.combine(day, clock_time(8), UTC) + timedelta(seconds=rng.randint(0, 36000))

    at = recorded(issued)
    certificate = _issue(registry, cb, number, issued, expiry, at, rng.choice(STANDARDS))
    suspended = False
    for version, (day, yearly_audit) in enumerate(plan, start=2):
        at = max(at + timedelta(seconds=1), recorded(day))
        context = {
            "standards": registry.standards,
            "today": at.date(),
            "recorded_at": at,
            "effective_date": day,
            "actor": cb,
            "request_id": f"load-{number}-{version}",
        }
        draw = rng.random()
        if yearly_audit:
            certificate.record_surveillance(**context)
        elif suspended and draw < 0.7:
            certificate.reinstate(**context)
            suspended = False
        elif not suspended and draw < 0.2:
            certificate.suspend(reason="major nonconformity not closed", review_by=None, **context)
            suspended = True
        elif draw < 0.6:
            sites = [{"address": ADDRESS, "scope": ""}, {"address": f"Site {version}", "scope": ""}]
            certificate.change_scope(
                scope=f"{SCOPE}, revision {version}",
                sites=sites,
                sector_codes=["18", "19"],
                **context,
            )
        else:
            certificate.record_surveillance(**context)
    return certificate


@dataclass
class Store:
    registry: Registry
    refs: list[tuple[str, str]]
    events: int
    seconds: float


def load_store(path: Path, certificates: int, seed: int) -> Store:
    """A store of certificates with full lifecycles, saved SAVE_BATCH aggregates at a time."""
    registry = Registry(persistence_env(f"sqlite:///{path}"))
    rng = random.Random(seed)
    refs = [(f"cb-{i % 40:02d}", f"L-{i:07d}") for i in range(certificates)]
    events = 0
    start = time.perf_counter()
    batch: list[Certificate] = []
    for cb, number in refs:
        batch.append(lifecycle(registry, rng, cb, number))
        if len(batch) == SAVE_BATCH:
            events += len(registry.save(*batch))
            batch.clear()
    if batch:
        events += len(registry.save(*batch))
    return Store(registry, refs, events, time.perf_counter() - start)


class Pool:
    """Pre-issued certificates, handed out once each so that no two clients share one."""

    def __init__(self, prefix: str, size: int) -> None:
        size = max(size, STEADY_STATE_COMMITS)
        self.refs = [(f"cb-{i % 40:02d}", f"{prefix}-{i:07d}") for i in range(size)]
        self.next = 0

    def take(self, commands: int) -> list[tuple[str, str]]:
        count = -(-commands // WRITES_PER_CERTIFICATE)
        taken = self.refs[self.next : self.next + count]
        if len(taken) < count:
            raise RuntimeError("the pool of pre-issued certificates ran out")
        self.next += count
        return taken


def grpc_commands(client: RegistryClient, refs: Sequence[tuple[str, str]]) -> list[Op]:
    site = [pb.Site(address=ADDRESS)]
    ops: list[Op] = []
    for cb, number in refs:
        ops += [
            partial(client.record_surveillance, cb, number),
            partial(client.change_scope, cb, number, scope=NEW_SCOPE, sites=site),
            partial(client.suspend_certificate, cb, number, reason="major nonconformity"),
            partial(client.reinstate_certificate, cb, number),
        ]
    return ops


def app_commands(registry: Registry, refs: Sequence[tuple[str, str]]) -> list[Op]:
    def meta() -> WriteMeta:
        return WriteMeta(request_id=str(uuid.uuid4()))

    site = [Site(ADDRESS)]
    ops: list[Op] = []
    for cb, number in refs:
        ref = CertificateRef(cb, number)
        ops += [
            lambda ref=ref: registry.record_surveillance(ref, meta()),
            lambda ref=ref: registry.change_scope(
                ref, meta(), scope=NEW_SCOPE, sites=site, sector_codes=[]
            ),
            lambda ref=ref: registry.suspend_certificate(ref, meta(), reason="major nonconformity"),
            lambda ref=ref: registry.reinstate_certificate(ref, meta()),
        ]
    return ops


class Ping(Aggregate):
    """The smallest aggregate: one Created event."""


# The server in its own process

_children: list[subprocess.Popen[bytes]] = []


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    target: str

    @property
    def pid(self) -> int:
        return self.process.pid


@contextlib.contextmanager
def serving(db: Path, log: Path, extra: Sequence[str] = ()) -> Iterator[Server]:
    """``registry serve`` on a free port, in its own process, until the block ends;
    ``extra``: more options of ``registry serve``."""
    with log.open("wb") as out:
        # As scripts/serve runs it: -O drops the library's per-event type assertions.
        command = [sys.executable, "-O", "-m", "registry", "serve", "--db", f"sqlite:///{db}"]
        process = subprocess.Popen(  # its own process group: Ctrl-C reaches only us, and we stop it
            [*command, "--port", "0", "--token-file", str(log.with_suffix(".token")), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            process_group=0,
        )
    _children.append(process)
    try:
        deadline = time.monotonic() + 60
        while (match := re.search(r"listening on (\S+)", log.read_text())) is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.05)
        target = match.group(1)
        with grpc.insecure_channel(target) as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
        yield Server(process, target)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process in _children:
        _children.remove(process)


def own_channel(target: str) -> grpc.Channel:
    """A channel with its own TCP connection (gRPC otherwise shares one per target)."""
    return grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])


def health_ops(channel: grpc.Channel, count: int) -> list[Op]:
    check = health_pb2_grpc.HealthStub(channel).Check
    request = health_pb2.HealthCheckRequest()
    return [partial(check, request, timeout=10)] * count


def status_ops(client: RegistryClient, refs: Sequence[tuple[str, str]]) -> list[Op]:
    return [partial(client.get_certificate_status, cb, number) for cb, number in refs]


def app_status_ops(registry: Registry, refs: Sequence[tuple[str, str]]) -> list[Op]:
    return [partial(registry.get_status, CertificateRef(cb, n)) for cb, n in refs]


# The run


@dataclass
class Row:
    label: str
    unit: str
    seq: list[Run] = field(default_factory=list)
    par: list[Run] = field(default_factory=list)


class Bench:
    def __init__(self, sizes: Sizes, folder: Path, clients: int) -> None:
        self.sizes = sizes
        self.folder = folder
        self.clients = clients
        self.rows = {
            "a": Row("(a) gRPC write, 1 command/RPC, 1 shared channel", "events/s"),
            "a_own": Row(f"(a) gRPC write, {clients} channels (1 per client)", "events/s"),
            "b": Row("(b) Registry in-process, same commands", "events/s"),
            "c": Row("(c) eventsourcing save(), new aggregate/save", "events/s"),
            "d": Row("(d) empty unary RPC (health Check), 1 channel", "calls/s"),
            "d_own": Row(f"(d) empty unary RPC, {clients} channels", "calls/s"),
        }
        for size in sizes.stores:
            label = f"{size // 1000}k certs"
            self.rows[f"e_{size}"] = Row(f"(e) GetCertificateStatus via gRPC, {label}", "calls/s")
            self.rows[f"e_app_{size}"] = Row(f"(e) get_status in-process, {label}", "calls/s")
        self.notes: list[str] = []
        self.rng = random.Random(7)

    def say(self, text: str) -> None:
        print(f"  ... {text}", file=sys.stderr, flush=True)

    def run(self) -> None:
        self.writes_over_grpc()
        self.writes_in_process()
        self.library_saves()
        for size, seed in zip(self.sizes.stores, (1, 2), strict=True):
            self.status_reads(size, seed)

    def writes_over_grpc(self) -> None:
        s, n = self.sizes, self.clients
        commands = 4 * n * WRITES_PER_CERTIFICATE + s.repeats * (s.write_seq + 2 * s.write_par)
        pool = Pool("W", commands // WRITES_PER_CERTIFICATE + 4 * n)
        db = self.folder / "writes.db"
        self.say(f"(a)/(d): issuing {len(pool.refs):,} certificates to write to")
        registry = Registry(persistence_env(f"sqlite:///{db}"))
        issue_fresh(registry, pool.refs)
        tokens = register(registry, (cb for cb, _ in pool.refs))
        registry.close()
        a, a_own, d, d_own = (self.rows[k] for k in ("a", "a_own", "d", "d_own"))
        with serving(db, self.folder / "serve-writes.log") as server:
            pid = server.pid
            with RegistryClient(server.target, retries=0, token_source=tokens) as client:
                own = [
                    RegistryClient(
                        channel=own_channel(server.target), retries=0, token_source=tokens
                    )
                    for _ in range(n)
                ]
                try:
                    for c in [client, *own]:  # connect and warm up every channel
                        for op in health_ops(c.channel, 20):
                            op()
                    for op in grpc_commands(client, pool.take(4 * n * WRITES_PER_CERTIFICATE)):
                        op()
                    for r in range(s.repeats):
                        self.say(f"(d) empty RPCs, repeat {r + 1}/{s.repeats}")
                        d.seq.append(sequential(health_ops(client.channel, s.rpc_seq), pid))
                        per = s.rpc_par // n
                        d.par.append(concurrent([health_ops(client.channel, per)] * n, pid))
                        d_own.par.append(concurrent([health_ops(c.channel, per) for c in own], pid))
                        self.say(f"(a) gRPC writes, repeat {r + 1}/{s.repeats}")
                        a.seq.append(sequential(grpc_commands(client, pool.take(s.write_seq)), pid))
                        refs = split(pool.take(s.write_par), n)
                        a.par.append(concurrent([grpc_commands(client, p) for p in refs], pid))
                        refs = split(pool.take(s.write_par), n)
                        jobs = [grpc_commands(c, p) for c, p in zip(own, refs, strict=True)]
                        a_own.par.append(concurrent(jobs, pid))
                finally:
                    for c in own:
                        c.close()

    def writes_in_process(self) -> None:
        s, n = self.sizes, self.clients
        commands = 4 * WRITES_PER_CERTIFICATE + s.repeats * (s.app_seq + s.app_par)
        pool = Pool("B", commands // WRITES_PER_CERTIFICATE + 4 * n)
        self.say(f"(b): issuing {len(pool.refs):,} certificates to write to")
        registry = Registry(persistence_env(f"sqlite:///{self.folder / 'app.db'}"))
        try:
            issue_fresh(registry, pool.refs)
            register(registry, (cb for cb, _ in pool.refs))
            b = self.rows["b"]
            for op in app_commands(registry, pool.take(4 * WRITES_PER_CERTIFICATE)):
                op()
            for r in range(s.repeats):
                self.say(f"(b) in-process writes, repeat {r + 1}/{s.repeats}")
                b.seq.append(sequential(app_commands(registry, pool.take(s.app_seq))))
                refs = split(pool.take(s.app_par), n)
                b.par.append(concurrent([app_commands(registry, p) for p in refs]))
        finally:
            registry.close()

    def library_saves(self) -> None:
        s, n = self.sizes, self.clients
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(self.folder / "library.db"),
        }
        app: Application[uuid.UUID] = Application(env)
        c = self.rows["c"]

        def saves(count: int) -> list[Op]:
            return [lambda: app.save(Ping())] * count

        try:
            for op in saves(STEADY_STATE_COMMITS):
                op()
            for r in range(s.repeats):
                self.say(f"(c) library saves, repeat {r + 1}/{s.repeats}")
                c.seq.append(sequential(saves(s.save_seq)))
                c.par.append(concurrent([saves(s.save_par // n)] * n))
        finally:
            app.close()

    def status_reads(self, size: int, seed: int) -> None:
        s, n = self.sizes, self.clients
        label = f"{size // 1000}k certs"
        db = self.folder / f"store-{size}.db"
        self.say(f"(e) loading a store of {size:,} certificates")
        store = load_store(db, size, seed)
        self.notes.append(
            f"store {label}: {size:,} certificates, {store.events:,} events loaded in "
            f"{store.seconds:.1f} s ({store.events / store.seconds:,.0f} events/s, "
            f"{SAVE_BATCH} certificates per save())"
        )
        e_app = self.rows[f"e_app_{size}"]
        try:
            tokens = register(store.registry, (cb for cb, _ in store.refs))
            self.say(f"(e) in-process status reads, {label}")
            for _ in range(s.repeats):
                ops = app_status_ops(store.registry, self.sample(store, s.read_seq))
                e_app.seq.append(sequential(ops))
                jobs = [
                    app_status_ops(store.registry, self.sample(store, s.read_par // n))
                    for _ in range(n)
                ]
                e_app.par.append(concurrent(jobs))
        finally:
            store.registry.close()
        e = self.rows[f"e_{size}"]
        log = self.folder / f"serve-store-{size}.log"
        with (
            serving(db, log) as server,
            RegistryClient(server.target, retries=0, token_source=tokens) as client,
        ):
            for op in status_ops(client, self.sample(store, 200)):
                op()
            for r in range(s.repeats):
                self.say(f"(e) status reads via gRPC, {label}, repeat {r + 1}/{s.repeats}")
                ops = status_ops(client, self.sample(store, s.read_seq))
                e.seq.append(sequential(ops, server.pid))
                jobs = [status_ops(client, self.sample(store, s.read_par // n)) for _ in range(n)]
                e.par.append(concurrent(jobs, server.pid))

    def sample(self, store: Store, count: int) -> list[tuple[str, str]]:
        return self.rng.choices(store.refs, k=count)


# The report


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rate_text(runs: Sequence[Run]) -> str:
    if not runs:
        return "-"
    rates = [run.rate for run in runs]
    text = f"{median(rates):,.0f}"
    if len(rates) > 1:
        text += f" ({min(rates):,.0f}-{max(rates):,.0f})"
    return text


def cpu_text(runs: Sequence[Run]) -> str:
    if not runs:
        return "-"
    client = median([(run.client_cpu or 0) / run.ops * 1000 for run in runs])
    if runs[0].server_cpu is None:
        return f"{client:.2f} | -"
    server = median([(run.server_cpu or 0) / run.ops * 1000 for run in runs])
    return f"{client:.2f} | {server:.2f}"


def latency(runs: Sequence[Run], q: float) -> float:
    return median([percentile(run.latencies, q) for run in runs]) * 1000


def table(rows: Sequence[Row], clients: int) -> str:
    head = (
        "layer",
        "unit",
        "sequential",
        "p50 ms",
        "p99 ms",
        f"{clients} clients",
        "cpu ms/op here | server",
    )
    lines = [head]
    for row in rows:
        lines.append(
            (
                row.label,
                row.unit,
                rate_text(row.seq),
                f"{latency(row.seq, 0.5):.2f}" if row.seq else "-",
                f"{latency(row.seq, 0.99):.2f}" if row.seq else "-",
                rate_text(row.par),
                cpu_text(row.par),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for k, line in enumerate(lines):
        cells = [
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(line)
        ]
        out.append("  ".join(cells).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def verdict(ok: bool, text: str) -> str:
    return f"{'PASS' if ok else 'FAIL'}  {text}"


def targets(rows: dict[str, Row], stores: tuple[int, int], clients: int) -> list[str]:
    def par(key: str) -> float:
        return median([run.rate for run in rows[key].par])

    def seq(key: str) -> float:
        return median([run.rate for run in rows[key].seq])

    a8, d8, c_seq, c_par = par("a"), par("d"), seq("c"), par("c")
    c_ref, c_which = (c_par, f"{clients} threads") if c_par >= c_seq else (c_seq, "sequential")
    ceiling = min(c_ref, d8)
    limit = "(c)" if c_ref <= d8 else "(d)"
    small, large = stores
    p50_small = latency(rows[f"e_{small}"].seq, 0.5)
    p50_large = latency(rows[f"e_{large}"].seq, 0.5)
    e8 = par(f"e_{large}")
    return [
        verdict(
            a8 >= 0.7 * ceiling,
            f"(a) {clients}-client gRPC writes {a8:,.0f} events/s = {a8 / ceiling:.0%} of "
            f"min((c) {c_ref:,.0f} [the library's better one-event-per-save rate: {c_which}], "
            f"(d) {d8:,.0f}) = {limit} {ceiling:,.0f}; target >= 70%",
        ),
        verdict(
            p50_large <= 1.5 * p50_small,
            f"(e) p50 at {large:,} certificates {p50_large:.2f} ms = "
            f"{p50_large / p50_small:.2f} x p50 at {small:,} ({p50_small:.2f} ms); "
            "target <= 1.5 x",
        ),
        verdict(
            e8 >= 0.6 * d8,
            f"(e) {clients}-client status reads at {large:,} certificates {e8:,.0f} calls/s = "
            f"{e8 / d8:.0%} of (d) {d8:,.0f}; target >= 60%",
        ),
    ]


def facts(folder: Path) -> list[str]:
    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    probe = sqlite3.connect(folder / "probe.db")
    synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[
        probe.execute("PRAGMA synchronous").fetchone()[0]
    ]
    probe.close()
    libraries = ", ".join(
        f"{name} {version(name)}"
        for name in ("eventsourcing", "grpcio", "grpcio-health-checking", "protobuf")
    )
    return [
        f"machine   {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {model}, "
        f"{platform.system()} {platform.release()}",
        f"python    {platform.python_implementation()} {platform.python_version()}"
        + (" (-O)" if not __debug__ else ""),
        f"libraries {libraries}",
        f"sqlite    {sqlite3.sqlite_version}, WAL, synchronous={synchronous} (library default), "
        f"files in {folder}",
    ]


def _cleanup(folder: Path) -> None:
    for process in list(_children):
        _stop(process)
    shutil.rmtree(folder, ignore_errors=True)


def _abort_on(folder: Path) -> Callable[[int, FrameType | None], None]:
    """A handler for Ctrl-C and SIGTERM: stop the servers, remove the files, exit at once.

    Raising KeyboardInterrupt instead would unwind through gRPC calls and SQLite work in
    progress on other threads, which can hang in a channel's finaliser or crash at exit.
    """

    def abort(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\ninterrupted: stopping the server and removing the files", file=sys.stderr)
        _cleanup(folder)
        os._exit(128 + signum)

    return abort


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under a minute")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="concurrent clients (8)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="registry-bench-"))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _abort_on(folder))
    try:
        print("\n".join(facts(folder)), flush=True)
        bench = Bench(sizes, folder, args.clients)
        bench.run()
    finally:
        _cleanup(folder)
    mode = "quick" if args.quick else "full"
    print(
        f"mode      {mode}: {sizes.repeats} repeat(s) per figure, medians (min-max); "
        f"{args.clients} clients = {args.clients} threads in this process"
    )
    print()
    print(table(list(bench.rows.values()), args.clients))
    print()
    for note in [
        "(a) 1 command = 1 certificate event (its request answer beside the log, same "
        "transaction); server = `python -O -m registry serve` in its own process "
        "(asynchronous, 2 worker threads)",
        "(a)/(d)/(e) main rows: one RegistryClient (one channel) shared by all client "
        "threads, as a service using the thread-safe client would; 'N channels' = one "
        "RegistryClient each, separate TCP connections",
        "(a)/(b) workload: per pre-issued certificate, RecordSurveillance, ChangeScope, "
        "Suspend, Reinstate (no two clients share a certificate)",
        f"every write file gets >= {STEADY_STATE_COMMITS:,} single-event commits before its "
        "writes are measured (the SQLite WAL grows to its checkpoint size first); os.sync() "
        "before every measurement",
        "p50/p99: per call in the sequential run; cpu ms/op: CPU of this (client) process | "
        "of the server process, per op, in the concurrent run",
        *bench.notes,
    ]:
        print(f"note  {note}")
    print()
    print("\n".join(targets(bench.rows, sizes.stores, args.clients)))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
