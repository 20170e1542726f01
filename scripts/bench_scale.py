"""How the registry scales with the size of its store, on SQLite and on PostgreSQL.

    scripts/bench-scale                       stores of 10k and 100k certificates, both backends
    scripts/bench-scale --quick               10k certificates only, fewer calls (under a minute)
    scripts/bench-scale --sizes 10000,1000000 sizes chosen explicitly (1M: ~10M events a backend)
    scripts/bench-scale --backends sqlite     one backend only

For every (backend, size) a store is generated from a seeded RNG (same seed and day, same
registry): a realistic mix of standards and lifecycles over the past six years (issue,
yearly surveillance, recertification every three years, scope and holder changes, special
audits, suspensions and reinstatements, some withdrawn, some left to expire), about ten
events per certificate. It is loaded in this process through ``Certificate.issue`` and the
command methods, ``SAVE_BATCH`` certificates per ``save()``; then ``registry serve`` (as
scripts/serve runs it: ``python -O``, one worker) answers GetCertificateStatus and
GetCertificateHistory for random certificates, one call at a time. The table gives the load
rate, the read latencies, the bytes on disk per event and the server's resident memory, and
projects load time and disk to 3 million certificates (30 million events).

A second table gives the write rate of concurrent clients sending one command per RPC
against ``registry serve`` on each backend, beside the eventsourcing library's own rate with
one new aggregate per ``save()`` on the same settings, and on PostgreSQL with 1, 2 and 4
server processes on one port. Targets are printed as PASS/FAIL lines.

One PostgreSQL 15 cluster is started for the run (tests/pg_instance.py), unless
$REGISTRY_BENCH_POSTGRES_DSN names a database to use; every store has its own schema there,
and every SQLite store its own file in one temporary folder. All is removed at the end or
on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import itertools
import math
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
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import grpc
import psycopg
import psycopg.sql
from bench_auth import Tokens, register
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from registry.application.registry import Registry
from registry.client import RegistryClient
from registry.config import persistence_env
from registry.domain.certificate import Certificate
from registry.domain.dates import add_years
from registry.domain.standards import StandardsCatalogue
from registry.errors import RuleViolationError
from registry.v1 import certificate_service_pb2 as pb

ROOT = Path(__file__).resolve().parent.parent
PG_DSN_ENV = "REGISTRY_BENCH_POSTGRES_DSN"
SAVE_BATCH = 200  # certificates per save() when loading a store
PROJECTED_CERTIFICATES = 3_000_000
PROJECTED_EVENTS = 30_000_000
WRITE_CLIENTS = 8
WORKER_CLIENTS = 16
WORKER_COUNTS = (1, 2, 4)
# Commits made on a fresh SQLite file before the library's save rate is measured: the WAL
# grows until its first checkpoint (1,000 pages), and commits that extend it are slower.
STEADY_STATE_COMMITS = 1_200

BACKENDS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


# The generated registry

# Share of certificates per standard (ISO Survey-like proportions).
STANDARD_MIX = (
    ("ISO 9001:2015", 52.0),
    ("ISO 14001:2015", 24.0),
    ("ISO 45001:2018", 19.0),
    ("ISO/IEC 27001:2022", 3.0),
    ("ISO 50001:2018", 0.4),
    ("ISO 22000:2018", 0.4),
    ("ISO 13485:2016", 0.4),
    ("ISO 37001:2016", 0.4),
    ("ISO/IEC 20000-1:2018", 0.4),
)
EDITION_PUBLISHED = {"ISO/IEC 27001:2022": date(2022, 10, 25)}
YEARS_BACK = 6  # issue dates spread over this many years before today
OTHER_EVENTS_PER_YEAR = 2.2  # scope changes, holder changes, special audits, suspensions
OTHER_EVENTS = (("scope", 0.40), ("holder", 0.17), ("audit", 0.37), ("suspension", 0.06))
NOT_RENEWED = 0.10  # share of certificates left to expire at the end of a cycle
WITHDRAWN = 0.02  # share withdrawn (most after a suspension)
SUSPENDED_NOW = 0.033  # share of live certificates suspended today
COUNTRIES = ("DE", "FR", "IT", "ES", "GB", "NL", "PL", "CN", "IN", "US", "JP", "BR", "TR", "KR")
NAMES = ("Nord", "Alpen", "Rhein", "Delta", "Vega", "Orion", "Atlas", "Polar", "Terra", "Nova")
KINDS = ("Werke", "Technik", "Logistik", "Foods", "Systems", "Medical", "Energy", "Services")
FORMS = ("GmbH", "AG", "SAS", "S.p.A.", "Ltd", "B.V.", "Sp. z o.o.", "Inc.")
ACTIVITIES = (
    "Design and manufacture of industrial valves",
    "Production of packaged food products",
    "Provision of IT managed services and hosting",
    "Construction of civil engineering works",
    "Manufacture of medical disposables",
    "Warehousing and road freight transport",
    "Machining of precision metal components",
    "Operation of waste treatment plants",
)
SUSPEND_REASONS = (
    "surveillance audit not performed in time",
    "major nonconformity not closed",
    "misuse of certification mark",
    "voluntary suspension requested by the client",
)
WITHDRAW_REASONS = (
    "suspension not resolved within the time limit",
    "client ceased the certified activity",
    "fees unpaid",
)


def reference(index: int) -> tuple[str, str]:
    """The certificate ``index`` of a generated store: computed, never held in a list."""
    return f"cb-{index % 40:02d}", f"C-{index:08d}"


@dataclass
class Step:
    day: date
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """One certificate's life: its issue and every later command, in date order."""

    standard: str
    issued: date
    expiry: date
    steps: list[Step]
    fate: str  # VALID, SUSPENDED, WITHDRAWN or EXPIRED as of the last day


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def plan_lifecycle(rng: random.Random, end: date) -> Plan:
    """A certificate's history up to ``end`` (the last day events may be effective)."""
    standard = rng.choices([s for s, _ in STANDARD_MIX], [w for _, w in STANDARD_MIX])[0]
    first = max(add_years(end, -YEARS_BACK), EDITION_PUBLISHED.get(standard, date.min))
    issued = _day_between(rng, first, end)
    expiry = first_expiry = add_years(issued, 3) - timedelta(days=1)
    steps: list[Step] = []
    cycle, lapsed = issued, False
    kinds, kind_weights = [k for k, _ in OTHER_EVENTS], [w for _, w in OTHER_EVENTS]
    while True:
        renewal = expiry - timedelta(days=rng.randint(14, 60))
        cycle_steps = [
            Step(add_years(cycle, n) - timedelta(days=rng.randint(0, 30)), "surveillance")
            for n in (1, 2)
        ]
        day, suspended_until = cycle, date.min
        while True:
            day += timedelta(days=1 + int(rng.expovariate(OTHER_EVENTS_PER_YEAR / 365.25)))
            if day >= renewal:
                break
            kind = rng.choices(kinds, kind_weights)[0]
            if day <= suspended_until:
                continue  # nothing but the yearly audits while suspended
            if kind == "suspension":
                back = day + timedelta(days=rng.randint(14, 90))
                if back >= renewal or back > end:
                    kind = "audit"
                else:
                    cycle_steps.append(
                        Step(day, "suspend", {"reason": rng.choice(SUSPEND_REASONS)})
                    )
                    cycle_steps.append(Step(back, "reinstate"))
                    suspended_until = back
                    continue
            cycle_steps.append(Step(day, kind))
        cycle_steps.sort(key=lambda step: step.day)  # stable: a reinstatement after its suspension
        steps += [step for step in cycle_steps if step.day <= end]
        if renewal > end:
            break
        if rng.random() < NOT_RENEWED:
            lapsed = True
            break
        new_expiry = add_years(renewal, 3) - timedelta(days=1)
        steps.append(Step(renewal, "renew", {"expiry_date": new_expiry}))
        cycle, expiry = renewal, new_expiry
    fate = "EXPIRED" if lapsed and expiry <= end else "VALID"  # read on end + 1 day
    draw = rng.random()
    if draw < WITHDRAWN:
        last_live = min(end, expiry)
        if last_live > issued + timedelta(days=30):
            withdrawn = _day_between(rng, issued + timedelta(days=30), last_live)
            suspend_on = withdrawn - timedelta(days=rng.randint(20, 120))
            steps = _until(steps, max(suspend_on, issued + timedelta(days=1)))
            # The withdrawal is no later than the last expiry, so the certificate is in force
            # on the day of the suspension before it (unless it is suspended already).
            if suspend_on > issued and not _suspended(steps):
                reason = rng.choice(SUSPEND_REASONS)
                steps.append(Step(suspend_on, "suspend", {"reason": reason}))
            steps.append(Step(withdrawn, "withdraw", {"reason": rng.choice(WITHDRAW_REASONS)}))
            fate = "WITHDRAWN"
    elif draw < WITHDRAWN + SUSPENDED_NOW and fate == "VALID":
        # Suspended in the current cycle, so the renewal that started it is kept.
        cycle_start = max([issued] + [step.day for step in steps if step.kind == "renew"])
        first_day = max(end - timedelta(days=150), cycle_start + timedelta(days=1))
        if first_day <= end:
            suspend_on = _day_between(rng, first_day, end)
            steps = _until(steps, suspend_on)
            if not _suspended(steps):
                reason = rng.choice(SUSPEND_REASONS)
                steps.append(Step(suspend_on, "suspend", {"reason": reason}))
            fate = "SUSPENDED"
    return Plan(standard, issued, first_expiry, steps, fate)


def _until(steps: list[Step], day: date) -> list[Step]:
    return [step for step in steps if step.day < day]


def _suspended(steps: Sequence[Step]) -> bool:
    for step in reversed(steps):
        if step.kind in ("suspend", "reinstate"):
            return step.kind == "suspend"
    return False


def _recorded(rng: random.Random, day: date) -> datetime:
    """An instant in office hours on ``day``: events are recorded on their effective day."""
    return datetime.combine(day, clock_time(8), UTC) + timedelta(seconds=rng.randint(0, 36_000))


def build(
    standards: StandardsCatalogue, index: int, plan: Plan, rng: random.Random
) -> tuple[Certificate, int]:
    """The certificate of ``plan``, through ``Certificate.issue`` and the command methods,
    each checking every rule; also the number of commands the rules refused (should be 0)."""
    cb, number = reference(index)
    street = f"{rng.randint(1, 250)} {rng.choice(NAMES)}strasse"
    address = f"{street}, {rng.randint(10_000, 99_999)} {rng.choice(NAMES)}stadt"
    sites = [{"address": address, "scope": ""}]
    for n in range(rng.choices((0, 1, 2, 3), (55, 25, 12, 8))[0]):
        sites.append({"address": f"Plant {n + 2}, {rng.choice(NAMES)}dorf", "scope": ""})
    activity = rng.choice(ACTIVITIES)
    sectors = [str(code) for code in sorted(rng.sample(range(1, 40), rng.randint(1, 3)))]
    at = _recorded(rng, plan.issued)
    certificate = Certificate.issue(
        standards=standards,
        today=at.date(),
        recorded_at=at,
        effective_date=plan.issued,
        actor=cb,
        request_id=f"load-{number}-1",
        certification_body_id=cb,
        certificate_number=number,
        organization_name=f"{rng.choice(NAMES)} {rng.choice(KINDS)} {index} {rng.choice(FORMS)}",
        organization_country=rng.choice(COUNTRIES),
        organization_address=address,
        sites=sites,
        standard=plan.standard,
        scope=activity,
        sector_codes=sectors,
        expiry_date=plan.expiry,
    )
    refused = 0
    for version, step in enumerate(plan.steps, start=2):
        at = max(at + timedelta(seconds=1), _recorded(rng, step.day))
        context = {
            "standards": standards,
            "today": at.date(),
            "recorded_at": at,
            "effective_date": step.day,
            "actor": cb,
            "request_id": f"load-{number}-{version}",
        }
        try:
            if step.kind in ("surveillance", "audit"):
                certificate.record_surveillance(**context)
            elif step.kind == "scope":
                if rng.random() < 0.5:
                    sites = [*sites, {"address": f"Site {version}, {street}", "scope": ""}][-4:]
                certificate.change_scope(
                    scope=f"{activity}; revision {version}",
                    sites=sites,
                    sector_codes=sectors,
                    **context,
                )
            elif step.kind == "holder":
                certificate.change_holder_details(
                    organization_name=f"{rng.choice(NAMES)} {rng.choice(KINDS)} {index} "
                    f"{rng.choice(FORMS)}",
                    organization_country="",
                    organization_address=f"{rng.randint(1, 250)} {rng.choice(NAMES)}weg",
                    **context,
                )
            elif step.kind == "suspend":
                certificate.suspend(review_by=None, **step.fields, **context)
            elif step.kind == "reinstate":
                certificate.reinstate(**context)
            elif step.kind == "renew":
                certificate.renew(**step.fields, **context)
            elif step.kind == "withdraw":
                certificate.withdraw(**step.fields, **context)
            else:
                raise AssertionError(step.kind)
        except RuleViolationError:
            refused += 1
    return certificate, refused


@dataclass
class Loaded:
    certificates: int
    events: int = 0
    seconds: float = 0.0
    save_seconds: float = 0.0
    refused: int = 0
    standards: Counter[str] = field(default_factory=Counter)
    fates: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def load_store(
    db: str, certificates: int, seed: int, end: date, say: Callable[[str], None]
) -> Loaded:
    """A generated store of ``certificates``, saved SAVE_BATCH certificates per save(); only
    one batch of aggregates is held at a time."""
    registry = Registry(persistence_env(db))
    try:
        rng = random.Random(seed)
        loaded = Loaded(certificates)
        clock = time.perf_counter
        start = last_report = clock()
        batch: list[Certificate] = []
        for index in range(certificates):
            plan = plan_lifecycle(rng, end)
            certificate, refused = build(registry.standards, index, plan, rng)
            loaded.refused += refused
            loaded.standards[plan.standard] += 1
            loaded.fates[plan.fate] += 1
            batch.append(certificate)
            if len(batch) == SAVE_BATCH or index == certificates - 1:
                began = clock()
                loaded.events += len(registry.save(*batch))
                loaded.save_seconds += clock() - began
                batch.clear()
                if clock() - last_report > 30:
                    last_report = clock()
                    done = index + 1
                    say(
                        f"    {done:,}/{certificates:,} certificates, {loaded.events:,} events, "
                        f"{loaded.events / (last_report - start):,.0f} events/s, eta "
                        f"{(last_report - start) * (certificates - done) / done / 60:.1f} min"
                    )
        loaded.seconds = clock() - start
        return loaded
    finally:
        registry.close()


# Stores: SQLite files in one folder, PostgreSQL schemas in one database


def _load_pg_instance() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pg_instance", ROOT / "tests" / "pg_instance.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pg_instance"] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


class Stores:
    """Where stores live, and their removal (also on Ctrl-C)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pg_dsn: str | None = None
        self.pg_instance: Any = None
        self.pg_module: ModuleType | None = None
        self.schemas: list[str] = []

    def start_postgres(self) -> str:
        self.pg_module = _load_pg_instance()
        dsn = os.environ.get(PG_DSN_ENV)
        if dsn:
            self.pg_dsn = dsn
        else:
            self.pg_instance = self.pg_module.PostgresInstance.start()
            self.pg_dsn = self.pg_instance.dsn
        return self.pg_dsn

    def new(self, backend: str, name: str) -> str:
        """A fresh, empty store: its ``--db`` value."""
        if backend == "sqlite":
            return f"sqlite:///{self.folder / name}.db"
        assert self.pg_module is not None and self.pg_dsn is not None
        db: str = self.pg_module.schema_dsn(self.pg_dsn)
        self.schemas.append(_schema_of(db))
        return db

    def disk_bytes(self, db: str) -> int:
        """SQLite: the file and its WAL; PostgreSQL: tables, indexes and TOAST of the schema."""
        if db.startswith("sqlite:///"):
            path = Path(db.removeprefix("sqlite:///"))
            return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
        assert self.pg_dsn is not None
        with psycopg.connect(self.pg_dsn, autocommit=True) as connection:
            row = connection.execute(
                "SELECT COALESCE(SUM(pg_total_relation_size("
                "quote_ident(schemaname) || '.' || quote_ident(tablename))), 0) "
                "FROM pg_tables WHERE schemaname = %s",
                (_schema_of(db),),
            ).fetchone()
        return int(row[0]) if row else 0

    def vacuum(self, db: str) -> float:
        """PostgreSQL: VACUUM (ANALYZE) the store's tables, as autovacuum would soon after a
        bulk load; left to autovacuum, it runs during the reads and they measure its I/O.
        Returns the seconds it took (0 for SQLite, which needs nothing of the kind)."""
        if db.startswith("sqlite:///"):
            return 0.0
        assert self.pg_dsn is not None
        started = time.perf_counter()
        schema = _schema_of(db)
        with psycopg.connect(self.pg_dsn, autocommit=True) as connection:
            tables = connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
            ).fetchall()
            for (table,) in tables:
                connection.execute(
                    psycopg.sql.SQL("VACUUM (ANALYZE) {}.{}").format(
                        psycopg.sql.Identifier(schema), psycopg.sql.Identifier(table)
                    )
                )
        return time.perf_counter() - started

    def drop(self, db: str) -> None:
        if db.startswith("sqlite:///"):
            path = db.removeprefix("sqlite:///")
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(f"{path}{suffix}")
            return
        schema = _schema_of(db)
        self._drop_schema(schema)
        self.schemas.remove(schema)

    def _drop_schema(self, schema: str) -> None:
        assert self.pg_dsn is not None
        with psycopg.connect(self.pg_dsn, autocommit=True, connect_timeout=5) as connection:
            connection.execute("SET lock_timeout = '5s'")
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def cleanup(self) -> None:
        if self.pg_instance is not None:
            with contextlib.suppress(Exception):
                self.pg_instance.stop()
            self.pg_instance = None
        elif self.pg_dsn is not None:
            for schema in list(self.schemas):
                try:
                    self._drop_schema(schema)
                    self.schemas.remove(schema)
                except Exception as error:
                    print(f"could not drop schema {schema}: {error}", file=sys.stderr)
        shutil.rmtree(self.folder, ignore_errors=True)


def _schema_of(db: str) -> str:
    match = re.search(r"[?&]schema=([A-Za-z0-9_]+)", db)
    assert match, db
    return match.group(1)


# The server in its own process (one worker, or a supervisor of several on one port)

_children: list[subprocess.Popen[bytes]] = []


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    target: str
    pids: list[int]  # the processes answering calls
    admin_token: str | None  # written by the first server of the store, None for the next


@contextlib.contextmanager
def serving(db: str, log: Path, workers: int = 1) -> Iterator[Server]:
    """``registry serve`` as scripts/serve runs it (``python -O``), on a free port."""
    command = [sys.executable, "-O", "-m", "registry", "serve", "--db", db, "--port", "0"]
    command += ["--token-file", str(log.with_suffix(".token"))]  # the first admin token
    if workers > 1:
        command += ["--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(  # its own process group: Ctrl-C reaches only us, and we stop it
            command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, process_group=0
        )
    _children.append(process)
    try:
        deadline = time.monotonic() + 60
        while len(found := re.findall(r"listening on (\S+)", log.read_text())) < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.05)
        target = found[-1]
        with grpc.insecure_channel(target) as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
        pids = [process.pid] if workers == 1 else _children_of(process.pid)
        token = log.with_suffix(".token")
        admin = token.read_text().strip() if token.exists() else None
        yield Server(process, target, pids, admin)
    finally:
        _stop(process)


def _children_of(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process in _children:
        _children.remove(process)


def own_channel(target: str) -> grpc.Channel:
    """A channel with its own TCP connection (gRPC otherwise shares one per target), so
    that SO_REUSEPORT can hand the connections of several clients to several workers."""
    return grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def cpu_seconds(pid: int | None) -> float:
    """User plus system CPU seconds of process ``pid`` (None: this process)."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def box_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


def settle() -> None:
    """Flush what earlier steps left to write back, so it does not land in this measurement."""
    os.sync()


# Reads


@dataclass
class Scale:
    backend: str
    size: int
    loaded: Loaded
    disk: int
    status: list[list[float]]  # latencies, one list per round
    history: list[list[float]]
    rss: float
    statuses: Counter[str]


def read_latencies(
    target: str, token: str | None, size: int, count: int, rounds: int, rng: random.Random
) -> tuple[list[list[float]], list[list[float]], Counter[str]]:
    """``rounds`` x (``count`` status calls, then ``count`` history calls), one at a time."""
    clock = time.perf_counter
    statuses: Counter[str] = Counter()
    status_rounds: list[list[float]] = []
    history_rounds: list[list[float]] = []
    with RegistryClient(target, retries=0, token=token) as client:
        for index in rng.choices(range(size), k=200):  # warm-up: connect, first calls
            client.get_certificate_status(*reference(index))
            client.get_certificate_history(*reference(index))
        settle()
        for _ in range(rounds):
            times = []
            for index in rng.choices(range(size), k=count):
                began = clock()
                answer = client.get_certificate_status(*reference(index))
                times.append(clock() - began)
                statuses[pb.CertificateStatus.Name(answer.status)] += 1
            status_rounds.append(times)
            times = []
            for index in rng.choices(range(size), k=count):
                began = clock()
                client.get_certificate_history(*reference(index))
                times.append(clock() - began)
            history_rounds.append(times)
    return status_rounds, history_rounds, statuses


def latency(rounds: Sequence[Sequence[float]], q: float) -> float:
    """The median over rounds of each round's ``q`` quantile, in ms."""
    return median([ms(times, q) for times in rounds])


# Writes


class Tick(Aggregate):
    """The smallest aggregate: one Created event."""


@dataclass
class WriteRun:
    commands: int
    seconds: float
    latencies: list[float]
    errors: int
    client_cpu: float
    server_cpu: float
    busy: float  # share of the machine's CPU time that was busy
    per_worker: list[float]  # CPU seconds of each server process

    @property
    def rate(self) -> float:
        return self.commands / self.seconds


def issue_for_writes(db: str, indexes: range) -> Tokens:
    """Valid certificates with one event each, issued 30 days ago, SAVE_BATCH per save();
    their CBs registered, and the tokens to write with."""
    registry = Registry(persistence_env(db))
    try:
        tokens = register(registry, (write_reference(index)[0] for index in indexes))
        batch: list[Certificate] = []
        today = datetime.now(tz=UTC).date()
        effective = today - timedelta(days=30)
        for index in indexes:
            cb, number = write_reference(index)
            batch.append(
                Certificate.issue(
                    standards=registry.standards,
                    today=today,
                    recorded_at=datetime.now(tz=UTC),
                    effective_date=effective,
                    actor=cb,
                    request_id=f"issue-{number}",
                    certification_body_id=cb,
                    certificate_number=number,
                    organization_name=f"Holder of {number} GmbH",
                    organization_country="DE",
                    organization_address="1 Industriestrasse, 10115 Berlin",
                    sites=[{"address": "1 Industriestrasse, 10115 Berlin", "scope": ""}],
                    standard="ISO 9001:2015",
                    scope=ACTIVITIES[0],
                    sector_codes=["18"],
                    expiry_date=add_years(effective, 3) - timedelta(days=1),
                )
            )
            if len(batch) == SAVE_BATCH:
                registry.save(*batch)
                batch.clear()
        if batch:
            registry.save(*batch)
        return tokens
    finally:
        registry.close()


def write_reference(index: int) -> tuple[str, str]:
    return f"cb-{index % 40:02d}", f"W-{index:08d}"


def command_cycle(client: RegistryClient, indexes: Sequence[int]) -> Iterator[Callable[[], object]]:
    """Per certificate: RecordSurveillance, ChangeScope, Suspend, Reinstate; then round again
    (every command stays valid on a certificate that has been round once)."""
    sites = [pb.Site(address="1 Industriestrasse, 10115 Berlin")]
    ops: list[Callable[[], object]] = []
    for index in indexes:
        cb, number = write_reference(index)
        ops += [
            partial(client.record_surveillance, cb, number),
            partial(client.change_scope, cb, number, scope=ACTIVITIES[1], sites=sites),
            partial(client.suspend_certificate, cb, number, reason=SUSPEND_REASONS[1]),
            partial(client.reinstate_certificate, cb, number),
        ]
    return itertools.cycle(ops)


def write_window(
    server: Server, slices: Sequence[Sequence[int]], warm: float, measure: float, tokens: Tokens
) -> WriteRun:
    """One client thread per slice, each with its own RegistryClient and TCP connection,
    sending one command per RPC; counted for ``measure`` seconds after ``warm`` seconds."""
    clients = [
        RegistryClient(channel=own_channel(server.target), retries=0, token_source=tokens)
        for _ in slices
    ]
    try:
        for client in clients:  # connect every channel before the clock starts
            for _ in range(3):
                client.get_certificate_status("cb-00", "no-such-certificate")
        stop = threading.Event()
        barrier = threading.Barrier(len(slices) + 1)
        done: list[list[tuple[float, float]]] = [[] for _ in slices]
        errors: list[BaseException] = []
        clock = time.perf_counter

        def work(ops: Iterator[Callable[[], object]], out: list[tuple[float, float]]) -> None:
            barrier.wait()
            for op in ops:
                if stop.is_set() or len(errors) > 100:
                    return
                began = clock()
                try:
                    op()
                except Exception as error:
                    errors.append(error)
                    continue
                out.append((began, clock()))

        threads = [
            threading.Thread(target=work, args=(command_cycle(c, s), out), daemon=True)
            for c, s, out in zip(clients, slices, done, strict=True)
        ]
        for thread in threads:
            thread.start()
        settle()
        barrier.wait()
        time.sleep(warm)
        here, servers = cpu_seconds(None), [cpu_seconds(pid) for pid in server.pids]
        busy, total = box_ticks()
        start = clock()
        time.sleep(measure)
        end = clock()
        here = cpu_seconds(None) - here
        servers = [cpu_seconds(pid) - s for pid, s in zip(server.pids, servers, strict=True)]
        busy, total = (now - then for now, then in zip(box_ticks(), (busy, total), strict=True))
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        latencies = [e - b for out in done for b, e in out if start <= e < end]
        return WriteRun(
            commands=len(latencies),
            seconds=end - start,
            latencies=latencies,
            errors=len(errors),
            client_cpu=here,
            server_cpu=sum(servers),
            busy=busy / total if total else math.nan,
            per_worker=servers,
        )
    finally:
        for client in clients:
            client.close()


def library_rate(app: Application[uuid.UUID], measure: float) -> float:
    """The library's own rate: one new aggregate (one event) per save(), sequential."""
    settle()
    clock = time.perf_counter
    saves, start = 0, clock()
    while clock() - start < measure:
        app.save(Tick())
        saves += 1
    return saves / (clock() - start)


@dataclass
class WriteRow:
    backend: str
    workers: int
    clients: int
    runs: list[WriteRun] = field(default_factory=list)


# The run


@dataclass(frozen=True)
class Mode:
    name: str
    sizes: tuple[int, ...]
    reads: int  # sequential calls of each kind per store
    repeats: int  # write windows per row (medians reported)
    warm: float  # seconds of writing before a window is counted
    measure: float  # seconds counted
    per_client: int  # certificates each client thread writes to in one window


QUICK = Mode("quick", (10_000,), reads=500, repeats=1, warm=0.75, measure=1.5, per_client=100)
FULL = Mode("full", (10_000, 100_000), reads=2000, repeats=3, warm=1.5, measure=3.0, per_client=250)


class Bench:
    def __init__(
        self, mode: Mode, sizes: Sequence[int], backends: Sequence[str], stores: Stores, seed: int
    ) -> None:
        self.mode = mode
        self.sizes = sizes
        self.backends = backends
        self.stores = stores
        self.seed = seed
        self.end = datetime.now(tz=UTC).date() - timedelta(days=1)
        self.scales: list[Scale] = []
        self.library: dict[str, list[float]] = {}
        self.writes: list[WriteRow] = []

    def say(self, text: str) -> None:
        print(f"  ... {text}", file=sys.stderr, flush=True)

    def run(self) -> None:
        for backend in self.backends:
            for size in self.sizes:
                self.scale(backend, size)
        for backend in self.backends:
            self.write_rates(backend)

    def scale(self, backend: str, size: int) -> None:
        name = BACKENDS[backend]
        db = self.stores.new(backend, f"store-{size}")
        self.say(f"{name}: loading {size:,} certificates")
        loaded = load_store(db, size, self.seed, self.end, self.say)
        vacuumed = self.stores.vacuum(db)
        settle()
        disk = self.stores.disk_bytes(db)
        self.say(
            f"{name}: {loaded.events:,} events in {loaded.seconds:.1f} s "
            f"({loaded.rate:,.0f} events/s), {disk / loaded.events:,.0f} bytes/event"
            + (f", VACUUM (ANALYZE) after the load {vacuumed:.1f} s" if vacuumed else "")
        )
        log = self.stores.folder / f"serve-{backend}-{size}.log"
        with serving(db, log) as server:
            rounds = self.mode.repeats
            self.say(f"{name}: {rounds} x {self.mode.reads:,} status and history reads via gRPC")
            rng = random.Random(self.seed + size)
            status, history, statuses = read_latencies(
                server.target, server.admin_token, size, self.mode.reads, rounds, rng
            )
            rss = rss_mb(server.pids[0])
        self.stores.drop(db)
        scale = Scale(backend, size, loaded, disk, status, history, rss, statuses)
        self.scales.append(scale)
        self.say(
            f"{name}: status p50/p99 {latency(status, 0.5):.2f}/{latency(status, 0.99):.2f} ms, "
            f"history {latency(history, 0.5):.2f}/{latency(history, 0.99):.2f} ms, "
            f"server RSS {rss:,.0f} MB"
        )

    def write_rates(self, backend: str) -> None:
        name, mode = BACKENDS[backend], self.mode
        rows = [WriteRow(backend, 1, WRITE_CLIENTS)]
        if backend == "postgres":
            rows += [WriteRow(backend, n, WORKER_CLIENTS) for n in WORKER_COUNTS]
        needed = sum(mode.repeats * row.clients * mode.per_client for row in rows)
        db = self.stores.new(backend, "writes")
        self.say(f"{name}: issuing {needed:,} certificates to write to")
        tokens = issue_for_writes(db, range(needed))
        next_index = 0

        def slices(clients: int) -> list[range]:
            nonlocal next_index
            taken = []
            for _ in range(clients):
                taken.append(range(next_index, next_index + mode.per_client))
                next_index += mode.per_client
            return taken

        library_db = self.stores.new(backend, "library")
        app: Application[uuid.UUID] = Application(persistence_env(library_db))
        library = self.library.setdefault(backend, [])
        try:
            for _ in range(STEADY_STATE_COMMITS if backend == "sqlite" else 200):
                app.save(Tick())
            for row in rows:
                log = self.stores.folder / f"serve-{backend}-writes-{row.workers}.log"
                with serving(db, log, row.workers) as server:
                    for repeat in range(mode.repeats):
                        if row.workers == 1 and row.clients == WRITE_CLIENTS:
                            library.append(library_rate(app, mode.measure))
                            self.say(f"{name}: library one event per save(): {library[-1]:,.0f}/s")
                        run = write_window(
                            server, slices(row.clients), mode.warm, mode.measure, tokens
                        )
                        row.runs.append(run)
                        self.say(
                            f"{name}: {row.workers} process(es), {row.clients} clients, "
                            f"repeat {repeat + 1}/{mode.repeats}: {run.rate:,.0f} commands/s"
                            + (f", {run.errors} errors" if run.errors else "")
                        )
                self.writes.append(row)
        finally:
            app.close()
        self.stores.drop(db)
        self.stores.drop(library_db)


# The report


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(values: Sequence[float], q: float) -> float:
    return percentile(values, q) * 1000 if values else math.nan


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def spread(values: Sequence[float]) -> str:
    text = f"{median(values):,.0f}"
    if len(values) > 1:
        text += f" ({min(values):,.0f}-{max(values):,.0f})"
    return text


def render(head: Sequence[str], lines: Sequence[Sequence[str]], left: int = 1) -> str:
    rows = [list(head), *map(list, lines)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    out = []
    for k, row in enumerate(rows):
        cells = [c.ljust(widths[i]) if i < left else c.rjust(widths[i]) for i, c in enumerate(row)]
        out.append("  ".join(cells).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def scale_table(scales: Sequence[Scale]) -> str:
    head = (
        "backend",
        "certs",
        "events",
        "ev/cert",
        "load s",
        "load ev/s",
        "in save()",
        "status p50 ms",
        "p99 ms",
        "history p50 ms",
        "p99 ms",
        "bytes/event",
        "disk MB",
        "server RSS MB",
    )
    lines = []
    for s in scales:
        lines.append(
            (
                BACKENDS[s.backend],
                f"{s.size:,}",
                f"{s.loaded.events:,}",
                f"{s.loaded.events / s.size:.1f}",
                f"{s.loaded.seconds:,.1f}",
                f"{s.loaded.rate:,.0f}",
                f"{s.loaded.save_seconds / s.loaded.seconds:.0%}",
                f"{latency(s.status, 0.5):.2f}",
                f"{latency(s.status, 0.99):.2f}",
                f"{latency(s.history, 0.5):.2f}",
                f"{latency(s.history, 0.99):.2f}",
                f"{s.disk / s.loaded.events:,.0f}",
                f"{s.disk / 2**20:,.1f}",
                f"{s.rss:,.0f}",
            )
        )
    return render(head, lines)


def projections(scales: Sequence[Scale], backends: Sequence[str]) -> list[str]:
    out = [
        f"projection to {PROJECTED_CERTIFICATES:,} certificates = {PROJECTED_EVENTS:,} events: "
        "disk = events x bytes/event, load time = events / load rate, both as measured at the "
        "largest size run (linear: no change with size assumed)"
    ]
    for backend in backends:
        runs = sorted((s for s in scales if s.backend == backend), key=lambda s: s.size)
        if not runs:
            continue
        last = runs[-1]
        per_event = last.disk / last.loaded.events
        rate = last.loaded.rate
        per_cert = last.loaded.events / last.size
        line = (
            f"  {BACKENDS[backend]:<10} from {last.size:,} certs: "
            f"{PROJECTED_EVENTS * per_event / 1e9:,.1f} GB on disk ({per_event:,.0f} B/event), "
            f"load {PROJECTED_EVENTS / rate / 60:,.0f} min at {rate:,.0f} events/s "
            f"(at {per_cert:.1f} events/cert, 3M certs would be "
            f"{PROJECTED_CERTIFICATES * per_cert / 1e6:.1f}M events)"
        )
        out.append(line)
        if len(runs) > 1:
            before = runs[-2]
            decades = math.log10(last.size / before.size)
            ahead = math.log10(PROJECTED_CERTIFICATES / last.size)
            rate_step = (rate / before.loaded.rate) ** (1 / decades)
            bytes_step = (per_event / (before.disk / before.loaded.events)) ** (1 / decades)
            rate_far = rate * rate_step**ahead
            bytes_far = per_event * bytes_step**ahead
            out.append(
                f"  {'':<10} trend {before.size:,}->{last.size:,}: load rate x{rate_step:.2f} and "
                f"bytes/event x{bytes_step:.2f} per 10x certificates; continued to 3M: "
                f"{rate_far:,.0f} events/s, {bytes_far:,.0f} B/event -> "
                f"{PROJECTED_EVENTS / rate_far / 60:,.0f} min, "
                f"{PROJECTED_EVENTS * bytes_far / 1e9:,.1f} GB (bound: all at the 3M figures)"
            )
    return out


def write_table(rows: Sequence[WriteRow], library: dict[str, list[float]]) -> str:
    head = (
        "backend",
        "server procs",
        "client threads",
        "commands/s",
        "p50 ms",
        "p99 ms",
        "library saves/s",
        "ratio",
        "cpu ms/cmd here | server",
        "server cores",
        "box CPU busy",
        "errors",
    )
    lines = []
    for row in rows:
        rates = [run.rate for run in row.runs]
        lib = median(library.get(row.backend, []))
        lines.append(
            (
                BACKENDS[row.backend],
                str(row.workers),
                str(row.clients),
                spread(rates),
                f"{median([ms(run.latencies, 0.5) for run in row.runs]):.2f}",
                f"{median([ms(run.latencies, 0.99) for run in row.runs]):.2f}",
                spread(library.get(row.backend, [])),
                f"{median(rates) / lib:.2f}x",
                f"{median([r.client_cpu / max(r.commands, 1) * 1e3 for r in row.runs]):.2f} | "
                f"{median([r.server_cpu / max(r.commands, 1) * 1e3 for r in row.runs]):.2f}",
                f"{median([run.server_cpu / run.seconds for run in row.runs]):.2f}",
                f"{median([run.busy for run in row.runs]):.0%}",
                str(sum(run.errors for run in row.runs)),
            )
        )
    return render(head, lines)


def verdict(ok: bool, text: str) -> str:
    return f"{'PASS' if ok else 'FAIL'}  {text}"


def targets(bench: Bench) -> list[str]:
    out = []
    for backend in bench.backends:
        runs = sorted((s for s in bench.scales if s.backend == backend), key=lambda s: s.size)
        if not runs:
            continue
        first = next((s for s in runs if s.size == 10_000), runs[0])
        last = runs[-1]
        name = BACKENDS[backend]
        if last.size <= first.size:
            out.append(
                f"SKIP  {name}: status p99 at the largest size vs 10k: only {last.size:,} "
                "certificates run"
            )
            continue
        small, large = latency(first.status, 0.99), latency(last.status, 0.99)
        out.append(
            verdict(
                large <= 1.5 * small,
                f"{name}: GetCertificateStatus p99 at {last.size:,} certs {large:.2f} ms = "
                f"{large / small:.2f} x p99 at {first.size:,} ({small:.2f} ms); target <= 1.5 x",
            )
        )
    for backend, goal in (("postgres", 2.0), ("sqlite", 0.8)):
        row = next(
            (
                r
                for r in bench.writes
                if r.backend == backend and r.workers == 1 and r.clients == WRITE_CLIENTS
            ),
            None,
        )
        if row is None:
            continue
        rate = median([run.rate for run in row.runs])
        lib = median(bench.library[backend])
        out.append(
            verdict(
                rate >= goal * lib,
                f"{BACKENDS[backend]}: {WRITE_CLIENTS} clients, one command per RPC, "
                f"{rate:,.0f} commands/s = {rate / lib:.2f} x the library's one-event-per-save "
                f"rate ({lib:,.0f}/s, same run); target >= {goal} x",
            )
        )
    return out


def notes(bench: Bench) -> list[str]:
    out = []
    scales = bench.scales
    if scales:
        biggest = max(scales, key=lambda s: s.size)
        total = biggest.size
        mix = ", ".join(
            f"{name} {count / total:.1%}" for name, count in biggest.loaded.standards.most_common()
        )
        fates = ", ".join(
            f"{name.lower()} {count / total:.1%}"
            for name, count in biggest.loaded.fates.most_common()
        )
        answered = biggest.statuses.total()
        seen = ", ".join(
            f"{name.removeprefix('CERTIFICATE_STATUS_').lower()} {count / answered:.1%}"
            for name, count in biggest.statuses.most_common()
        )
        refused = sum(s.loaded.refused for s in scales)
        out += [
            f"data: seed {bench.seed}, events effective up to {bench.end} (the same seed on the "
            f"same day gives the same registry); at {total:,} certs: {mix}",
            f"lifecycles as planned: {fates}; status answered to the sampled reads: {seen}; "
            f"commands the rules refused while loading: {refused}",
            f"load: in this process, {SAVE_BATCH} certificates (~{SAVE_BATCH * 10:,} events) per "
            "save(), certificates built through Certificate.issue and the command methods (every "
            "rule checked); 'in save()' = share of the load time spent in save()",
            f"reads: {bench.mode.repeats} round(s) of {bench.mode.reads:,} sequential "
            "GetCertificateStatus, then as many GetCertificateHistory (one page), on certificates "
            "drawn uniformly, after 200 warm-up calls; p50/p99 = median over the rounds of each "
            "round's; one `python -O -m registry serve` process (asynchronous, 2 worker "
            "threads); RSS = its "
            "VmRSS after the reads; PostgreSQL stores get VACUUM (ANALYZE) after the load, "
            "before the reads, as autovacuum would soon after a bulk load",
        ]
        disk = {
            "sqlite": "SQLite = file + -wal after the loader closed",
            "postgres": "PostgreSQL = pg_total_relation_size summed over the schema's tables "
            "(indexes and TOAST included, WAL not)",
        }
        out.append(
            "bytes/event: "
            + "; ".join(disk[b] for b in bench.backends if any(s.backend == b for s in scales))
            + "; each store is dropped after its reads"
        )
    if bench.writes:
        m = bench.mode
        out += [
            f"writes: per row {m.repeats} window(s) of {m.measure:g} s counted after "
            f"{m.warm:g} s of writing; medians (min-max); each client thread has its own "
            "RegistryClient on its own channel (grpc.use_local_subchannel_pool, so its own TCP "
            "connection) and sends RecordSurveillance, ChangeScope, Suspend, Reinstate in turn "
            f"to its own {m.per_client} pre-issued certificates (no two threads share one); "
            "a command = 1 certificate event + its request answer beside the log, in one "
            "transaction",
            "library saves/s: eventsourcing Application with a trivial aggregate, one new "
            "aggregate per save(), sequential, on its own store with config.persistence_env's "
            "settings for the same backend (PostgreSQL: same database, own schema), measured "
            "interleaved with the 1-process 8-client windows",
            "server cores: CPU seconds of the server process(es) per second of the window (one "
            "Python process cannot pass ~1, its GIL); box CPU busy: share of all cores busy in the "
            "window (/proc/stat; includes PostgreSQL and these client threads)",
        ]
        if any(row.clients == WORKER_CLIENTS for row in bench.writes):
            out.append(
                "writes with several server processes: `registry serve --workers N` on one port "
                f"(SO_REUSEPORT), {WORKER_CLIENTS} client threads so the kernel spreads the "
                "connections over the workers; 'server' CPU is the sum over the workers"
            )
        for row in bench.writes:
            if row.workers > 1:
                split = [
                    median([run.per_worker[i] for run in row.runs]) for i in range(row.workers)
                ]
                share = " / ".join(f"{cpu / sum(split):.0%}" for cpu in split)
                out.append(f"{row.workers} workers: CPU split between them {share}")
    return out


def facts(stores: Stores, folder: Path) -> list[str]:
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
    memory = "?"
    with contextlib.suppress(OSError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1])
        memory = f"{kb / 2**20:.1f} GiB RAM"
    probe = sqlite3.connect(folder / "probe.db")
    synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[
        probe.execute("PRAGMA synchronous").fetchone()[0]
    ]
    probe.close()
    libraries = ", ".join(
        f"{name} {version(name)}" for name in ("eventsourcing", "grpcio", "protobuf", "psycopg")
    )
    lines = [
        f"machine   {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {model}, "
        f"{memory}, {platform.system()} {platform.release()}",
        f"disk      {_filesystem(folder)}; fdatasync of 8 kB: {_fdatasync_us(folder):,.0f} us "
        "(median of 200)",
        f"python    {platform.python_implementation()} {platform.python_version()} (server: -O)",
        f"libraries {libraries}",
        f"sqlite    {sqlite3.sqlite_version}, WAL, synchronous={synchronous} (library default), "
        f"files in {folder}",
    ]
    if stores.pg_dsn is not None:
        with psycopg.connect(stores.pg_dsn, autocommit=True) as connection:
            server_version = connection.execute("SHOW server_version").fetchone()
            settings = ", ".join(
                f"{name}={connection.execute(f'SHOW {name}').fetchone()[0]}"  # type: ignore[index]
                for name in ("fsync", "synchronous_commit", "shared_buffers", "max_wal_size")
            )
        where = (
            f"throwaway cluster on 127.0.0.1:{stores.pg_instance.port} (tests/pg_instance.py)"
            if stores.pg_instance is not None
            else f"${PG_DSN_ENV}"
        )
        lines.append(
            f"postgres  {server_version[0] if server_version else '?'}, {where}, {settings}; "
            "one schema per store"
        )
    return lines


def _filesystem(folder: Path) -> str:
    best = ("?", "?", "")
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            device, mount, kind = line.split()[:3]
            if str(folder).startswith(mount) and len(mount) >= len(best[2]):
                best = (device, kind, mount)
    return f"{best[1]} on {best[0]} (mounted at {best[2]})"


def _fdatasync_us(folder: Path) -> float:
    path = folder / "fdatasync.probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        block, times = os.urandom(8192), []
        for _ in range(200):
            os.pwrite(fd, block, 0)
            began = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - began)
    finally:
        os.close(fd)
        path.unlink()
    return median(times) * 1e6


def _cleanup(stores: Stores) -> None:
    for process in list(_children):
        _stop(process)
    stores.cleanup()


def _abort_on(stores: Stores) -> Callable[[int, FrameType | None], None]:
    """A handler for Ctrl-C and SIGTERM: stop the servers, remove the stores, exit at once.

    Raising KeyboardInterrupt instead would unwind through gRPC calls and store work in
    progress on other threads, which can hang in a channel's finaliser or crash at exit.
    """

    def abort(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\ninterrupted: stopping the servers and removing the stores", file=sys.stderr)
        _cleanup(stores)
        os._exit(128 + signum)

    return abort


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part.replace("_", "")) for part in text.split(",") if part}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def _backends(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = set(chosen) - set(BACKENDS)
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"backends are {', '.join(BACKENDS)}; got {text!r}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="10k certificates only, < 1 minute")
    parser.add_argument(
        "--sizes", type=_sizes, help="certificates per store, e.g. 10000,100000,1000000"
    )
    parser.add_argument(
        "--backends", type=_backends, default=tuple(BACKENDS), help="sqlite,postgres (both)"
    )
    parser.add_argument("--reads", type=int, help="sequential calls of each kind per store")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated registries")
    args = parser.parse_args(argv)
    mode = QUICK if args.quick else FULL
    if args.reads:
        mode = Mode(**{**mode.__dict__, "reads": args.reads})
    sizes = args.sizes or mode.sizes
    started = time.perf_counter()
    stores = Stores(Path(tempfile.mkdtemp(prefix="registry-bench-scale-")))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _abort_on(stores))
    bench = Bench(mode, sizes, args.backends, stores, args.seed)
    failed: BaseException | None = None
    try:
        if "postgres" in args.backends:
            stores.start_postgres()
        print("\n".join(facts(stores, stores.folder)), flush=True)
        print(
            f"mode      {mode.name}: sizes {', '.join(f'{s:,}' for s in sizes)} certificates; "
            f"backends {', '.join(BACKENDS[b] for b in args.backends)}",
            flush=True,
        )
        bench.run()
    except Exception as error:  # report what was measured before the failure
        failed = error
        import traceback

        traceback.print_exc()
    finally:
        _cleanup(stores)
    if bench.scales:
        print()
        print(scale_table(bench.scales))
        print()
        print("\n".join(projections(bench.scales, args.backends)))
    if bench.writes:
        print()
        print(write_table(bench.writes, bench.library))
    print()
    for note in notes(bench):
        print(f"note  {note}")
    print()
    print("\n".join(targets(bench)))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if failed is not None:
        print(f"FAILED before the end: {failed!r}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
